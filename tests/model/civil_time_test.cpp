// Civil time in CST: RFC 3339 parsing and formatting, calendar days, and the
// simulator's timestamp writers.
#include "model/civil_time.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>

namespace fp {
namespace {

constexpr std::int64_t kHourMs = kMsPerHour;
constexpr std::int64_t kDayMs = kMsPerDay;
// 2019-07-28T00:00:00Z
constexpr std::int64_t k20190728 = 18105 * kDayMs;

struct ParseCase {
  const char* text;
  std::optional<std::int64_t> utc_ms;
};

class ParseRfc3339 : public ::testing::TestWithParam<ParseCase> {};

TEST_P(ParseRfc3339, GivesEpochMillisecondsOrRejects) {
  const ParseCase& c = GetParam();
  EXPECT_EQ(parse_rfc3339(c.text), c.utc_ms) << c.text;
}

INSTANTIATE_TEST_SUITE_P(
    Accepted, ParseRfc3339,
    ::testing::Values(ParseCase{"1970-01-01T00:00:00Z", 0}, ParseCase{"1970-01-01t00:00:00z", 0},
                      ParseCase{"1970-01-01 00:00:00Z", 0},
                      ParseCase{"2019-07-28T09:30:00+08:00", k20190728 + 90 * kHourMs / 60},
                      ParseCase{"2019-07-28T16:30:00Z", k20190728 + 16 * kHourMs + kHourMs / 2},
                      ParseCase{"2019-07-28T00:00:00-05:00", k20190728 + 5 * kHourMs},
                      ParseCase{"2019-07-28T05:45:00+05:45", k20190728},
                      ParseCase{"2019-07-28T00:00:00-00:00", k20190728},
                      ParseCase{"2019-07-28T00:00:00.5Z", k20190728 + 500},
                      ParseCase{"2019-07-28T00:00:00.123Z", k20190728 + 123},
                      ParseCase{"2019-07-28T00:00:00.123999999Z", k20190728 + 123},
                      ParseCase{"2020-02-29T00:00:00Z", 18321 * kDayMs},
                      ParseCase{"2000-02-29T00:00:00Z", 11016 * kDayMs},
                      ParseCase{"1969-12-31T23:59:59.999Z", -1},
                      ParseCase{"2019-12-31T23:59:59+23:59",
                                18262 * kDayMs - 1000 - (23 * 60 + 59) * 60000}));

INSTANTIATE_TEST_SUITE_P(
    Rejected, ParseRfc3339,
    ::testing::Values(ParseCase{"", std::nullopt}, ParseCase{"2019-07-28", std::nullopt},
                      ParseCase{"2019-07-28T09:30:00", std::nullopt},  // offset required
                      ParseCase{"2019-02-30T00:00:00Z", std::nullopt},
                      ParseCase{"2019-02-29T00:00:00Z", std::nullopt},
                      ParseCase{"1900-02-29T00:00:00Z", std::nullopt},
                      ParseCase{"2019-13-01T00:00:00Z", std::nullopt},
                      ParseCase{"2019-00-01T00:00:00Z", std::nullopt},
                      ParseCase{"2019-04-31T00:00:00Z", std::nullopt},
                      ParseCase{"2019-04-00T00:00:00Z", std::nullopt},
                      ParseCase{"2019-07-28T24:00:00Z", std::nullopt},
                      ParseCase{"2019-07-28T23:60:00Z", std::nullopt},
                      ParseCase{"2019-07-28T23:59:60Z", std::nullopt},  // leap seconds rejected
                      ParseCase{"2019-07-28T09:30:00+24:00", std::nullopt},
                      ParseCase{"2019-07-28T09:30:00+08:60", std::nullopt},
                      ParseCase{"2019-07-28T09:30:00+0800", std::nullopt},
                      ParseCase{"2019-07-28T09:30:00+08", std::nullopt},
                      ParseCase{"2019-07-28T09:30:00.Z", std::nullopt},
                      ParseCase{"2019-07-28T09:30Z", std::nullopt},
                      ParseCase{"2019-07-28X09:30:00Z", std::nullopt},
                      ParseCase{"2019-7-28T09:30:00Z", std::nullopt},
                      ParseCase{"2019-07-28T09:30:00Z ", std::nullopt},
                      ParseCase{" 2019-07-28T09:30:00Z", std::nullopt},
                      ParseCase{"2019-07-28T09:30:00+08:00x", std::nullopt},
                      ParseCase{"2019-07-28T09:3a:00Z", std::nullopt},
                      ParseCase{"+019-07-28T09:30:00Z", std::nullopt},
                      ParseCase{"2019-07-28T09:30:00UTC", std::nullopt}));

TEST(CstDay, UsesTheCalendarDayInUtcPlusEight) {
  EXPECT_EQ(format_day(cst_day(*parse_rfc3339("2019-07-28T23:30:00+08:00"))), "2019-07-28");
  EXPECT_EQ(format_day(cst_day(*parse_rfc3339("2019-07-28T16:30:00Z"))), "2019-07-29");
  EXPECT_EQ(format_day(cst_day(*parse_rfc3339("2019-07-28T15:59:59.999Z"))), "2019-07-28");
  EXPECT_EQ(format_day(cst_day(*parse_rfc3339("2019-07-28T11:00:00-05:00"))), "2019-07-29");
  EXPECT_EQ(format_day(cst_day(*parse_rfc3339("2019-07-28T10:59:59-05:00"))), "2019-07-28");
  EXPECT_EQ(format_day(cst_day(*parse_rfc3339("2019-07-28T21:45:00+05:45"))), "2019-07-29");
}

TEST(CstDay, FloorsForTimesBeforeTheEpoch) {
  EXPECT_EQ(cst_day(0), 0);
  EXPECT_EQ(cst_day(-8 * kHourMs), 0);
  EXPECT_EQ(cst_day(-8 * kHourMs - 1), -1);
  EXPECT_EQ(format_day(cst_day(-8 * kHourMs - 1)), "1969-12-31");
  EXPECT_EQ(cst_day(-30 * kDayMs - 8 * kHourMs - 1), -31);
}

TEST(FormatDay, RoundTripsThroughParseDay) {
  for (std::int32_t day = -800'000; day <= 800'000; day += 97) {
    const std::string text = format_day(day);
    if (day >= -719'528 && day < 2'932'897) {  // years 0000..9999 have four digits
      ASSERT_EQ(parse_day(text), day) << text;
    }
  }
  EXPECT_EQ(format_day(0), "1970-01-01");
  EXPECT_EQ(format_day(18105), "2019-07-28");
  EXPECT_EQ(format_day(-719'528), "0000-01-01");
}

TEST(ParseDay, IsStrict) {
  EXPECT_EQ(parse_day("2019-07-28"), 18105);
  EXPECT_EQ(parse_day("2020-02-29"), 18321);
  EXPECT_EQ(parse_day("2019-02-29"), std::nullopt);
  EXPECT_EQ(parse_day("2019-7-28"), std::nullopt);
  EXPECT_EQ(parse_day("2019-07-28T"), std::nullopt);
  EXPECT_EQ(parse_day("2019-07-28 "), std::nullopt);
  EXPECT_EQ(parse_day("2019/07/28"), std::nullopt);
  EXPECT_EQ(parse_day("20190728"), std::nullopt);
  EXPECT_EQ(parse_day(""), std::nullopt);
}

TEST(FormatRfc3339Cst, WritesUtcPlusEightWithMillisecondsWhenPresent) {
  EXPECT_EQ(format_rfc3339_cst(*parse_rfc3339("2019-07-28T09:30:00+08:00")),
            "2019-07-28T09:30:00+08:00");
  EXPECT_EQ(format_rfc3339_cst(*parse_rfc3339("2019-07-28T16:30:00.25Z")),
            "2019-07-29T00:30:00.250+08:00");
  EXPECT_EQ(format_rfc3339_cst(-1), "1970-01-01T07:59:59.999+08:00");
  EXPECT_EQ(format_rfc3339_cst(-8 * kHourMs - 1), "1969-12-31T23:59:59.999+08:00");
}

TEST(FormatRfc3339Cst, RoundTripsThroughParse) {
  for (std::int64_t ms = -5 * kDayMs; ms < 400 * 365 * kDayMs; ms += 7'777'777'777 + 13) {
    ASSERT_EQ(parse_rfc3339(format_rfc3339_cst(ms)), ms) << ms;
  }
}

TEST(CstMidnight, IsSixteenHundredUtcOfTheDayBefore) {
  EXPECT_EQ(cst_midnight_ms(2019, 7, 28), k20190728 - 8 * kHourMs);
  EXPECT_EQ(cst_midnight_ms(1970, 1, 1), -8 * kHourMs);
  EXPECT_EQ(cst_midnight_ms(2020, 3, 1) - cst_midnight_ms(2020, 2, 28), 2 * kDayMs);
  EXPECT_EQ(cst_day(cst_midnight_ms(2019, 7, 28)), 18105);
  EXPECT_EQ(cst_day(cst_midnight_ms(2019, 7, 28) - 1), 18104);
}

TEST(CstTimeOfDay, CountsFromCstMidnightForAnyInstant) {
  EXPECT_EQ(cst_time_of_day(cst_midnight_ms(2019, 7, 28)), 0);
  EXPECT_EQ(cst_time_of_day(k20190728), 8 * kHourMs);
  EXPECT_EQ(cst_time_of_day(-8 * kHourMs - 1), kDayMs - 1) << "before the epoch";
}

TEST(AppendCstTimestamp, WritesWholeSecondsAndAppends) {
  std::string out = "at=";
  append_cst_timestamp(k20190728 + 1234, out);
  EXPECT_EQ(out, "at=2019-07-28T08:00:01+08:00") << "milliseconds are dropped";
  out.clear();
  append_cst_timestamp(cst_midnight_ms(2019, 7, 28) - 1, out);
  EXPECT_EQ(out, "2019-07-27T23:59:59+08:00");
  for (std::int64_t ms = -3 * kDayMs; ms < 60 * 365 * kDayMs; ms += 7'777'777'000) {
    std::string text;
    append_cst_timestamp(ms, text);
    ASSERT_EQ(text, format_rfc3339_cst(ms)) << "whole seconds write the same as format_rfc3339_cst";
  }
}

TEST(AppendCstDate, WritesTheCstDay) {
  std::string out;
  append_cst_date(cst_midnight_ms(2019, 7, 28) - 1, out);
  out += ' ';
  append_cst_date(cst_midnight_ms(2019, 7, 28), out);
  EXPECT_EQ(out, "2019-07-27 2019-07-28");
  EXPECT_EQ(parse_day(out.substr(11)), cst_day(cst_midnight_ms(2019, 7, 28)));
}

}  // namespace
}  // namespace fp
