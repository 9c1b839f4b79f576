#include "processors/core.h"

#include <gtest/gtest.h>

#include "core_fixture.h"

namespace fp {
namespace {

using core_test::make_core;
using core_test::metric;
using core_test::region;
using core_test::report;
using core_test::run;
using core_test::str;
using core_test::value;

constexpr const char* kAt = "2019-07-28T09:30:00+08:00";

TEST(ProcessingCore, EveryMessageGetsExactlyOneOutcome) {
  auto core = make_core();
  const auto r =
      run(*core, {
                     report("a1", "S001", "440823105201", "funds_raised", kAt, R"({"yuan":5})"),
                     "{not json",
                     report("a2", "S001", "440823105201", "funds_raised", kAt, R"({"yuan":2.5})"),
                     report("a1", "S001", "440823105201", "funds_raised", kAt, R"({"yuan":5})"),
                     report("a3", "S001", "449999999999", "funds_raised", kAt, R"({"yuan":1})"),
                 });
  EXPECT_EQ(r.accepted, 2U);
  EXPECT_EQ(r.duplicate, 1U);
  EXPECT_EQ(r.rejected, 2U);
  EXPECT_EQ(r.rejected_by_reason[static_cast<std::size_t>(Reason::malformed_json)], 1U);
  EXPECT_EQ(r.rejected_by_reason[static_cast<std::size_t>(Reason::unknown_village)], 1U);
  ASSERT_EQ(r.dead_letters.size(), 2U);
  EXPECT_EQ(r.dead_letters[0].index, 1U);
  EXPECT_EQ(r.dead_letters[1].index, 4U);
  EXPECT_EQ(r.dead_letters[1].rejection.reason, Reason::unknown_village);
  EXPECT_EQ(r.accepted_by_kind[*core->catalog().find("funds_raised")], 2U);

  const Summary s = core->summary();
  EXPECT_EQ(s.consumed, 5U);
  EXPECT_EQ(s.consumed, s.accepted + s.duplicate + s.rejected);
  EXPECT_EQ(s.cadres_total, 6U);
  EXPECT_EQ(s.cadres_reporting, 1U);
  ASSERT_EQ(s.city_totals.size(), 2U);
  EXPECT_EQ(core->metric_names()[s.city_totals[0].first], "funds_raised.count");
  EXPECT_EQ(str(s.city_totals[0].second), "2");
  EXPECT_EQ(core->metric_names()[s.city_totals[1].first], "funds_raised.yuan");
  EXPECT_EQ(str(s.city_totals[1].second), "7.5");
}

TEST(ProcessingCore, TheFirstAcceptedWinsAndAChangedResendIsADuplicate) {
  auto core = make_core();
  run(*core, {report("b1", "S001", "440823105201", "funds_raised", kAt, R"({"yuan":5})")});
  const auto r =
      run(*core, {report("b1", "S002", "440823105201", "funds_raised", kAt, R"({"yuan":9})")});
  EXPECT_EQ(r.duplicate, 1U);
  EXPECT_TRUE(r.changes.empty());
  EXPECT_EQ(str(value(*core, Level::city, 0, metric(*core, "funds_raised.yuan"))), "5");
}

TEST(ProcessingCore, ARejectedMessageDoesNotClaimItsReportId) {
  auto core = make_core();
  const auto r =
      run(*core, {
                     report("c1", "S001", "440823105201", "funds_raised", kAt, R"({"yuan":-1})"),
                     report("c1", "S001", "440823105201", "funds_raised", kAt, R"({"yuan":1})"),
                 });
  EXPECT_EQ(r.rejected, 1U);
  EXPECT_EQ(r.accepted, 1U);
}

TEST(ProcessingCore, TheSameIdInAnotherVillageOrPartitionIsNew) {
  auto core = make_core();
  const auto id = report("d1", "S001", "440823105201", "funds_raised", kAt, R"({"yuan":1})");
  EXPECT_EQ(run(*core, {id}, 0).accepted, 1U);
  EXPECT_EQ(run(*core, {report("d1", "S002", "440823105202", "funds_raised", kAt, R"({"yuan":1})")})
                .accepted,
            1U);
  // Dedupe state lives with the partition (reports are keyed by village, so a
  // resend arrives on the same partition).
  EXPECT_EQ(run(*core, {id}, 3).accepted, 1U);
  EXPECT_EQ(run(*core, {id}, 3).duplicate, 1U);
  EXPECT_EQ(core->summary().accepted, 3U);
}

TEST(ProcessingCore, ChangesCarryNewGlobalValues) {
  auto core = make_core();
  run(*core, {report("e1", "S004", "440881101201", "funds_raised", kAt, R"({"yuan":1})")}, 1);
  const auto r =
      run(*core, {report("e2", "S001", "440823105201", "funds_raised", kAt, R"({"yuan":2})")}, 0);
  // 5 levels x 2 windows x (count + yuan)
  EXPECT_EQ(r.changes.size(), 20U);
  bool saw_city = false;
  for (const ProgressChange& c : r.changes) {
    if (c.key.level == Level::city && c.key.window == kTotalWindow &&
        c.key.metric == metric(*core, "funds_raised.yuan")) {
      EXPECT_EQ(str(c.value.value), "3");
      EXPECT_EQ(c.value.reports, 2);
      saw_city = true;
    }
  }
  EXPECT_TRUE(saw_city);
}

TEST(ProcessingCore, ProgressRangeReturnsOneRowPerDayWithData) {
  auto core = make_core();
  run(*core, {
                 report("f1", "S001", "440823105201", "produce_sold", "2019-07-27T23:59:59+08:00",
                        R"({"jin":10})"),
                 report("f2", "S001", "440823105201", "produce_sold", "2019-07-27T16:00:00Z",
                        R"({"jin":1})"),  // 2019-07-28 00:00 CST
                 report("f3", "S002", "440823105202", "produce_sold", "2019-07-30T08:00:00+08:00",
                        R"({"jin":100,"yuan":0.001})"),
             });
  ProgressQuery q;
  q.level = Level::county;
  q.entity = region(*core, "440823");
  q.metric = metric(*core, "produce_sold.jin");
  q.from_window = *parse_day("2019-07-27");
  q.to_window = *parse_day("2019-07-30");
  const auto rows = core->progress(q);
  ASSERT_EQ(rows.size(), 3U);
  EXPECT_EQ(format_day(rows[0].key.window), "2019-07-27");
  EXPECT_EQ(str(rows[0].value.value), "10");
  EXPECT_EQ(format_day(rows[1].key.window), "2019-07-28");
  EXPECT_EQ(str(rows[1].value.value), "1");
  EXPECT_EQ(format_day(rows[2].key.window), "2019-07-30");
  EXPECT_EQ(rows[2].value.reports, 1);

  q.from_window = q.to_window = *parse_day("2019-07-29");
  EXPECT_TRUE(core->progress(q).empty());

  // Every metric of every village, total window.
  ProgressQuery all;
  all.level = Level::village;
  const auto village_rows = core->progress(all);
  ASSERT_EQ(village_rows.size(), 6U);  // 2 villages x (count, jin, yuan)
  EXPECT_EQ(village_rows[0].key.entity, region(*core, "440823105201"));
  EXPECT_EQ(str(village_rows[0].value.value), "2");  // produce_sold.count
  EXPECT_EQ(str(village_rows[5].value.value), "0.001");
}

TEST(ProcessingCore, CadreQueriesGoThroughTheCore) {
  auto core = make_core();
  run(*core,
      {report("g1", "S001", "440823105201", "household_visit", "2019-07-31T10:00:00+08:00")});
  const auto silent = core->silent_cadres(core_test::kNowMs, 3);
  EXPECT_EQ(silent.size(), 5U);
  const auto c = core->completeness(Level::town, *parse_day("2019-07-31"));
  ASSERT_EQ(c.size(), 3U);
  EXPECT_EQ(c[0].reported, 1U);
  EXPECT_EQ(c[0].total, 3U);
  EXPECT_EQ(core->last_report_ms(core_test::cadre(*core, "S001")),
            parse_rfc3339("2019-07-31T10:00:00+08:00"));
  EXPECT_EQ(str(value(*core, Level::cadre, core_test::cadre(*core, "S001"),
                      metric(*core, "household_visit.households"))),
            "1");  // the catalog default
}

TEST(ProcessingCore, BatchResultIsReusedAcrossBatches) {
  auto core = make_core();
  std::vector<RawMessage> batch(1);
  const std::string bad = "[]";
  batch[0].payload = bad;
  BatchResult r;
  core->process(batch, r);
  core->process(batch, r);
  EXPECT_EQ(r.rejected, 1U);
  EXPECT_EQ(r.dead_letters.size(), 1U);
  EXPECT_EQ(core->summary().rejected, 2U);
}

}  // namespace
}  // namespace fp
