#include "sinks/progress_topic/progress_topic_sink.h"

#include "sinks/registry.h"

namespace fp {

namespace {

// Bounds the coalescing map while a backlog defers flushes (~80 bytes a key).
constexpr std::size_t kMaxPendingKeys = 200000;

}  // namespace

std::size_t ProgressTopicSink::KeyHash::operator()(const ProgressKey& k) const noexcept {
  std::uint64_t h = static_cast<std::uint64_t>(k.entity) * 0x9E3779B97F4A7C15ULL;
  h ^= (static_cast<std::uint64_t>(k.metric) << 40) ^ (static_cast<std::uint64_t>(k.level) << 56);
  h ^= static_cast<std::uint64_t>(static_cast<std::uint32_t>(k.window)) * 0xC2B2AE3D27D4EB4FULL;
  return static_cast<std::size_t>(h ^ (h >> 29));
}

ProgressTopicSink::ProgressTopicSink(SinkContext& context, std::string topic,
                                     std::chrono::milliseconds flush_interval)
    : clock_(context.clock),
      topic_(std::move(topic)),
      flush_interval_(flush_interval),
      renderer_(context.core),
      probe_(context.probe.sink("field-progress")),
      timer_(context.io) {
  writer_ = make_sink_writer(context, "field-progress", probe_);
}

ProgressTopicSink::~ProgressTopicSink() { timer_.cancel(); }

void ProgressTopicSink::write(std::span<const RawMessage> /*messages*/, const BatchResult& result) {
  for (const auto& change : result.changes) pending_.insert_or_assign(change.key, change.value);
  if (backlog_ && pending_.size() >= kMaxPendingKeys) flush();
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
  const std::int64_t now = clock_();
  for (const auto& [key, value] : pending_) {
    renderer_.key(key, key_buffer_);
    renderer_.row(key, value, now, row_buffer_);
    writer_->produce(topic_, -1, key_buffer_, row_buffer_);
  }
  pending_.clear();
}

}  // namespace fp
