#include "sinks/dead_letter/dead_letter_sink.h"

#include "sinks/json_text.h"
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
  writer_ = std::make_unique<KafkaWriter>(
      context.io, KafkaWriter::Options{"dead-letter", context.kafka_properties},
      [this, on_acked = context.on_acked] {
        const auto durable = writer_->durable_through();
        if (durable > reported_) probe_.wrote(durable - reported_);
        reported_ = durable;
        if (on_acked) on_acked();
      },
      [this, on_error = context.on_error](const std::string& error) {
        probe_.failed();
        if (on_error) on_error(error);
      });
}

void DeadLetterSink::write(std::span<const RawMessage> messages, const BatchResult& result) {
  for (const auto& dead : result.dead_letters) {
    const RawMessage& message = messages[dead.index];
    render_dead_letter(message, dead.rejection, buffer_);
    writer_->produce(topic_, -1, message.key, buffer_);
  }
}

}  // namespace fp
