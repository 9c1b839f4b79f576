#include "sinks/dead_letter/dead_letter_sink.h"

#include "model/json_text.h"
#include "sinks/registry.h"

namespace fp {

void render_dead_letter(const RawMessage& message, const Rejection& rejection, std::string& out) {
  out.clear();
  out += R"({"reason":")";
  out += to_string(rejection.reason);
  out += R"(","detail":)";
  append_json_string(out, rejection.detail);
  out += R"(,"topic":)";
  append_json_string(out, message.topic);
  out += R"(,"partition":)";
  out += std::to_string(message.partition);
  out += R"(,"offset":)";
  out += std::to_string(message.offset);
  if (is_valid_utf8(message.payload)) {
    out += R"(,"payload":)";
    append_json_string(out, message.payload);
  } else {
    out += R"(,"payload_b64":")";
    append_base64(out, message.payload);
    out.push_back('"');
  }
  out.push_back('}');
}

DeadLetterSink::DeadLetterSink(SinkContext& context, std::string topic)
    : topic_(std::move(topic)), probe_(context.probe.sink("dead-letter")) {
  writer_ = make_sink_writer(context, "dead-letter", probe_);
}

void DeadLetterSink::write(std::span<const RawMessage> messages, const BatchResult& result) {
  for (const auto& dead : result.dead_letters) {
    const RawMessage& message = messages[dead.index];
    render_dead_letter(message, dead.rejection, buffer_);
    writer_->produce({.topic = topic_, .key = message.key, .value = buffer_});
  }
}

}  // namespace fp
