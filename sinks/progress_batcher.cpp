#include "sinks/progress_batcher.h"

#include "processors/core.h"

namespace fp {

ProgressBatcher::ProgressBatcher(boost::asio::io_context& io, const ProcessingCore& core,
                                 std::chrono::milliseconds flush_interval, LevelSet levels,
                                 BlockHandler on_blocks)
    : core_(core),
      flush_interval_(flush_interval),
      levels_(levels),
      on_blocks_(std::move(on_blocks)),
      timer_(io) {}

ProgressBatcher::ProgressBatcher(boost::asio::io_context& io, const ProcessingCore& core,
                                 std::chrono::milliseconds flush_interval, Handler on_rows)
    : ProgressBatcher(io, core, flush_interval, LevelSet::all(),
                      [on_rows = std::move(on_rows)](ProgressBlocks&& blocks) {
                        on_rows(std::move(blocks.changes));
                      }) {}

ProgressBatcher::~ProgressBatcher() {
  guard_.end();
  timer_.cancel();
}

void ProgressBatcher::add(const BatchResult& result) {
  pending_.put_all(result.moved_blocks);
  if (backlog_ && pending_.size() >= kMaxPendingBlocks) flush();
  if (pending_.empty() || timer_armed_ || backlog_) return;
  timer_armed_ = true;
  timer_.expires_after(flush_interval_);
  timer_.async_wait(guard_.wrap([this](boost::system::error_code ec) {
    if (ec) return;
    timer_armed_ = false;
    if (!backlog_) flush();
  }));
}

void ProgressBatcher::flush() {
  if (pending_.empty()) return;
  taken_.clear();
  pending_.take(taken_);
  ProgressBlocks blocks;
  blocks.changes.reserve(taken_.size() * 4);
  blocks.ends.reserve(taken_.size());
  // Each block's current values: the latest, as every change since it moved is in them.
  for (const ProgressBlockId block : taken_) {
    const std::size_t begin = blocks.changes.size();
    core_.block_changes(block, blocks.changes);
    if (blocks.changes.size() == begin) continue;  // no data (its partition was dropped)
    if (!levels_.contains(blocks.changes[begin].key.level)) {
      blocks.changes.resize(begin);
      continue;
    }
    blocks.ends.push_back(static_cast<std::uint32_t>(blocks.changes.size()));
  }
  if (!blocks.ends.empty()) on_blocks_(std::move(blocks));
}

}  // namespace fp
