#include "sinks/progress_topic/progress_topic_sink.h"

#include <boost/asio/post.hpp>

#include "sinks/registry.h"

namespace fp {

ProgressTopicSink::ProgressTopicSink(SinkContext& context, std::string topic,
                                     std::chrono::milliseconds flush_interval, LevelSet levels)
    : topic_(std::move(topic)),
      renderer_(context.core),
      probe_(context.probe.sink("field-progress")),
      io_(context.io),
      batcher_(context.io, context.core, flush_interval, levels,
               [this](ProgressBlocks&& blocks) { hand_on(std::move(blocks)); }) {
  writer_ = make_sink_writer(context, "field-progress", probe_, [this] {
    if (next_ < outgoing_.size()) schedule_produce();
  });
}

ProgressTopicSink::~ProgressTopicSink() { guard_.end(); }

void ProgressTopicSink::write(std::span<const RawMessage> /*messages*/, const BatchResult& result) {
  batcher_.add(result);
}

void ProgressTopicSink::flush() { batcher_.flush(); }

void ProgressTopicSink::hand_on(ProgressBlocks&& blocks) {
  if (next_ == outgoing_.size()) {
    outgoing_ = std::move(blocks);
    next_ = 0;
    produce_some();
    return;
  }
  // Rare: a flush while the last one is still being produced. The produced
  // blocks are dropped and the new ones follow the waiting ones (a block in
  // both is produced twice, the later row last, so the latest row per key wins).
  const std::uint32_t produced = next_ == 0 ? 0 : outgoing_.ends[next_ - 1];
  outgoing_.changes.erase(outgoing_.changes.begin(), outgoing_.changes.begin() + produced);
  outgoing_.ends.erase(outgoing_.ends.begin(),
                       outgoing_.ends.begin() + static_cast<std::ptrdiff_t>(next_));
  for (std::uint32_t& end : outgoing_.ends) end -= produced;
  next_ = 0;
  const auto base = static_cast<std::uint32_t>(outgoing_.changes.size());
  outgoing_.changes.insert(outgoing_.changes.end(), blocks.changes.begin(), blocks.changes.end());
  for (const std::uint32_t end : blocks.ends) outgoing_.ends.push_back(base + end);
  produce_some();
}

void ProgressTopicSink::schedule_produce() {
  if (produce_scheduled_) return;
  produce_scheduled_ = true;
  boost::asio::post(io_, guard_.wrap([this] {
    produce_scheduled_ = false;
    produce_some();
  }));
}

void ProgressTopicSink::produce_some() {
  const std::size_t end = std::min(outgoing_.size(), next_ + kSliceRows);
  while (next_ < end && writer_->in_flight() < kMaxInFlight) {
    const auto block = outgoing_.block(next_);
    key_buffer_.clear();
    renderer_.append_key(block, key_buffer_);
    row_buffer_.clear();
    renderer_.append_row(block, row_buffer_);
    writer_->produce({.topic = topic_, .key = key_buffer_, .value = row_buffer_});
    ++next_;
  }
  if (next_ == outgoing_.size()) {
    outgoing_.changes.clear();
    outgoing_.ends.clear();
    next_ = 0;
  } else if (writer_->in_flight() < kMaxInFlight) {
    schedule_produce();  // the next slice after whatever else is waiting
  }                      // else an acknowledgement resumes it
}

}  // namespace fp
