// RFC 3339 timestamps and calendar days in China Standard Time (UTC+08:00):
// the one civil-time implementation, for the core, the outputs and the simulator.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fp {

inline constexpr std::int64_t kMsPerHour = 3600LL * 1000;
inline constexpr std::int64_t kMsPerDay = 24 * kMsPerHour;
inline constexpr std::int64_t kCstOffsetMs = 8 * kMsPerHour;

// "2019-07-28T09:30:00+08:00", "...Z", fractional seconds allowed; the offset
// is required. Rejects impossible dates (2019-02-30) and times. UTC epoch ms.
std::optional<std::int64_t> parse_rfc3339(std::string_view text);

// Days since 1970-01-01 of the CST calendar day containing `utc_ms`.
std::int32_t cst_day(std::int64_t utc_ms);

// "YYYY-MM-DD" <-> CST day number.
std::string format_day(std::int32_t day);
std::optional<std::int32_t> parse_day(std::string_view text);

// RFC 3339 in CST, e.g. "2019-07-28T09:30:00+08:00" (milliseconds when non-zero).
std::string format_rfc3339_cst(std::int64_t utc_ms);

// CST midnight of a civil date, as UTC epoch milliseconds.
std::int64_t cst_midnight_ms(int year, int month, int day);

// Appends "YYYY-MM-DDTHH:MM:SS+08:00" for the second containing `utc_ms`
// (no fraction: the simulator's `at`).
void append_cst_timestamp(std::int64_t utc_ms, std::string& out);

// Appends "YYYY-MM-DD", the CST calendar day containing `utc_ms`.
void append_cst_date(std::int64_t utc_ms, std::string& out);

// Milliseconds since CST midnight of the day containing `utc_ms`.
inline std::int64_t cst_time_of_day(std::int64_t utc_ms) {
  const std::int64_t local = utc_ms + kCstOffsetMs;
  return ((local % kMsPerDay) + kMsPerDay) % kMsPerDay;
}

}  // namespace fp
