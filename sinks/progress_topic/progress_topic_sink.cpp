#include "sinks/progress_topic/progress_topic_sink.h"

#include <boost/asio/post.hpp>

#include "sinks/registry.h"

namespace fp {

ProgressTopicSink::ProgressTopicSink(SinkContext& context, std::string topic,
                                     std::chrono::milliseconds flush_interval)
    : clock_(context.clock),
      topic_(std::move(topic)),
      renderer_(context.core),
      probe_(context.probe.sink("field-progress")),
      io_(context.io),
      batcher_(context.io, context.core, flush_interval,
               [this](std::vector<ProgressChange>&& rows) { hand_on(std::move(rows)); }) {
  writer_ = make_sink_writer(context, "field-progress", probe_, [this] {
    if (next_ < outgoing_.size()) schedule_produce();
  });
}

ProgressTopicSink::~ProgressTopicSink() { *alive_ = false; }

void ProgressTopicSink::write(std::span<const RawMessage> /*messages*/, const BatchResult& result) {
  batcher_.add(result);
}

void ProgressTopicSink::flush() { batcher_.flush(); }

void ProgressTopicSink::hand_on(std::vector<ProgressChange>&& rows) {
  outgoing_.erase(outgoing_.begin(), outgoing_.begin() + static_cast<std::ptrdiff_t>(next_));
  next_ = 0;
  if (outgoing_.empty()) {
    outgoing_ = std::move(rows);
  } else {
    outgoing_.insert(outgoing_.end(), rows.begin(), rows.end());
  }
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
