// Writes every rejected message to the dead-letter topic `field-reports.dlq`
// as the contract's record (section 4).
#pragma once

#include <memory>
#include <string>

#include "kafka/producer.h"
#include "metrics/pipeline_probe.h"
#include "sinks/sink.h"

namespace fp {

struct SinkContext;

// {"reason","detail","topic","partition","offset","payload"} with "payload_b64"
// instead of "payload" when the bytes are not valid UTF-8.
void render_dead_letter(const RawMessage& message, const Rejection& rejection, std::string& out);

// Records are produced as soon as the batch is written (no coalescing: every
// rejected message is its own record), keyed by the message's own key.
class DeadLetterSink final : public Sink {
 public:
  DeadLetterSink(SinkContext& context, std::string topic);

  [[nodiscard]] std::string_view name() const override { return "dead-letter"; }
  void write(std::span<const RawMessage> messages, const BatchResult& result) override;
  void flush() override {}
  [[nodiscard]] std::uint64_t mark() const override { return writer_->produced(); }
  [[nodiscard]] bool durable(std::uint64_t mark) const override {
    return writer_->durable_through() >= mark;
  }
  [[nodiscard]] std::size_t unacknowledged() const override { return writer_->in_flight(); }

 private:
  std::string topic_;
  SinkProbe probe_;
  std::unique_ptr<kafka::Producer> writer_;
  std::string buffer_;
};

}  // namespace fp
