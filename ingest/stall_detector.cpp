#include "ingest/stall_detector.h"

#include <algorithm>

namespace fp {

std::optional<bool> StallDetector::observe(std::int32_t partition, std::int64_t position,
                                           std::int64_t high, Clock::time_point now) {
  if (partition < 0) return std::nullopt;
  const auto index = static_cast<std::size_t>(partition);
  if (index >= tracks_.size()) tracks_.resize(index + 1);
  Track& t = tracks_[index];
  const bool lagging = high > position;
  // The threshold counts from the first sample that saw this position with lag.
  if (!t.known || position != t.position || !lagging || !t.lagging) {
    t.known = true;
    t.position = position;
    t.lagging = lagging;
    t.since = now;
    if (!t.stalled) return std::nullopt;
    t.stalled = false;
    return false;
  }
  if (t.stalled || now - t.since < stall_after_) return std::nullopt;
  t.stalled = true;
  return true;
}

bool StallDetector::refetch_due(std::int32_t partition, Clock::time_point now) {
  if (partition < 0 || static_cast<std::size_t>(partition) >= tracks_.size()) return false;
  Track& t = tracks_[static_cast<std::size_t>(partition)];
  if (!t.known || !t.lagging || now - std::max(t.since, t.refetched) < stall_after_ / 3) {
    return false;
  }
  t.refetched = now;
  return true;
}

void StallDetector::forget(std::int32_t partition) {
  if (partition >= 0 && static_cast<std::size_t>(partition) < tracks_.size()) {
    tracks_[static_cast<std::size_t>(partition)] = Track{};
  }
}

const StallDetector::Track* StallDetector::find(std::int32_t partition) const {
  if (partition < 0 || static_cast<std::size_t>(partition) >= tracks_.size()) return nullptr;
  return &tracks_[static_cast<std::size_t>(partition)];
}

bool StallDetector::stalled(std::int32_t partition) const {
  const Track* t = find(partition);
  return t != nullptr && t->stalled;
}

std::chrono::milliseconds StallDetector::standing(std::int32_t partition,
                                                  Clock::time_point now) const {
  const Track* t = find(partition);
  if (t == nullptr || !t->known) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(now - t->since);
}

}  // namespace fp
