// The simulator's history mode: reports spread over a period of days with the
// programme's rhythm, in event-time order with a few late, all valid for the reader.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/civil_time.h"
#include "processors/report_reader.h"
#include "simulate/history_clock.h"
#include "simulate/report_generator.h"
#include "tests/simulate/shipped_data.h"

namespace fp {
namespace {

using simulate_test::at;
using simulate_test::catalog;
using simulate_test::kDayMs;
using simulate_test::kHourMs;
using simulate_test::roster;

// 2019-03-04 (a Monday) .. 2019-04-28 (a Sunday): 8 whole weeks.
const std::int64_t kFrom = at("2019-03-04T00:00:00+08:00");
const std::int64_t kTo = at("2019-04-29T00:00:00+08:00");
const std::int64_t kNow = at("2019-07-28T12:00:00+08:00");

SimulationOptions history_options(std::uint64_t seed, std::uint64_t reports,
                                  std::uint32_t late_ppm = 30'000) {
  SimulationOptions o;
  o.seed = seed;
  o.now_ms = kNow;
  o.history = SimulationOptions::History{kFrom, kTo, reports, late_ppm};
  return o;
}

// Each report's event time, as the real reader parses it (every report must be valid).
std::vector<std::int64_t> event_times(const SimulationOptions& o, std::vector<CadreId>* cadres) {
  ReportGenerator generator(catalog(), roster(), o);
  ReportReader reader(catalog(), roster(), CoreOptions{}, [] { return kNow; });
  Report report;
  Rejection why;
  std::vector<std::int64_t> times;
  std::string line;
  for (std::uint64_t i = 0; i < o.history->reports; ++i) {
    generator.next(line);
    EXPECT_TRUE(reader.read(line, report, why)) << why.detail << ": " << line;
    times.push_back(report.at_ms);
    if (cadres != nullptr) cadres->push_back(report.cadre);
  }
  return times;
}

std::int64_t day_of(std::int64_t ms) { return (ms - kFrom) / kDayMs; }

TEST(SimulatedHistory, EveryDayOfThePeriodGetsReportsAndNoneFallsOutside) {
  const auto times = event_times(history_options(1, 20'000), nullptr);
  std::map<std::int64_t, std::size_t> per_day;
  for (const std::int64_t t : times) {
    ASSERT_GE(t, kFrom);
    ASSERT_LT(t, kTo);
    ++per_day[day_of(t)];
  }
  EXPECT_EQ(per_day.size(), 56U);
}

TEST(SimulatedHistory, WeekendDaysAverageFewerReportsThanWeekdays) {
  const auto times = event_times(history_options(2, 20'000), nullptr);
  std::size_t weekday = 0, weekend = 0, working_hours = 0;
  for (const std::int64_t t : times) {
    const int wd = sim::cst_weekday(t);
    (wd == 0 || wd == 6 ? weekend : weekday) += 1;
    const std::int64_t hour = (t - kFrom) % kDayMs / kHourMs;
    working_hours += hour >= 8 && hour < 18 ? 1 : 0;
  }
  // 40 weekdays and 16 weekend days: compare the averages per day.
  EXPECT_LT(weekend / 16 * 2, weekday / 40) << weekend << " on weekends, " << weekday;
  EXPECT_GT(weekend, 0U);
  EXPECT_GT(working_hours, times.size() * 75 / 100);
}

TEST(SimulatedHistory, InEventTimeOrderExceptAFewPercentLate) {
  const auto times = event_times(history_options(3, 40'000), nullptr);
  std::int64_t position = 0;  // the newest event time so far: the stream position
  std::size_t late = 0;
  for (const std::int64_t t : times) {
    if (t < position) {
      ++late;
      // A phone offline for days or weeks: a previous day, not minutes back.
      EXPECT_LT(t, position - cst_time_of_day(position)) << "late by less than a day";
      EXPECT_GE(t, position - 31 * kDayMs);
    }
    position = std::max(position, t);
  }
  // Asked for 3%: 1,200 of 40,000 (a late draw in the first day is sent on time).
  EXPECT_GT(late, 1000U);
  EXPECT_LT(late, 1400U);
}

TEST(SimulatedHistory, TheLateFractionIsConfigurable) {
  const auto none = event_times(history_options(4, 5'000, 0), nullptr);
  EXPECT_TRUE(std::is_sorted(none.begin(), none.end()));
  const auto many = event_times(history_options(4, 5'000, 200'000), nullptr);
  std::int64_t position = 0;
  std::size_t late = 0;
  for (const std::int64_t t : many) {
    late += t < position ? 1 : 0;
    position = std::max(position, t);
  }
  EXPECT_GT(late, 850U);
  EXPECT_LT(late, 1150U);
}

TEST(SimulatedHistory, TheWholeRosterReportsInBothHalvesOfThePeriod) {
  std::vector<CadreId> cadres;
  const auto times = event_times(history_options(5, 120'000), &cadres);
  std::set<CadreId> first_half, second_half;
  const std::int64_t middle = kFrom + (kTo - kFrom) / 2;
  for (std::size_t i = 0; i < times.size(); ++i) {
    (times[i] < middle ? first_half : second_half).insert(cadres[i]);
  }
  EXPECT_EQ(first_half.size(), roster().cadres().size());
  EXPECT_EQ(second_half.size(), roster().cadres().size());
}

TEST(SimulatedHistory, TheSameSeedGivesTheSameBytesWhateverTheProcessingClock) {
  SimulationOptions a = history_options(6, 3'000);
  SimulationOptions b = a;
  b.now_ms += 40 * kDayMs;  // only future_timestamp malformations depend on it
  ReportGenerator ga(catalog(), roster(), a), gb(catalog(), roster(), b);
  SimulationOptions other = history_options(7, 3'000);
  ReportGenerator go(catalog(), roster(), other);
  std::string la, lb, lo;
  std::size_t same_as_other = 0;
  for (int i = 0; i < 3'000; ++i) {
    ga.next(la);
    gb.next(lb);
    go.next(lo);
    ASSERT_EQ(la, lb) << "report " << i;
    same_as_other += la == lo ? 1 : 0;
  }
  EXPECT_EQ(same_as_other, 0U);
}

TEST(SimulatedHistory, BadReportsKeepTheirIntendedReasons) {
  SimulationOptions o = history_options(8, 3'000);
  o.bad_ppm = 1'000'000;
  ReportGenerator generator(catalog(), roster(), o);
  ReportReader reader(catalog(), roster(), CoreOptions{}, [] { return kNow; });
  Report report;
  Rejection why;
  std::string line;
  ReportMeta meta;
  for (int i = 0; i < 3'000; ++i) {
    generator.next(line, meta);
    ASSERT_FALSE(reader.read(line, report, why)) << line;
    EXPECT_EQ(why.reason, meta.reason) << why.detail;
  }
}

TEST(SimulatedHistory, RefusesAPeriodTheValidatorWouldReject) {
  SimulationOptions early = history_options(9, 10);
  early.history->from_ms = at("2018-04-30T00:00:00+08:00");
  EXPECT_THROW(ReportGenerator(catalog(), roster(), early), std::invalid_argument);
  SimulationOptions future = history_options(9, 10);
  future.history->to_ms = kNow - cst_time_of_day(kNow) + 2 * kDayMs;
  EXPECT_THROW(ReportGenerator(catalog(), roster(), future), std::invalid_argument);
  SimulationOptions empty = history_options(9, 10);
  empty.history->to_ms = empty.history->from_ms;
  EXPECT_THROW(ReportGenerator(catalog(), roster(), empty), std::invalid_argument);
}

TEST(HistoryClock, PositionsRiseAndFillThePeriod) {
  const sim::HistoryClock clock(kFrom, kTo, 1000);
  std::int64_t previous = 0;
  for (std::uint64_t i = 0; i < 1000; ++i) {
    const std::int64_t p = clock.position(i, 0xFFFFFFFFU);
    EXPECT_GE(p, std::max(previous, kFrom));
    EXPECT_LT(p, kTo);
    EXPECT_LE(clock.position(i, 0), p);
    previous = p;
  }
  EXPECT_EQ(clock.position(5000, 0), kTo - 1);
  EXPECT_EQ(sim::cst_weekday(kFrom), 1);  // a Monday
}

}  // namespace
}  // namespace fp
