// Tells which consumed partitions have stopped moving while they still have lag.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

namespace fp {

// A partition is stalled when its high watermark is past its position and the
// position has not moved for `stall_after`. Idle partitions (no lag) never
// stall. Fed by periodic samples; pure bookkeeping, no clock of its own.
class StallDetector {
 public:
  using Clock = std::chrono::steady_clock;

  explicit StallDetector(std::chrono::milliseconds stall_after) : stall_after_(stall_after) {}

  // One sample of a partition: its position (next offset to process) and the
  // newest high watermark known. Returns the new state when it changed
  // (true: it just stalled, false: it moves again).
  std::optional<bool> observe(std::int32_t partition, std::int64_t position, std::int64_t high,
                              Clock::time_point now);

  // Whether fetching the partition should be restarted now: it has stood still
  // with lag for a third of stall_after since its position last moved or since
  // the last restart. True at most once per such period.
  bool refetch_due(std::int32_t partition, Clock::time_point now);

  // The partition is no longer consumed here.
  void forget(std::int32_t partition);

  [[nodiscard]] bool stalled(std::int32_t partition) const;
  // How long the partition's position has stood still while it had lag.
  [[nodiscard]] std::chrono::milliseconds standing(std::int32_t partition,
                                                   Clock::time_point now) const;
  [[nodiscard]] std::chrono::milliseconds stall_after() const { return stall_after_; }

 private:
  struct Track {
    bool known = false;
    std::int64_t position = -1;
    bool lagging = false;       // the last sample had lag
    Clock::time_point since{};  // first sample of this position with lag
    Clock::time_point refetched{};
    bool stalled = false;
  };
  const Track* find(std::int32_t partition) const;

  std::chrono::milliseconds stall_after_;
  std::vector<Track> tracks_;  // by partition number
};

}  // namespace fp
