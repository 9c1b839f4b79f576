#include "sinks/progress_batcher.h"

namespace fp {

ProgressBatcher::ProgressBatcher(boost::asio::io_context& io, const ProcessingCore& core,
                                 std::chrono::milliseconds flush_interval, Handler on_rows)
    : core_(core), flush_interval_(flush_interval), on_rows_(std::move(on_rows)), timer_(io) {}

ProgressBatcher::~ProgressBatcher() {
  *alive_ = false;
  timer_.cancel();
}

void ProgressBatcher::add(const BatchResult& result) {
  pending_.put_all(result.moved_blocks);
  if (backlog_ && pending_.size() >= kMaxPendingBlocks) flush();
  if (pending_.empty() || timer_armed_ || backlog_) return;
  timer_armed_ = true;
  timer_.expires_after(flush_interval_);
  timer_.async_wait([this, alive = alive_](boost::system::error_code ec) {
    if (ec || !*alive) return;
    timer_armed_ = false;
    if (!backlog_) flush();
  });
}

void ProgressBatcher::flush() {
  if (pending_.empty()) return;
  taken_.clear();
  pending_.take(taken_);
  std::vector<ProgressChange> rows;
  // Each block's current values: the latest, as every change since it moved is in them.
  for (const ProgressBlockId block : taken_) core_.block_changes(block, rows);
  if (!rows.empty()) on_rows_(std::move(rows));
}

}  // namespace fp
