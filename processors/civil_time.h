// RFC 3339 timestamps and calendar days in China Standard Time (UTC+08:00).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fp {

inline constexpr std::int64_t kCstOffsetMs = 8LL * 3600 * 1000;

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

}  // namespace fp
