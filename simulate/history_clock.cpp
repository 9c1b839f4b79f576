// Inverse of the cumulative rhythm over the hours of the period, in integer arithmetic
// so that a seed gives the same times everywhere.
#include "simulate/history_clock.h"

#include <algorithm>
#include <array>
#include <stdexcept>

#include "model/civil_time.h"
#include "model/decimal.h"  // Int128

namespace fp::sim {
namespace {

// Reports per hour of a weekday, relative: the working day, a little before it, the
// evening write-ups, nothing at night.
constexpr std::array<std::uint64_t, 24> kHourFactor = {
    0,  0,  0,  0,  0, 0, 2,  6,   // 00-07
    10, 10, 10, 10, 8, 8, 10, 10,  // 08-15 (a lunch dip)
    10, 10, 5,  4,  3, 2, 1,  0};  // 16-23
// Weekdays 1.0, Saturday 0.45, Sunday 0.35 (percent).
constexpr std::array<std::uint64_t, 7> kDayFactor = {35, 100, 100, 100, 100, 100, 45};

}  // namespace

int cst_weekday(std::int64_t utc_ms) {
  const std::int64_t local = utc_ms + kCstOffsetMs;
  const std::int64_t days = local >= 0 ? local / kMsPerDay : (local - kMsPerDay + 1) / kMsPerDay;
  return static_cast<int>(((days + 4) % 7 + 7) % 7);  // 1970-01-01 was a Thursday
}

std::uint64_t HistoryClock::hour_weight(int weekday, int hour) {
  return kDayFactor[static_cast<std::size_t>(weekday)] *
         kHourFactor[static_cast<std::size_t>(hour)];
}

HistoryClock::HistoryClock(std::int64_t from_ms, std::int64_t to_ms, std::uint64_t reports)
    : from_ms_(from_ms), to_ms_(to_ms), reports_(reports) {
  if (to_ms <= from_ms || (to_ms - from_ms) % kMsPerDay != 0) {
    throw std::invalid_argument("a history spans whole days, at least one");
  }
  if (reports == 0) throw std::invalid_argument("a history needs at least one report");
  const std::int64_t hours = (to_ms - from_ms) / kMsPerHour;
  cumulative_.reserve(static_cast<std::size_t>(hours));
  std::uint64_t total = 0;
  for (std::int64_t h = 0; h < hours; ++h) {
    const std::int64_t start = from_ms + h * kMsPerHour;
    total += hour_weight(cst_weekday(start), static_cast<int>(h % 24)) *
             static_cast<std::uint64_t>(kMsPerHour);
    cumulative_.push_back(total);
  }
}

std::int64_t HistoryClock::position(std::uint64_t index, std::uint32_t jitter) const {
  if (index >= reports_) return to_ms_ - 1;
  // The report's share of the total mass: [index, index + 1) / reports of it.
  const auto scaled = (static_cast<Int128>(index) << 32) + jitter;
  const auto mass = static_cast<std::uint64_t>(scaled * cumulative_.back() /
                                               (static_cast<Int128>(reports_) << 32));
  const auto hour = static_cast<std::size_t>(
      std::upper_bound(cumulative_.begin(), cumulative_.end(), mass) - cumulative_.begin());
  const std::uint64_t before = hour == 0 ? 0 : cumulative_[hour - 1];
  const std::uint64_t weight = (cumulative_[hour] - before) / kMsPerHour;
  return from_ms_ + static_cast<std::int64_t>(hour) * kMsPerHour +
         static_cast<std::int64_t>((mass - before) / weight);
}

}  // namespace fp::sim
