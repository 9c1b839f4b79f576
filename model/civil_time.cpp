#include "model/civil_time.h"

#include <array>

namespace fp {
namespace {

// Howard Hinnant's days_from_civil: proleptic Gregorian, any year, no libc.
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct CivilDate {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

constexpr CivilDate civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

static_assert(days_from_civil(1970, 1, 1) == 0);
static_assert(days_from_civil(2019, 7, 28) == 18105);
static_assert(civil_from_days(18105).year == 2019 && civil_from_days(18105).day == 28);

constexpr bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

constexpr unsigned days_in_month(std::int64_t y, unsigned m) {
  constexpr std::array<unsigned, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

// Reads exactly `n` ASCII digits at text[pos]; false if any is not a digit.
bool read_digits(std::string_view text, std::size_t pos, std::size_t n, unsigned& out) {
  if (pos + n > text.size()) return false;
  unsigned v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  out = v;
  return true;
}

// "YYYY-MM-DD" at the start of text, checked against the calendar.
std::optional<std::int64_t> parse_date(std::string_view text) {
  unsigned y = 0, m = 0, d = 0;
  if (!read_digits(text, 0, 4, y) || text.size() < 10 || text[4] != '-' ||
      !read_digits(text, 5, 2, m) || text[7] != '-' || !read_digits(text, 8, 2, d)) {
    return std::nullopt;
  }
  if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return std::nullopt;
  return days_from_civil(y, m, d);
}

void append_number(std::string& out, std::int64_t v, int width) {
  std::array<char, 24> buf{};
  int n = 0;
  const bool negative = v < 0;
  auto u = static_cast<std::uint64_t>(negative ? -v : v);
  do {
    buf[static_cast<std::size_t>(n++)] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  while (n < width) buf[static_cast<std::size_t>(n++)] = '0';
  if (negative) out.push_back('-');
  while (n > 0) out.push_back(buf[static_cast<std::size_t>(--n)]);
}

void append_date(std::string& out, std::int64_t day) {
  const CivilDate c = civil_from_days(day);
  append_number(out, c.year, 4);
  out.push_back('-');
  append_number(out, c.month, 2);
  out.push_back('-');
  append_number(out, c.day, 2);
}

// "YYYY-MM-DDTHH:MM:SS[.mmm]+08:00"; the fraction only when asked for and non-zero.
void append_timestamp(std::string& out, std::int64_t utc_ms, bool with_millis) {
  const std::int64_t local = utc_ms + kCstOffsetMs;
  const std::int64_t day = floor_div(local, kMsPerDay);
  const std::int64_t in_day = local - day * kMsPerDay;
  append_date(out, day);
  out.push_back('T');
  append_number(out, in_day / kMsPerHour, 2);
  out.push_back(':');
  append_number(out, in_day / 60'000 % 60, 2);
  out.push_back(':');
  append_number(out, in_day / 1000 % 60, 2);
  if (with_millis && in_day % 1000 != 0) {
    out.push_back('.');
    append_number(out, in_day % 1000, 3);
  }
  out += "+08:00";
}

}  // namespace

// Grammar (RFC 3339 section 5.6): full-date ("T" | "t" | " ") full-time, where
// full-time = HH:MM:SS[.frac](Z | z | +hh:mm | -hh:mm). Second 60 (a leap
// second) is rejected: epoch milliseconds cannot represent it and producers
// stamp POSIX time. Fractional digits beyond milliseconds are truncated.
std::optional<std::int64_t> parse_rfc3339(std::string_view text) {
  const auto day = parse_date(text);
  if (!day || text.size() < 20) return std::nullopt;
  const char sep = text[10];
  if (sep != 'T' && sep != 't' && sep != ' ') return std::nullopt;
  unsigned hh = 0, mm = 0, ss = 0;
  if (!read_digits(text, 11, 2, hh) || text[13] != ':' || !read_digits(text, 14, 2, mm) ||
      text[16] != ':' || !read_digits(text, 17, 2, ss)) {
    return std::nullopt;
  }
  if (hh > 23 || mm > 59 || ss > 59) return std::nullopt;
  std::size_t pos = 19;
  std::int64_t millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const std::size_t first = pos;
    std::int64_t scale = 100;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      millis += scale * (text[pos] - '0');
      scale /= 10;
      ++pos;
    }
    if (pos == first) return std::nullopt;
  }
  if (pos >= text.size()) return std::nullopt;
  std::int64_t offset_min = 0;
  const char z = text[pos];
  if (z == 'Z' || z == 'z') {
    ++pos;
  } else if (z == '+' || z == '-') {
    unsigned oh = 0, om = 0;
    if (!read_digits(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !read_digits(text, pos + 4, 2, om)) {
      return std::nullopt;
    }
    if (oh > 23 || om > 59) return std::nullopt;
    offset_min = static_cast<std::int64_t>(oh * 60 + om) * (z == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  const std::int64_t local_s =
      *day * std::int64_t{86400} + std::int64_t{hh} * 3600 + std::int64_t{mm} * 60 + ss;
  return (local_s - offset_min * 60) * 1000 + millis;
}

std::int32_t cst_day(std::int64_t utc_ms) {
  return static_cast<std::int32_t>(floor_div(utc_ms + kCstOffsetMs, kMsPerDay));
}

std::string format_day(std::int32_t day) {
  std::string out;
  out.reserve(10);
  append_date(out, day);
  return out;
}

std::optional<std::int32_t> parse_day(std::string_view text) {
  if (text.size() != 10) return std::nullopt;
  const auto day = parse_date(text);
  if (!day) return std::nullopt;
  return static_cast<std::int32_t>(*day);
}

std::string format_rfc3339_cst(std::int64_t utc_ms) {
  std::string out;
  out.reserve(29);
  append_timestamp(out, utc_ms, /*with_millis=*/true);
  return out;
}

std::int64_t cst_midnight_ms(int year, int month, int day) {
  return days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) *
             kMsPerDay -
         kCstOffsetMs;
}

void append_cst_timestamp(std::int64_t utc_ms, std::string& out) {
  append_timestamp(out, utc_ms, /*with_millis=*/false);
}

void append_cst_date(std::int64_t utc_ms, std::string& out) { append_date(out, cst_day(utc_ms)); }

}  // namespace fp
