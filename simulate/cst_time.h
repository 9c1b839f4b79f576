// China Standard Time calendar arithmetic for the simulator's event times (`at`).
#pragma once

#include <cstdint>
#include <string>

namespace fp::sim {

inline constexpr std::int64_t kMsPerHour = 3600LL * 1000;
inline constexpr std::int64_t kMsPerDay = 24 * kMsPerHour;
inline constexpr std::int64_t kCstOffset = 8 * kMsPerHour;

// Midnight (CST) of a civil date, as UTC epoch milliseconds.
std::int64_t cst_midnight_ms(int year, int month, int day);

// Appends "YYYY-MM-DDTHH:MM:SS+08:00" for the second containing `utc_ms`.
void append_cst_timestamp(std::int64_t utc_ms, std::string& out);

// Appends "YYYY-MM-DD", the CST calendar day containing `utc_ms`.
void append_cst_date(std::int64_t utc_ms, std::string& out);

// Milliseconds since CST midnight of the day containing `utc_ms`.
inline std::int64_t cst_time_of_day(std::int64_t utc_ms) {
  const std::int64_t local = utc_ms + kCstOffset;
  return ((local % kMsPerDay) + kMsPerDay) % kMsPerDay;
}

}  // namespace fp::sim
