// Turns the pipeline's change sets into batches of progress blocks for the sinks
// that publish every key's latest value (field-progress, JSON Lines, PostgreSQL).
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "base/lifetime_guard.h"
#include "processors/batch_result.h"
#include "sinks/level_set.h"
#include "sinks/progress_topic/progress_coalescer.h"

namespace fp {

class ProcessingCore;

// One flush: the current values of the moved blocks, block by block. Block i
// is changes[i == 0 ? 0 : ends[i - 1]] up to changes[ends[i]]; its changes
// share level, entity, window and kind (one per metric of the kind).
struct ProgressBlocks {
  std::vector<ProgressChange> changes;
  std::vector<std::uint32_t> ends;

  [[nodiscard]] std::size_t size() const { return ends.size(); }
  [[nodiscard]] std::span<const ProgressChange> block(std::size_t i) const {
    const std::uint32_t begin = i == 0 ? 0 : ends[i - 1];
    return {changes.data() + begin, ends[i] - begin};
  }
};

// Moved blocks are coalesced (each once) and handed on with the blocks'
// current values when the flush timer fires or flush() is called.
// While the pipeline works through a backlog the timer does not flush: every
// report moves ten blocks, few of them hot, so only a long window coalesces
// enough to keep a sink from costing more than the processing; flush() at each
// checkpoint round, or kMaxPendingBlocks, still hands them on
// (docs/operations.md, "Throughput"). A sink that must honour its flush
// interval regardless simply never calls set_backlog().
//
// Threads: construct, call and destroy on the io_context's thread.
class ProgressBatcher {
 public:
  // Receives each flush's blocks (never empty).
  using BlockHandler = std::function<void(ProgressBlocks&& blocks)>;
  // Receives each flush's changes, one per metric (never empty).
  using Handler = std::function<void(std::vector<ProgressChange>&& rows)>;

  // Hands on only the blocks of `levels`.
  ProgressBatcher(boost::asio::io_context& io, const ProcessingCore& core,
                  std::chrono::milliseconds flush_interval, LevelSet levels,
                  BlockHandler on_blocks);
  // Every level, one change per metric.
  ProgressBatcher(boost::asio::io_context& io, const ProcessingCore& core,
                  std::chrono::milliseconds flush_interval, Handler on_rows);
  ~ProgressBatcher();
  ProgressBatcher(const ProgressBatcher&) = delete;
  ProgressBatcher& operator=(const ProgressBatcher&) = delete;

  void add(const BatchResult& result);
  void flush();
  void set_backlog(bool behind) { backlog_ = behind; }

  // Coalesced blocks (one row each) that force a flush while behind.
  static constexpr std::size_t kMaxPendingBlocks = 100000;

 private:
  const ProcessingCore& core_;
  std::chrono::milliseconds flush_interval_;
  LevelSet levels_;
  BlockHandler on_blocks_;
  boost::asio::steady_timer timer_;
  bool timer_armed_ = false;
  bool backlog_ = false;
  ProgressCoalescer pending_;
  std::vector<ProgressBlockId> taken_;  // reused by flush()
  LifetimeGuard guard_;
};

}  // namespace fp
