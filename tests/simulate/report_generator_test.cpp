// The simulator's reports against the real ReportReader with the shipped catalog and roster.
#include "simulate/report_generator.h"

#include <gtest/gtest.h>

#include <array>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "model/civil_time.h"
#include "processors/report_reader.h"
#include "tests/simulate/shipped_data.h"

namespace fp {
namespace {

using simulate_test::at;
using simulate_test::catalog;
using simulate_test::kDayMs;
using simulate_test::kHourMs;
using simulate_test::roster;

SimulationOptions options(std::uint64_t seed, double bad = 0, double dup = 0) {
  SimulationOptions o;
  o.seed = seed;
  o.now_ms = at("2019-07-28T12:00:00+08:00");
  o.bad_ppm = static_cast<std::uint32_t>(bad * 1e6);
  o.dup_ppm = static_cast<std::uint32_t>(dup * 1e6);
  return o;
}

struct Generated {
  std::string line;
  ReportMeta meta;
};

std::vector<Generated> generate(const SimulationOptions& o, std::size_t n) {
  ReportGenerator generator(catalog(), roster(), o);
  std::vector<Generated> out(n);
  for (auto& g : out) generator.next(g.line, g.meta);
  return out;
}

// Reads reports with the processing clock at the simulated now.
class Reader {
 public:
  explicit Reader(std::int64_t now_ms)
      : reader_(catalog(), roster(), CoreOptions{}, [now_ms] { return now_ms; }) {}

  bool read(const std::string& line) { return reader_.read(line, report, why); }

  Report report;
  Rejection why;

 private:
  ReportReader reader_;
};

TEST(ReportGeneratorTest, SameSeedAndStartGiveTheSameBytes) {
  const auto a = generate(options(7, 0.1, 0.1), 5000);
  const auto b = generate(options(7, 0.1, 0.1), 5000);
  for (std::size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i].line, b[i].line) << "report " << i;
}

TEST(ReportGeneratorTest, AnotherSeedGivesOtherReports) {
  const auto a = generate(options(7), 1000);
  const auto b = generate(options(8), 1000);
  std::size_t same = 0;
  for (std::size_t i = 0; i < a.size(); ++i) same += a[i].line == b[i].line ? 1 : 0;
  EXPECT_EQ(same, 0U);
}

TEST(ReportGeneratorTest, AnotherStartGivesOtherReportIds) {
  SimulationOptions later = options(7);
  later.now_ms += kDayMs;
  const auto a = generate(options(7), 1000);
  const auto b = generate(later, 1000);
  std::set<std::string> ids;
  for (const auto& g : a) ids.insert(g.meta.report_id);
  for (const auto& g : b) EXPECT_EQ(ids.count(g.meta.report_id), 0U) << g.meta.report_id;
}

TEST(ReportGeneratorTest, EveryValidReportIsAcceptedAndComesFromItsCadresRegion) {
  const SimulationOptions o = options(3);
  const auto reports = generate(o, 20000);
  Reader reader(o.now_ms);
  std::set<std::pair<std::string, std::string>> keys;
  for (const auto& g : reports) {
    ASSERT_EQ(g.meta.intent, ReportIntent::valid);
    ASSERT_TRUE(reader.read(g.line))
        << to_string(reader.why.reason) << ": " << reader.why.detail << "\n"
        << g.line;
    const Report& r = reader.report;
    EXPECT_EQ(r.kind, g.meta.kind.value());
    EXPECT_EQ(roster().region(r.village).code, g.meta.key);
    EXPECT_TRUE(roster().is_within(r.village, roster().cadre(r.cadre).region)) << g.line;
    EXPECT_LE(r.at_ms, o.now_ms);
    EXPECT_TRUE(keys.emplace(g.meta.key, g.meta.report_id).second) << "repeated id: " << g.line;
    EXPECT_EQ(g.line.find('\n'), std::string::npos);
  }
}

TEST(ReportGeneratorTest, EventTimesAreMostlyRecentWorkingHoursWithSomeLateArrivals) {
  const SimulationOptions o = options(4);
  const auto reports = generate(o, 20000);
  Reader reader(o.now_ms);
  std::size_t working_hours = 0, late = 0;
  for (const auto& g : reports) {
    ASSERT_TRUE(reader.read(g.line)) << g.line;
    const std::int64_t time_of_day = (reader.report.at_ms + 8 * kHourMs) % kDayMs;
    working_hours += time_of_day >= 8 * kHourMs && time_of_day < 20 * kHourMs ? 1 : 0;
    late += reader.report.at_ms < o.now_ms - 3 * kDayMs ? 1 : 0;
    EXPECT_GT(reader.report.at_ms, o.now_ms - 32 * kDayMs);
    EXPECT_NE(g.line.find("+08:00\""), std::string::npos);
  }
  EXPECT_GT(working_hours, reports.size() * 90 / 100);
  EXPECT_GT(late, reports.size() / 100);  // a few percent are days or weeks late
  EXPECT_LT(late, reports.size() * 10 / 100);
}

TEST(ReportGeneratorTest, KindMixFollowsTheProgrammeFigures) {
  const SimulationOptions o = options(5);
  const std::size_t n = 40000;
  const auto reports = generate(o, n);
  std::map<std::string, std::size_t> by_kind;
  for (const auto& g : reports) ++by_kind[catalog().kind(*g.meta.kind).name];
  // Frequent: visits and diaries; then projects, disputes, produce; rare: landings, studios.
  EXPECT_GT(by_kind["household_visit"], n * 40 / 100);
  EXPECT_LT(by_kind["household_visit"], n * 62 / 100);
  EXPECT_GT(by_kind["diary_entry"], n * 32 / 100);
  EXPECT_LT(by_kind["diary_entry"], n * 52 / 100);
  EXPECT_GT(by_kind["project_introduced"], by_kind["research_report"]);
  EXPECT_GT(by_kind["research_report"], by_kind["sage_studio_founded"]);
  EXPECT_GT(by_kind["funds_mobilized"], by_kind["funds_raised"]);
  EXPECT_LT(by_kind["sage_studio_founded"], n / 500);
  for (const Kind& kind : catalog().kinds()) EXPECT_GT(by_kind[kind.name], 0U) << kind.name;
}

TEST(ReportGeneratorTest, ValuesHaveTheirUnitsPrecisionAndCrops) {
  const SimulationOptions o = options(6);
  const auto reports = generate(o, 30000);
  Reader reader(o.now_ms);
  const KindId produce = catalog().find("produce_sold").value();
  const KindId raised = catalog().find("funds_raised").value();
  std::size_t produce_with_crop = 0, produce_count = 0;
  for (const auto& g : reports) {
    ASSERT_TRUE(reader.read(g.line)) << g.line;
    const Report& r = reader.report;
    if (r.kind == raised) {
      EXPECT_EQ(r.values[0].milli % 10, 0) << "yuan has at most 2 decimals: " << g.line;
      EXPECT_GE(r.values[0].milli, 2000 * Decimal::kScale);
    }
    if (r.kind == produce) {
      ++produce_count;
      produce_with_crop += g.line.find("\"tags\":{\"crop\":\"") != std::string::npos ? 1 : 0;
      EXPECT_GT(r.values[0].milli, 0) << g.line;  // jin
      EXPECT_GT(r.values[1].milli, 0) << g.line;  // yuan
    }
  }
  EXPECT_GT(produce_count, 0U);
  EXPECT_GT(produce_with_crop, produce_count * 80 / 100);
}

TEST(ReportGeneratorTest, EveryBadReportIsRejectedWithItsIntendedReason) {
  const SimulationOptions o = options(9, 1.0);
  const auto reports = generate(o, 6000);
  Reader reader(o.now_ms);
  std::array<std::size_t, kReasonCount> seen{};
  for (const auto& g : reports) {
    ASSERT_EQ(g.meta.intent, ReportIntent::bad);
    EXPECT_FALSE(reader.read(g.line)) << "accepted: " << g.line.substr(0, 300);
    EXPECT_EQ(reader.why.reason, g.meta.reason)
        << "wanted " << to_string(g.meta.reason) << ", got " << to_string(reader.why.reason) << " ("
        << reader.why.detail << "): " << g.line.substr(0, 300);
    ++seen[static_cast<std::size_t>(g.meta.reason)];
  }
  for (std::size_t i = 0; i < kReasonCount; ++i) {
    EXPECT_GT(seen[i], 100U) << kReasonNames[i];
  }
}

TEST(ReportGeneratorTest, BadFractionIsRoughlyAsAsked) {
  const auto reports = generate(options(10, 0.05), 20000);
  std::size_t bad = 0;
  for (const auto& g : reports) bad += g.meta.intent == ReportIntent::bad ? 1 : 0;
  EXPECT_GT(bad, 700U);
  EXPECT_LT(bad, 1300U);
}

TEST(ReportGeneratorTest, ResendsRepeatAnEarlierVillageAndReportId) {
  const SimulationOptions o = options(11, 0.05, 0.2);
  const auto reports = generate(o, 20000);
  Reader reader(o.now_ms);
  std::map<std::pair<std::string, std::string>, std::string> first_lines;
  std::size_t identical = 0, changed = 0;
  for (const auto& g : reports) {
    const auto key = std::make_pair(g.meta.key, g.meta.report_id);
    if (g.meta.intent == ReportIntent::bad) continue;
    ASSERT_TRUE(reader.read(g.line)) << "a resend must be valid too: " << g.line;
    if (g.meta.intent == ReportIntent::valid) {
      EXPECT_TRUE(first_lines.emplace(key, g.line).second) << g.line;
      continue;
    }
    const auto original = first_lines.find(key);
    ASSERT_NE(original, first_lines.end()) << "resend of nothing earlier: " << g.line;
    EXPECT_EQ(roster().region(reader.report.village).code, g.meta.key);
    if (g.meta.identical) {
      EXPECT_EQ(g.line, original->second);
      ++identical;
    } else {
      EXPECT_NE(g.line, original->second);
      ++changed;
    }
  }
  EXPECT_GT(identical, 1000U);
  EXPECT_GT(changed, 1000U);
}

TEST(ReportGeneratorTest, TheClockAdvancesByItsStepAndCanBeMoved) {
  SimulationOptions o = options(12);
  o.step_us = 1'000'000;  // one report per simulated second
  ReportGenerator generator(catalog(), roster(), o);
  std::string line;
  for (int i = 0; i < 3600; ++i) generator.next(line);
  EXPECT_EQ(generator.now_ms(), o.now_ms + kHourMs);
  EXPECT_EQ(generator.generated(), 3600U);
  const std::int64_t moved = at("2020-01-06T09:00:00+08:00");
  generator.set_now(moved);
  EXPECT_EQ(generator.now_ms(), moved);
  generator.next(line);
  EXPECT_EQ(generator.now_ms(), moved + 1000);
  Reader reader(moved + 1000);
  ASSERT_TRUE(reader.read(line)) << line;
  EXPECT_GT(reader.report.at_ms, moved - 32 * kDayMs);
}

TEST(ReportGeneratorTest, RejectsOptionsOutOfRange) {
  SimulationOptions early = options(1);
  early.now_ms = at("2018-05-01T12:00:00+08:00");
  EXPECT_THROW(ReportGenerator(catalog(), roster(), early), std::invalid_argument);
  EXPECT_THROW(ReportGenerator(catalog(), roster(), options(1, 0.6, 0.6)), std::invalid_argument);
}

}  // namespace
}  // namespace fp
