// Publishes changed progress rows to the `field-progress` topic, each hot key
// at most once per flush interval.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>

#include "metrics/pipeline_probe.h"
#include "sinks/kafka_writer.h"
#include "sinks/progress_row.h"
#include "sinks/sink.h"

namespace fp {

struct SinkContext;

// Changes are coalesced in a map (latest value per key wins) and produced when
// the flush timer fires or flush() is called. While the pipeline works through a
// backlog the timer does not flush: every report moves ~20 keys, few of them hot,
// so only a long window coalesces enough to keep the topic from costing more
// than the processing (docs/operations.md, "Throughput"). Keyed level|id|metric|window so a
// compacted topic keeps the latest row per key.
class ProgressTopicSink final : public Sink {
 public:
  ProgressTopicSink(SinkContext& context, std::string topic,
                    std::chrono::milliseconds flush_interval);
  ~ProgressTopicSink() override;

  [[nodiscard]] std::string_view name() const override { return "field-progress"; }
  void write(std::span<const RawMessage> messages, const BatchResult& result) override;
  void flush() override;
  [[nodiscard]] std::uint64_t mark() const override { return writer_->produced(); }
  [[nodiscard]] bool durable(std::uint64_t mark) const override {
    return writer_->durable_through() >= mark;
  }
  [[nodiscard]] std::size_t unacknowledged() const override { return writer_->in_flight(); }
  void set_backlog(bool behind) override { backlog_ = behind; }

 private:
  struct KeyHash {
    std::size_t operator()(const ProgressKey& k) const noexcept;
  };

  Clock clock_;
  std::string topic_;
  std::chrono::milliseconds flush_interval_;
  ProgressRowRenderer renderer_;
  SinkProbe probe_;
  std::unique_ptr<KafkaWriter> writer_;
  boost::asio::steady_timer timer_;
  bool timer_armed_ = false;
  bool backlog_ = false;  // coalesce until a checkpoint round or kMaxPendingKeys
  std::unordered_map<ProgressKey, ProgressValue, KeyHash> pending_;
  std::string key_buffer_;
  std::string row_buffer_;
};

}  // namespace fp
