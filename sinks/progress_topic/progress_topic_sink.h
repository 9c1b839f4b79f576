// Publishes changed progress rows to the `field-progress` topic, each hot key
// at most once per flush interval.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "metrics/pipeline_probe.h"
#include "sinks/kafka_writer.h"
#include "sinks/progress_batcher.h"
#include "sinks/progress_row.h"
#include "sinks/sink.h"

namespace fp {

struct SinkContext;

// Rows come from a ProgressBatcher (coalesced by block, flushed on a timer,
// held while the pipeline works through a backlog).
//
// Handing on is paced: rows are rendered and produced a slice per turn of the
// io_context, and no further while librdkafka holds kMaxInFlight unacknowledged,
// so a flush of many keys never stalls ingest. (A stalled event loop lets the
// consumer's prefetch queue overflow, and librdkafka 2.0 then stops fetching for
// a whole second.) mark() already covers rows flushed but not yet produced.
// Keyed level|id|metric|window so a compacted topic keeps the latest row per key.
class ProgressTopicSink final : public Sink {
 public:
  ProgressTopicSink(SinkContext& context, std::string topic,
                    std::chrono::milliseconds flush_interval);
  ~ProgressTopicSink() override;

  [[nodiscard]] std::string_view name() const override { return "field-progress"; }
  void write(std::span<const RawMessage> messages, const BatchResult& result) override;
  void flush() override;
  [[nodiscard]] std::uint64_t mark() const override {
    return writer_->produced() + (outgoing_.size() - next_);
  }
  [[nodiscard]] bool durable(std::uint64_t mark) const override {
    return writer_->durable_through() >= mark;
  }
  [[nodiscard]] std::size_t unacknowledged() const override {
    return writer_->in_flight() + (outgoing_.size() - next_);
  }
  void set_backlog(bool behind) override { batcher_.set_backlog(behind); }

  // Rows produced per turn of the io_context, and librdkafka's unacknowledged ceiling.
  static constexpr std::size_t kSliceRows = 2048;
  static constexpr std::size_t kMaxInFlight = 50000;

 private:
  void hand_on(std::vector<ProgressChange>&& rows);
  void produce_some();
  void schedule_produce();

  Clock clock_;
  std::string topic_;
  ProgressRowRenderer renderer_;
  SinkProbe probe_;
  boost::asio::io_context& io_;
  std::unique_ptr<KafkaWriter> writer_;
  bool produce_scheduled_ = false;
  std::vector<ProgressChange> outgoing_;  // flushed; rows before next_ are produced
  std::size_t next_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::string key_buffer_;
  std::string row_buffer_;
  ProgressBatcher batcher_;  // last: its handler uses the members above
};

}  // namespace fp
