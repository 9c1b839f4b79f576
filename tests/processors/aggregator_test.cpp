#include "processors/aggregator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <tuple>

#include "core_fixture.h"

namespace fp {
namespace {

using core_test::catalog;
using core_test::roster;

void expect_each_key_once(const std::vector<ProgressChange>& changes) {
  std::set<std::tuple<int, std::uint32_t, MetricId, std::int32_t>> seen;
  for (const ProgressChange& c : changes) {
    EXPECT_TRUE(
        seen.insert({static_cast<int>(c.key.level), c.key.entity, c.key.metric, c.key.window})
            .second);
  }
}

// Every city-level change of `yuan` (total and day windows) carries these figures.
void expect_city_funds_raised(const std::vector<ProgressChange>& changes, MetricId yuan,
                              const std::string& value, std::int64_t reports) {
  int seen = 0;
  for (const ProgressChange& c : changes) {
    if (c.key.level == Level::city && c.key.metric == yuan) {
      EXPECT_EQ(c.value.value.to_string(), value);
      EXPECT_EQ(c.value.reports, reports);
      ++seen;
    }
  }
  EXPECT_EQ(seen, 2);  // total and the day
}

class AggregatorTest : public ::testing::Test {
 protected:
  std::shared_ptr<const Catalog> catalog_ = catalog();
  std::shared_ptr<const Roster> roster_ = roster();
  Aggregator agg_{*catalog_, *roster_};
  PartialAggregates part_;
  std::vector<std::uint64_t> blocks_;  // distinct moved blocks, from changes()

  // The batch's moved blocks, each once, expanded to their keys' global values.
  std::vector<ProgressChange> changes() {
    std::vector<std::uint64_t> moved;
    agg_.collect_moved(moved);
    blocks_.clear();
    for (const std::uint64_t block : moved) {
      if (std::find(blocks_.begin(), blocks_.end(), block) == blocks_.end()) {
        blocks_.push_back(block);
      }
    }
    std::vector<ProgressChange> out;
    for (const std::uint64_t block : blocks_) agg_.block_changes(block, out);
    return out;
  }

  Report make(const char* kind, const char* village, const char* cadre, std::int32_t day,
              std::vector<std::int64_t> milli) {
    Report r;
    r.kind = *catalog_->find(kind);
    r.village = *roster_->find_village(village);
    r.cadre = *roster_->find_cadre(cadre);
    r.cst_day = day;
    r.at_ms = static_cast<std::int64_t>(day) * 86400000LL;
    for (std::size_t i = 0; i < milli.size(); ++i) r.values[i].milli = milli[i];
    return r;
  }

  MetricId metric(std::string_view name) const {
    const auto names = catalog_->metric_names();
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i] == name) return static_cast<MetricId>(i);
    }
    throw std::invalid_argument(std::string(name));
  }

  DecimalSum cell(Level level, std::uint32_t entity, MetricId m, std::int32_t window) const {
    ProgressQuery q;
    q.level = level;
    q.entity = entity;
    q.metric = m;
    q.from_window = q.to_window = window;
    std::vector<ProgressRow> rows;
    agg_.query(q, rows);
    return rows.empty() ? DecimalSum{} : rows[0].value.value;
  }

  std::vector<RegionId> regions_of(Level level) const {
    std::vector<RegionId> out;
    for (RegionId r = 0; r < roster_->regions().size(); ++r) {
      if (roster_->region(r).level == level) out.push_back(r);
    }
    return out;
  }
};

TEST_F(AggregatorTest, AMillionTenthsSumToExactlyOneHundredThousand) {
  const Report r = make("funds_raised", "440823105201", "S001", 18000, {100});
  for (int batch = 0; batch < 1000; ++batch) {
    agg_.begin_batch();
    for (int i = 0; i < 1000; ++i) agg_.add(part_, r);
  }
  const MetricId yuan = metric("funds_raised.yuan");
  EXPECT_EQ(cell(Level::city, roster_->city(), yuan, kTotalWindow).to_string(), "100000");
  EXPECT_EQ(cell(Level::village, r.village, yuan, 18000).to_string(), "100000");
  EXPECT_EQ(cell(Level::cadre, r.cadre, yuan, kTotalWindow).to_string(), "100000");
  EXPECT_EQ(
      cell(Level::city, roster_->city(), metric("funds_raised.count"), kTotalWindow).to_string(),
      "1000000");
}

// Independent reference: (level, entity, metric, window) -> exact sum, built from
// the roster's codes without the aggregator's keys or blocks.
using RefKey = std::tuple<int, std::uint32_t, std::string, std::int32_t>;

TEST_F(AggregatorTest, RandomDecimalStreamsMatchAReferenceSumAtEveryLevelAndDay) {
  std::mt19937_64 rng(42);
  const std::vector<const char*> villages = {"440823105201", "440823105202", "440823106201",
                                             "440881101201"};
  const std::vector<const char*> cadres = {"L001", "D001", "S001", "S002", "S003", "S004"};
  std::map<RefKey, Int128> ref;
  const auto bump = [&ref](Level l, std::uint32_t e, const std::string& m, std::int32_t day,
                           Int128 v) {
    ref[{static_cast<int>(l), e, m, kTotalWindow}] += v;
    ref[{static_cast<int>(l), e, m, day}] += v;
  };
  for (int batch = 0; batch < 50; ++batch) {
    agg_.begin_batch();
    for (int i = 0; i < 400; ++i) {
      const bool produce = rng() % 2 == 0;
      const char* village = villages[rng() % villages.size()];
      const char* cadre_id = cadres[rng() % cadres.size()];
      const auto day = static_cast<std::int32_t>(17700 + rng() % 30);
      // Up to 1e12 with three decimals, skewed toward small values.
      const auto v1 =
          static_cast<std::int64_t>(rng() % (rng() % 2 ? 1000000 : Decimal::kMaxMilli + 1));
      const auto v2 = static_cast<std::int64_t>(rng() % 123457);
      const Report r = produce ? make("produce_sold", village, cadre_id, day, {v1, v2})
                               : make("funds_raised", village, cadre_id, day, {v1});
      agg_.add(part_, r);
      // Walk up the codes by prefix: independent of Roster::chain.
      const std::string code = village;
      const std::vector<std::pair<Level, std::string>> up = {{Level::city, code.substr(0, 4)},
                                                             {Level::county, code.substr(0, 6)},
                                                             {Level::town, code.substr(0, 9)},
                                                             {Level::village, code}};
      std::vector<std::pair<Level, std::uint32_t>> entities;
      for (const auto& [level, c] : up) entities.emplace_back(level, *roster_->find_region(c));
      entities.emplace_back(Level::cadre, r.cadre);
      for (const auto& [level, e] : entities) {
        if (produce) {
          bump(level, e, "produce_sold.count", day, 1000);
          bump(level, e, "produce_sold.jin", day, v1);
          bump(level, e, "produce_sold.yuan", day, v2);
        } else {
          bump(level, e, "funds_raised.count", day, 1000);
          bump(level, e, "funds_raised.yuan", day, v1);
        }
      }
    }
  }
  for (const auto& [key, expected] : ref) {
    const auto& [level, entity, name, window] = key;
    ASSERT_EQ(cell(static_cast<Level>(level), entity, metric(name), window), DecimalSum{expected})
        << to_string(static_cast<Level>(level)) << ' ' << entity << ' ' << name << ' ' << window;
  }
  // And nothing beyond the reference: every row the aggregator has is in it.
  std::size_t rows = 0;
  for (int level = 0; level <= 4; ++level) {
    ProgressQuery q;
    q.level = static_cast<Level>(level);
    std::vector<ProgressRow> out;
    agg_.query(q, out);
    q.from_window = 0;
    q.to_window = 1 << 20;
    agg_.query(q, out);
    rows += out.size();
  }
  EXPECT_EQ(rows, ref.size());
}

TEST_F(AggregatorTest, EveryLevelRollsUpToTheCity) {
  std::mt19937_64 rng(9);
  const std::vector<const char*> villages = {"440823105201", "440823105202", "440823106201",
                                             "440881101201"};
  const std::vector<const char*> cadres = {"L001", "D001", "S001", "S002", "S003", "S004"};
  agg_.begin_batch();
  for (int i = 0; i < 5000; ++i) {
    agg_.add(part_, make("produce_sold", villages[rng() % 4], cadres[rng() % 6],
                         static_cast<std::int32_t>(17700 + rng() % 5),
                         {static_cast<std::int64_t>(rng() % 10000000),
                          static_cast<std::int64_t>(rng() % 1000)}));
  }
  for (const char* name : {"produce_sold.count", "produce_sold.jin", "produce_sold.yuan"}) {
    const MetricId m = metric(name);
    for (std::int32_t window : {kTotalWindow, 17700, 17704}) {
      const DecimalSum city = cell(Level::city, roster_->city(), m, window);
      ASSERT_NE(city, DecimalSum{});
      for (Level level : {Level::county, Level::town, Level::village}) {
        DecimalSum sum;
        for (RegionId r : regions_of(level)) sum.add(cell(level, r, m, window));
        EXPECT_EQ(sum, city) << name << " at " << to_string(level);
      }
      DecimalSum cadre_sum;
      for (CadreId c = 0; c < roster_->cadres().size(); ++c) {
        cadre_sum.add(cell(Level::cadre, c, m, window));
      }
      EXPECT_EQ(cadre_sum, city) << name << " over cadres";
    }
  }
}

TEST_F(AggregatorTest, ALateReportLandsInItsOwnDay) {
  agg_.begin_batch();
  agg_.add(part_, make("funds_raised", "440823105201", "S001", 18100, {5000}));
  agg_.add(part_, make("funds_raised", "440823105201", "S001", 18040, {7000}));  // weeks late
  const MetricId yuan = metric("funds_raised.yuan");
  const RegionId city = roster_->city();
  EXPECT_EQ(cell(Level::city, city, yuan, 18100).to_string(), "5");
  EXPECT_EQ(cell(Level::city, city, yuan, 18040).to_string(), "7");
  EXPECT_EQ(cell(Level::city, city, yuan, kTotalWindow).to_string(), "12");
}

TEST_F(AggregatorTest, MovedBlocksReadTheirGlobalValues) {
  PartialAggregates other;
  agg_.begin_batch();
  agg_.add(other, make("funds_raised", "440881101201", "S004", 18000, {1000}));
  agg_.begin_batch();
  agg_.add(part_, make("funds_raised", "440823105201", "S001", 18000, {2500}));
  agg_.add(part_, make("funds_raised", "440823105202", "S002", 18000, {500}));
  const std::vector<ProgressChange> moved = changes();
  expect_each_key_once(moved);
  // city, county 440823, town 105 shared; 2 villages, 2 cadres: 7 entities x 2 windows x 2 metrics.
  EXPECT_EQ(moved.size(), 28U);
  EXPECT_EQ(blocks_.size(), 14U);
  // The city's figures include the other partition's 1 yuan.
  expect_city_funds_raised(moved, metric("funds_raised.yuan"), "4", 3);
}

TEST_F(AggregatorTest, TwoPartitionsInABatchSumAndListEachMovedBlock) {
  PartialAggregates other;
  agg_.begin_batch();
  agg_.add(part_, make("funds_raised", "440823105201", "S001", 18000, {2500}));
  agg_.add(other, make("funds_raised", "440881101201", "S004", 18000, {1000}));
  agg_.add(part_, make("funds_raised", "440823105202", "S002", 18000, {500}));
  std::vector<std::uint64_t> listed;
  agg_.collect_moved(listed);
  // Shared blocks once (city, 2 counties, 2 towns), own blocks per partition
  // (3 villages, 3 cadres), 2 windows each.
  EXPECT_EQ(listed.size(), 22U);
  const std::vector<ProgressChange> moved = changes();
  expect_each_key_once(moved);
  // city; counties 440823, 440881; towns 105, 101; 3 villages; 3 cadres: 11 x 2 windows x 2.
  EXPECT_EQ(moved.size(), 44U);
  const MetricId yuan = metric("funds_raised.yuan");
  expect_city_funds_raised(moved, yuan, "4", 3);
  EXPECT_EQ(cell(Level::city, roster_->city(), yuan, 18000).to_string(), "4");
}

TEST_F(AggregatorTest, ACadreReportingInTwoPartitionsIsSummedOverBoth) {
  PartialAggregates other;
  const MetricId yuan = metric("funds_raised.yuan");
  agg_.begin_batch();
  agg_.add(part_, make("funds_raised", "440823105201", "S001", 18000, {2500}));
  agg_.add(other, make("funds_raised", "440881101201", "S001", 18000, {1000}));
  std::vector<std::uint64_t> listed;
  agg_.collect_moved(listed);
  const std::uint64_t cadre_day = BlockKey::pack(Level::cadre, *roster_->find_cadre("S001"),
                                                 *catalog_->find("funds_raised"), 18000);
  EXPECT_EQ(std::count(listed.begin(), listed.end(), cadre_day), 2);
  EXPECT_EQ(cell(Level::cadre, *roster_->find_cadre("S001"), yuan, 18000).to_string(), "3.5");
  agg_.remove(part_);
  EXPECT_EQ(cell(Level::cadre, *roster_->find_cadre("S001"), yuan, 18000).to_string(), "1");
}

TEST_F(AggregatorTest, ARemovedPartitionLeavesTheSumAndCanJoinAgain) {
  PartialAggregates other;
  const MetricId yuan = metric("funds_raised.yuan");
  const RegionId city = roster_->city();
  agg_.begin_batch();
  agg_.add(part_, make("funds_raised", "440823105201", "S001", 18000, {2500}));
  agg_.add(other, make("funds_raised", "440881101201", "S004", 18001, {1000}));
  EXPECT_EQ(cell(Level::city, city, yuan, kTotalWindow).to_string(), "3.5");
  agg_.remove(other);
  EXPECT_EQ(cell(Level::city, city, yuan, kTotalWindow).to_string(), "2.5");
  EXPECT_EQ(cell(Level::city, city, yuan, 18001).to_string(), "0");
  agg_.begin_batch();
  agg_.add(part_, make("funds_raised", "440823105201", "S001", 18000, {500}));
  EXPECT_EQ(changes().size(), 20U);  // 5 entities x 2 windows x 2 metrics, each once
  EXPECT_EQ(cell(Level::village, *roster_->find_village("440823105201"), yuan, 18000).to_string(),
            "3");
  agg_.remove(part_);
  EXPECT_EQ(cell(Level::city, city, yuan, kTotalWindow).to_string(), "0");
  // A partition that joins again (restored elsewhere and back) counts once.
  agg_.add(other, make("funds_raised", "440881101201", "S004", 18001, {1000}));
  EXPECT_EQ(cell(Level::city, city, yuan, kTotalWindow).to_string(), "2");
}

TEST(BlockKey, PacksAndUnpacksEveryField) {
  for (const std::int32_t window : {kTotalWindow, 0, 17700, (1 << 24) - 1}) {
    const auto k = BlockKey::unpack(BlockKey::pack(Level::cadre, 123456, 4095, window));
    EXPECT_EQ(k.level, Level::cadre);
    EXPECT_EQ(k.entity, 123456U);
    EXPECT_EQ(k.kind, 4095);
    EXPECT_EQ(k.window, window);
  }
  EXPECT_NE(BlockKey::pack(Level::cadre, BlockKey::kMaxEntity, BlockKey::kMaxKind, 1 << 24),
            FlatIndex::kEmpty);
}

}  // namespace
}  // namespace fp
