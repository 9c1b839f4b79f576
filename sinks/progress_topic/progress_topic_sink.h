// Publishes changed progress blocks to the `field-progress` topic, one row per
// block, each hot block at most once per flush interval.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "base/lifetime_guard.h"
#include "kafka/producer.h"
#include "metrics/pipeline_probe.h"
#include "sinks/progress_batcher.h"
#include "sinks/progress_row.h"
#include "sinks/sink.h"

namespace fp {

struct SinkContext;

// Blocks come from a ProgressBatcher (coalesced, flushed on a timer, held while
// the pipeline works through a backlog), only those of the published levels.
//
// Handing on is paced: rows are rendered and produced a slice per turn of the
// io_context, and no further while librdkafka holds kMaxInFlight unacknowledged,
// so a flush of many blocks never stalls ingest. (A stalled event loop lets the
// consumer's prefetch queue overflow, and librdkafka 2.0 then stops fetching for
// a whole second.) mark() already covers rows flushed but not yet produced.
// Keyed level|id|kind|window so a compacted topic keeps the latest row per block.
class ProgressTopicSink final : public Sink {
 public:
  ProgressTopicSink(SinkContext& context, std::string topic,
                    std::chrono::milliseconds flush_interval, LevelSet levels);
  ~ProgressTopicSink() override;

  [[nodiscard]] std::string_view name() const override { return "field-progress"; }
  void write(std::span<const RawMessage> messages, const BatchResult& result) override;
  void flush() override;
  [[nodiscard]] std::uint64_t mark() const override { return writer_->produced() + waiting(); }
  [[nodiscard]] bool durable(std::uint64_t mark) const override {
    return writer_->durable_through() >= mark;
  }
  [[nodiscard]] std::size_t unacknowledged() const override {
    return writer_->in_flight() + waiting();
  }
  void set_backlog(bool behind) override { batcher_.set_backlog(behind); }

  // Rows produced per turn of the io_context, and librdkafka's unacknowledged ceiling.
  static constexpr std::size_t kSliceRows = 2048;
  static constexpr std::size_t kMaxInFlight = 50000;

 private:
  [[nodiscard]] std::size_t waiting() const { return outgoing_.size() - next_; }
  void hand_on(ProgressBlocks&& blocks);
  void produce_some();
  void schedule_produce();

  std::string topic_;
  BlockRowRenderer renderer_;
  SinkProbe probe_;
  boost::asio::io_context& io_;
  std::unique_ptr<kafka::Producer> writer_;
  bool produce_scheduled_ = false;
  ProgressBlocks outgoing_;  // flushed; blocks before next_ are produced
  std::size_t next_ = 0;
  LifetimeGuard guard_;
  std::string key_buffer_;
  std::string row_buffer_;
  ProgressBatcher batcher_;  // last: its handler uses the members above
};

}  // namespace fp
