// The event-time clock of a simulated history: where the i-th of N reports falls in a
// period of CST days, following the programme's weekly and daily rhythm.
#pragma once

#include <cstdint>
#include <vector>

namespace fp::sim {

// Spreads N reports over [from_ms, to_ms) (CST midnights) in proportion to a rhythm:
// working hours (08:00-18:00) most, some early morning and evening, none at night;
// Saturdays and Sundays fewer than weekdays. Positions rise with the report's index,
// so a stream of them is in event-time order.
class HistoryClock {
 public:
  // from_ms and to_ms are CST midnights, from_ms < to_ms; reports >= 1.
  HistoryClock(std::int64_t from_ms, std::int64_t to_ms, std::uint64_t reports);

  // The event time (UTC epoch ms) of report `index` (0-based); `jitter` in [0, 2^32)
  // places it inside its share. Indexes past the end stay at the period's last moment.
  [[nodiscard]] std::int64_t position(std::uint64_t index, std::uint32_t jitter) const;

  [[nodiscard]] std::int64_t from_ms() const { return from_ms_; }
  [[nodiscard]] std::int64_t to_ms() const { return to_ms_; }

  // Relative weight of an hour: weekday factor (Sunday 0 .. Saturday 6) x hour factor.
  static std::uint64_t hour_weight(int weekday, int hour);

 private:
  std::int64_t from_ms_;
  std::int64_t to_ms_;
  std::uint64_t reports_;
  std::vector<std::uint64_t> cumulative_;  // weight x ms, by hour of the period
};

// Day of the week (0 Sunday .. 6 Saturday) of the CST day containing `utc_ms`.
int cst_weekday(std::int64_t utc_ms);

}  // namespace fp::sim
