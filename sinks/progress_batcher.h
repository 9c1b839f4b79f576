// Turns the pipeline's change sets into batches of progress rows for the sinks
// that publish every key's latest value (the field-progress topic, PostgreSQL).
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "processors/core.h"
#include "sinks/progress_topic/progress_coalescer.h"

namespace fp {

// Moved blocks are coalesced (each once) and handed on as rows with the
// blocks' current values when the flush timer fires or flush() is called.
// While the pipeline works through a backlog the timer does not flush: every
// report moves ten blocks, few of them hot, so only a long window coalesces
// enough to keep a sink from costing more than the processing; flush() at each
// checkpoint round, or kMaxPendingBlocks, still hands them on
// (docs/operations.md, "Throughput").
//
// Threads: construct, call and destroy on the io_context's thread.
class ProgressBatcher {
 public:
  // Receives each flush's rows (never empty).
  using Handler = std::function<void(std::vector<ProgressChange>&& rows)>;

  ProgressBatcher(boost::asio::io_context& io, const ProcessingCore& core,
                  std::chrono::milliseconds flush_interval, Handler on_rows);
  ~ProgressBatcher();
  ProgressBatcher(const ProgressBatcher&) = delete;
  ProgressBatcher& operator=(const ProgressBatcher&) = delete;

  void add(const BatchResult& result);
  void flush();
  void set_backlog(bool behind) { backlog_ = behind; }

  // Coalesced blocks that force a flush while behind (~2 rows each).
  static constexpr std::size_t kMaxPendingBlocks = 100000;

 private:
  const ProcessingCore& core_;
  std::chrono::milliseconds flush_interval_;
  Handler on_rows_;
  boost::asio::steady_timer timer_;
  bool timer_armed_ = false;
  bool backlog_ = false;
  ProgressCoalescer pending_;
  std::vector<ProgressBlockId> taken_;  // reused by flush()
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace fp
