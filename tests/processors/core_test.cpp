#include "processors/core.h"

#include <gtest/gtest.h>

#include <span>
#include <string>
#include <vector>

#include "core_fixture.h"

namespace fp {
namespace {

using core_test::cadre;
using core_test::changes_of;
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
  EXPECT_TRUE(r.moved_blocks.empty());
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
  const std::vector<ProgressChange> changes = changes_of(*core, r);
  EXPECT_EQ(changes.size(), 20U);
  bool saw_city = false;
  for (const ProgressChange& c : changes) {
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

// The core works through a batch in runs of reports, stage by stage; the outcome
// must equal handing it the same messages one at a time. The batch spans several
// runs, mixes rejects and resends, and brings in a second partition halfway through
// a run (so the aggregator leaves its single-partition layout mid-batch).
TEST(ProcessingCore, ABatchEqualsItsMessagesOneByOne) {
  const char* villages[] = {"440823105201", "440823105202", "440823106201", "440881101201"};
  const char* cadres[] = {"S001", "S002", "S003", "S004", "D001", "L001"};
  const char* kinds[] = {"funds_raised", "produce_sold", "household_visit"};
  const char* values[] = {R"({"yuan":1.5})", R"({"jin":3,"yuan":2.25})", "{}"};
  std::vector<std::string> payloads;
  std::vector<std::int32_t> partitions;
  for (int i = 0; i < 150; ++i) {
    const auto n = static_cast<std::size_t>(i);
    if (i % 20 == 19) {  // a resend of an earlier report, on its partition
      payloads.push_back(payloads[n - 8]);
      partitions.push_back(partitions[n - 8]);
      continue;
    }
    const int k = i % 3;
    const std::string id = "r" + std::to_string(i);
    const std::string at =
        "2019-07-" + std::to_string(20 + i % 7) + "T0" + std::to_string(i % 10) + ":00:00+08:00";
    std::string payload = report(id, cadres[i % 6], villages[(i / 3) % 4], kinds[k], at, values[k]);
    if (i % 17 == 5) payload = "{broken";
    if (i % 23 == 11) payload = report(id, "S999", villages[0], kinds[k], kAt, values[k]);
    payloads.push_back(payload);
    partitions.push_back(i < 45 ? 0 : (i % 2 == 0 ? 0 : 2));
  }
  std::vector<RawMessage> batch;
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    RawMessage m;
    m.payload = payloads[i];
    m.partition = partitions[i];
    m.offset = static_cast<std::int64_t>(i);
    batch.push_back(m);
  }
  auto whole = make_core();
  BatchResult together;
  whole->process(batch, together);

  auto single = make_core();
  BatchResult one;
  std::size_t accepted = 0, duplicate = 0, rejected = 0;
  for (const RawMessage& m : batch) {
    single->process(std::span(&m, 1), one);
    accepted += one.accepted;
    duplicate += one.duplicate;
    rejected += one.rejected;
  }
  EXPECT_EQ(together.accepted, accepted);
  EXPECT_EQ(together.duplicate, duplicate);
  EXPECT_EQ(together.rejected, rejected);
  EXPECT_GT(duplicate, 0U);
  EXPECT_GT(rejected, 0U);

  const Summary a = whole->summary(), b = single->summary();
  EXPECT_EQ(a.accepted, b.accepted);
  EXPECT_EQ(a.cadres_reporting, b.cadres_reporting);
  EXPECT_EQ(a.city_totals, b.city_totals);
  for (const Level level :
       {Level::city, Level::county, Level::town, Level::village, Level::cadre}) {
    for (const bool daily : {false, true}) {
      ProgressQuery q;
      q.level = level;
      if (daily) {
        q.from_window = 18000;
        q.to_window = 18200;
      }
      const auto rows_a = whole->progress(q), rows_b = single->progress(q);
      ASSERT_EQ(rows_a.size(), rows_b.size());
      for (std::size_t i = 0; i < rows_a.size(); ++i) {
        EXPECT_EQ(rows_a[i].key, rows_b[i].key);
        EXPECT_EQ(rows_a[i].value.value, rows_b[i].value.value);
        EXPECT_EQ(rows_a[i].value.reports, rows_b[i].value.reports);
      }
    }
  }
  // The batch's moved blocks: each key once, with the final global value.
  const std::vector<ProgressChange> changes = changes_of(*whole, together);
  std::size_t matched = 0;
  for (const ProgressChange& c : changes) {
    EXPECT_EQ(value(*whole, c.key.level, c.key.entity, c.key.metric, c.key.window), c.value.value);
    ++matched;
  }
  for (std::size_t i = 0; i < changes.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) EXPECT_FALSE(changes[i].key == changes[j].key);
  }
  EXPECT_GT(matched, 0U);
  for (const CadreId c : {cadre(*whole, "S001"), cadre(*whole, "S004"), cadre(*whole, "L001")}) {
    EXPECT_EQ(whole->last_report_ms(c), single->last_report_ms(c));
  }
}

}  // namespace
}  // namespace fp
