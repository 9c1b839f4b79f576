#include "sinks/progress_topic/progress_topic_sink.h"

#include <boost/asio/post.hpp>

#include "sinks/registry.h"

namespace fp {

ProgressTopicSink::ProgressTopicSink(SinkContext& context, std::string topic,
                                     std::chrono::milliseconds flush_interval)
    : clock_(context.clock),
      topic_(std::move(topic)),
      flush_interval_(flush_interval),
      core_(context.core),
      renderer_(context.core),
      probe_(context.probe.sink("field-progress")),
      io_(context.io),
      timer_(context.io) {
  writer_ = make_sink_writer(context, "field-progress", probe_, [this] {
    if (next_ < outgoing_.size()) schedule_produce();
  });
}

ProgressTopicSink::~ProgressTopicSink() {
  *alive_ = false;
  timer_.cancel();
}

void ProgressTopicSink::write(std::span<const RawMessage> /*messages*/, const BatchResult& result) {
  pending_.put_all(result.moved_blocks);
  if (backlog_ && pending_.size() >= kMaxPendingBlocks) flush();
  if (pending_.empty() || timer_armed_ || backlog_) return;
  timer_armed_ = true;
  timer_.expires_after(flush_interval_);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    timer_armed_ = false;
    if (!backlog_) flush();
  });
}

void ProgressTopicSink::flush() {
  if (pending_.empty()) return;
  outgoing_.erase(outgoing_.begin(), outgoing_.begin() + static_cast<std::ptrdiff_t>(next_));
  next_ = 0;
  taken_.clear();
  pending_.take(taken_);
  // Each block's current values: the latest, as every change since it moved is in them.
  for (const ProgressBlockId block : taken_) core_.block_changes(block, outgoing_);
  produce_some();
}

void ProgressTopicSink::schedule_produce() {
  if (produce_scheduled_) return;
  produce_scheduled_ = true;
  boost::asio::post(io_, [this, alive = alive_] {
    if (!*alive) return;
    produce_scheduled_ = false;
    produce_some();
  });
}

void ProgressTopicSink::produce_some() {
  const std::int64_t now = clock_();
  const std::size_t end = std::min(outgoing_.size(), next_ + kSliceRows);
  while (next_ < end && writer_->in_flight() < kMaxInFlight) {
    const ProgressChange& change = outgoing_[next_];
    renderer_.key(change.key, key_buffer_);
    renderer_.row(change.key, change.value, now, row_buffer_);
    writer_->produce(topic_, -1, key_buffer_, row_buffer_);
    ++next_;
  }
  if (next_ == outgoing_.size()) {
    outgoing_.clear();
    next_ = 0;
  } else if (writer_->in_flight() < kMaxInFlight) {
    schedule_produce();  // the next slice after whatever else is waiting
  }                      // else an acknowledgement resumes it
}

}  // namespace fp
