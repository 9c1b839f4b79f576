// Civil-date conversions (Howard Hinnant's algorithms), fixed at UTC+08:00.
#include "simulate/cst_time.h"

namespace fp::sim {
namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = floor_div(y, 400);
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month, day;
};

Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = floor_div(z, 146097);
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

void append_digits(std::int64_t value, int width, std::string& out) {
  char buf[24];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0 || n < width);
  while (n > 0) out.push_back(buf[--n]);
}

void append_date(std::int64_t local_ms, std::string& out) {
  const Civil c = civil_from_days(floor_div(local_ms, kMsPerDay));
  append_digits(c.year, 4, out);
  out.push_back('-');
  append_digits(c.month, 2, out);
  out.push_back('-');
  append_digits(c.day, 2, out);
}

}  // namespace

std::int64_t cst_midnight_ms(int year, int month, int day) {
  return days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) *
             kMsPerDay -
         kCstOffset;
}

void append_cst_timestamp(std::int64_t utc_ms, std::string& out) {
  const std::int64_t local = utc_ms + kCstOffset;
  append_date(local, out);
  const std::int64_t seconds = cst_time_of_day(utc_ms) / 1000;
  out.push_back('T');
  append_digits(seconds / 3600, 2, out);
  out.push_back(':');
  append_digits(seconds / 60 % 60, 2, out);
  out.push_back(':');
  append_digits(seconds % 60, 2, out);
  out.append("+08:00");
}

void append_cst_date(std::int64_t utc_ms, std::string& out) {
  append_date(utc_ms + kCstOffset, out);
}

}  // namespace fp::sim
