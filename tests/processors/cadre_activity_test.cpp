#include "processors/cadre_activity.h"

#include <gtest/gtest.h>

#include <map>

#include "core_fixture.h"
#include "model/civil_time.h"

namespace fp {
namespace {

constexpr std::int64_t kHour = 3600LL * 1000;
constexpr std::int64_t kDay = 24 * kHour;

class CadreActivityTest : public ::testing::Test {
 protected:
  std::shared_ptr<const Roster> roster_ = core_test::roster();
  CadreActivity activity_{*roster_};
  PartialActivity part_;

  CadreId id(const char* cadre_id) const { return *roster_->find_cadre(cadre_id); }
  void report(const char* cadre_id, std::int64_t at_ms) {
    activity_.add(part_, id(cadre_id), cst_day(at_ms), at_ms);
  }
  std::map<std::string, std::optional<std::int64_t>> silent(std::int64_t as_of, int days) const {
    std::map<std::string, std::optional<std::int64_t>> out;
    for (const SilentCadre& s : activity_.silent(as_of, days)) {
      out[roster_->cadre(s.cadre).cadre_id] = s.last_report_ms;
    }
    return out;
  }
};

TEST_F(CadreActivityTest, SilentMeansNoReportInTheHalfOpenIntervalEndingAtAsOf) {
  const std::int64_t t = core_test::kNowMs;
  const std::int64_t start = t - 7 * kDay;  // excluded; t itself is included
  report("S001", start - kHour);
  report("S001", start);
  report("S002", start + 1);
  report("S003", t);
  report("S004", t - 30 * kDay);
  report("S004", t + 1);  // after as_of: does not count, nor as last report
  report("D001", t - 3 * kDay);
  const auto s = silent(t, 7);
  ASSERT_EQ(s.size(), 3U);
  EXPECT_EQ(s.at("L001"), std::nullopt);
  EXPECT_EQ(s.at("S001"), std::optional<std::int64_t>(start));
  EXPECT_EQ(s.at("S004"), std::optional<std::int64_t>(t - 30 * kDay));
}

TEST_F(CadreActivityTest, ASameDaySpanAcrossTheIntervalStartCountsAsActive) {
  const std::int64_t t = core_test::kNowMs;
  const std::int64_t start = t - 2 * kDay;
  report("S001", start - kHour);
  report("S001", start + kHour);  // same CST day as the one before
  report("S002", start - kHour);
  const auto s = silent(t, 2);
  EXPECT_FALSE(s.contains("S001"));
  EXPECT_TRUE(s.contains("S002"));
}

TEST_F(CadreActivityTest, AsOfInThePastIgnoresLaterReports) {
  const std::int64_t t = core_test::kNowMs;
  report("S001", t - 10 * kDay);
  report("S001", t);
  EXPECT_TRUE(silent(t - 2 * kDay, 5).contains("S001"));
  EXPECT_EQ(silent(t - 2 * kDay, 5).at("S001"), std::optional<std::int64_t>(t - 10 * kDay));
  EXPECT_FALSE(silent(t - 2 * kDay, 9).contains("S001"));
}

TEST_F(CadreActivityTest, TracksLastReportAndReportingCount) {
  EXPECT_EQ(activity_.cadres_reporting(), 0U);
  report("S001", 5000 * kDay);
  report("S001", 4000 * kDay);  // late: not the last
  report("D001", 4500 * kDay);
  EXPECT_EQ(activity_.cadres_reporting(), 2U);
  EXPECT_EQ(activity_.last_report_ms(id("S001")), std::optional<std::int64_t>(5000 * kDay));
  EXPECT_EQ(activity_.last_report_ms(id("L001")), std::nullopt);
}

TEST_F(CadreActivityTest, CompletenessCountsCadresAttachedAnywhereInsideTheRegion) {
  const std::int64_t t = core_test::kNowMs;
  const std::int32_t day = cst_day(t);
  report("S001", t);
  report("D001", t - kHour);
  report("S004", t);
  report("L001", t - 2 * kDay);  // another day
  std::map<std::string, std::pair<std::size_t, std::size_t>> got;
  for (Level level : {Level::city, Level::county, Level::town, Level::village}) {
    for (const Completeness& c : activity_.completeness(level, day)) {
      got[roster_->region(c.region).code] = {c.reported, c.total};
    }
  }
  using P = std::pair<std::size_t, std::size_t>;
  EXPECT_EQ(got.size(), 10U);
  EXPECT_EQ(got["4408"], P(3, 6));
  EXPECT_EQ(got["440823"], P(2, 5));
  EXPECT_EQ(got["440881"], P(1, 1));
  EXPECT_EQ(got["440823105"], P(2, 3));
  EXPECT_EQ(got["440823106"], P(0, 1));
  EXPECT_EQ(got["440881101"], P(1, 1));
  EXPECT_EQ(got["440823105201"], P(1, 1));
  EXPECT_EQ(got["440823105202"], P(0, 1));
  EXPECT_EQ(got["440823106201"], P(0, 1));
  EXPECT_EQ(got["440881101201"], P(1, 1));
  // The other day has only the city leader.
  const auto other = activity_.completeness(Level::county, cst_day(t - 2 * kDay));
  ASSERT_EQ(other.size(), 2U);
  EXPECT_EQ(roster_->region(other[0].region).code, "440823");
  EXPECT_EQ(other[0].reported, 1U);
  EXPECT_EQ(other[1].reported, 0U);
}

TEST_F(CadreActivityTest, RebuildFromRemainingPartitionsForgetsADroppedOne) {
  PartialActivity other;
  activity_.add(other, id("S002"), 100, 100 * kDay);
  report("S001", 100 * kDay + 5);
  EXPECT_EQ(activity_.cadres_reporting(), 2U);
  activity_.rebuild({&part_});
  EXPECT_EQ(activity_.cadres_reporting(), 1U);
  EXPECT_EQ(activity_.last_report_ms(id("S002")), std::nullopt);
  EXPECT_EQ(activity_.last_report_ms(id("S001")), std::optional<std::int64_t>(100 * kDay + 5));
}

}  // namespace
}  // namespace fp
