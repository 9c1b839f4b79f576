// Publishes changed progress rows to the `field-progress` topic, each hot key
// at most once per flush interval.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "metrics/pipeline_probe.h"
#include "sinks/kafka_writer.h"
#include "sinks/progress_row.h"
#include "sinks/progress_topic/progress_coalescer.h"
#include "sinks/sink.h"

namespace fp {

struct SinkContext;

// Changes are coalesced by block (the keys of one kind, level, id and window
// move together) and handed on, with the blocks' current values, when the
// flush timer fires or flush() is called. While the pipeline works through a
// backlog the timer does not flush: every report moves ten blocks, few of them
// hot, so only a long window coalesces enough to keep the topic from costing
// more than the processing (docs/operations.md, "Throughput").
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
  void set_backlog(bool behind) override { backlog_ = behind; }

  // Coalesced blocks that force a flush while behind (~2 rows each).
  static constexpr std::size_t kMaxPendingBlocks = 100000;
  // Rows produced per turn of the io_context, and librdkafka's unacknowledged ceiling.
  static constexpr std::size_t kSliceRows = 2048;
  static constexpr std::size_t kMaxInFlight = 50000;

 private:
  void produce_some();
  void schedule_produce();

  Clock clock_;
  std::string topic_;
  std::chrono::milliseconds flush_interval_;
  const ProcessingCore& core_;
  ProgressRowRenderer renderer_;
  SinkProbe probe_;
  boost::asio::io_context& io_;
  std::unique_ptr<KafkaWriter> writer_;
  boost::asio::steady_timer timer_;
  bool timer_armed_ = false;
  bool backlog_ = false;  // coalesce until a checkpoint round or kMaxPendingBlocks
  bool produce_scheduled_ = false;
  ProgressCoalescer pending_;
  std::vector<ProgressBlockId> taken_;    // reused by flush()
  std::vector<ProgressChange> outgoing_;  // flushed; rows before next_ are produced
  std::size_t next_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::string key_buffer_;
  std::string row_buffer_;
};

}  // namespace fp
