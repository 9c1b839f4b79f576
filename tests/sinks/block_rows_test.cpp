// The field-progress block row and key (contract section 6) and the batcher that
// hands on one block per moved block per flush, filtered by level.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "sinks/progress_batcher.h"
#include "sinks/progress_row.h"
#include "tests/processors/core_fixture.h"

namespace fp {
namespace {

using core_test::make_core;
using core_test::report;
using core_test::run;

// Every block of one flush as key -> row.
std::map<std::string, std::string> rows_of(const ProcessingCore& core,
                                           const ProgressBlocks& blocks) {
  BlockRowRenderer renderer(core);
  std::map<std::string, std::string> rows;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    std::string key;
    std::string row;
    renderer.append_key(blocks.block(i), key);
    renderer.append_row(blocks.block(i), row);
    EXPECT_TRUE(rows.emplace(key, row).second) << "block twice in one flush: " << key;
  }
  return rows;
}

class BlockRows : public ::testing::Test {
 protected:
  // Flushes `batcher` by hand and returns what it handed on.
  ProgressBlocks flush(ProgressBatcher& batcher) {
    handed_.clear();
    batcher.flush();
    ProgressBlocks out;
    if (!handed_.empty()) out = std::move(handed_.back());
    return out;
  }
  ProgressBatcher make_batcher(LevelSet levels = LevelSet::all(),
                               std::chrono::milliseconds interval = std::chrono::hours(1)) {
    return ProgressBatcher(io_, *core_, interval, levels, [this](ProgressBlocks&& blocks) {
      handed_.push_back(std::move(blocks));
    });
  }

  boost::asio::io_context io_;
  std::unique_ptr<ProcessingCore> core_ = make_core();
  std::vector<ProgressBlocks> handed_;
};

TEST_F(BlockRows, OneRowPerMovedBlockInTheContractsForm) {
  ProgressBatcher batcher = make_batcher();
  batcher.add(run(*core_, {report("r1", "S002", "440823105202", "produce_sold",
                                  "2019-07-28T09:30:00+08:00", R"({"jin":130000,"yuan":91000.5})"),
                           report("r2", "S001", "440823105201", "produce_sold",
                                  "2019-07-28T10:00:00+08:00", R"({"jin":1,"yuan":0.25})")}));
  const auto rows = rows_of(*core_, flush(batcher));
  // city, county, town: one block each per window; two villages and two cadres.
  EXPECT_EQ(rows.size(), 2U * (3 + 2 + 2));
  EXPECT_EQ(rows.at("county|440823|produce_sold|2019-07-28"),
            R"({"level":"county","id":"440823","name":"遂溪县","kind":"produce_sold",)"
            R"("window":"2019-07-28","reports":2,"values":{"jin":130001,"yuan":91000.75}})");
  EXPECT_EQ(rows.at("cadre|S002|produce_sold|total"),
            R"({"level":"cadre","id":"S002","name":"丁","kind":"produce_sold",)"
            R"("window":"total","reports":1,"values":{"jin":130000,"yuan":91000.5}})");
  EXPECT_EQ(rows.at("village|440823105201|produce_sold|2019-07-28"),
            R"({"level":"village","id":"440823105201","name":"北塘村","kind":"produce_sold",)"
            R"("window":"2019-07-28","reports":1,"values":{"jin":1,"yuan":0.25}})");
}

TEST_F(BlockRows, EachFlushHandsOnTheBlocksMovedSinceTheLastWithTheirLatestValues) {
  ProgressBatcher batcher = make_batcher();
  batcher.add(run(*core_, {report("r1", "S001", "440823105201", "funds_raised",
                                  "2019-07-28T09:30:00+08:00", R"({"yuan":100.5})")}));
  batcher.add(run(*core_, {report("r2", "S001", "440823105201", "funds_raised",
                                  "2019-07-29T09:30:00+08:00", R"({"yuan":0.5})")}));
  auto rows = rows_of(*core_, flush(batcher));
  // Five levels' totals (moved twice, handed on once) and two days each.
  EXPECT_EQ(rows.size(), 15U);
  EXPECT_EQ(rows.at("city|4408|funds_raised|total"),
            R"({"level":"city","id":"4408","name":"湛江市","kind":"funds_raised",)"
            R"("window":"total","reports":2,"values":{"yuan":101}})");
  EXPECT_TRUE(flush(batcher).changes.empty()) << "nothing moved since";
  EXPECT_TRUE(handed_.empty());

  batcher.add(run(*core_, {report("r3", "S004", "440881101201", "funds_raised",
                                  "2019-07-29T11:00:00+08:00", R"({"yuan":1})")}));
  rows = rows_of(*core_, flush(batcher));
  EXPECT_EQ(rows.size(), 10U);
  EXPECT_EQ(rows.at("city|4408|funds_raised|2019-07-29"),
            R"({"level":"city","id":"4408","name":"湛江市","kind":"funds_raised",)"
            R"("window":"2019-07-29","reports":2,"values":{"yuan":1.5}})");
}

TEST_F(BlockRows, OnlyThePublishedLevelsAreHandedOn) {
  LevelSet levels;
  levels.add(Level::county);
  levels.add(Level::cadre);
  ProgressBatcher batcher = make_batcher(levels);
  batcher.add(run(*core_, {report("r1", "S001", "440823105201", "household_visit",
                                  "2019-07-28T09:30:00+08:00")}));
  const auto rows = rows_of(*core_, flush(batcher));
  std::vector<std::string> keys;
  for (const auto& [key, row] : rows) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"cadre|S001|household_visit|2019-07-28",
                                            "cadre|S001|household_visit|total",
                                            "county|440823|household_visit|2019-07-28",
                                            "county|440823|household_visit|total"}));
  EXPECT_EQ(rows.at("cadre|S001|household_visit|total"),
            R"({"level":"cadre","id":"S001","name":"丙","kind":"household_visit",)"
            R"("window":"total","reports":1,"values":{"households":1}})");
}

TEST_F(BlockRows, TheTimerFlushesWithinTheInterval) {
  ProgressBatcher batcher = make_batcher(LevelSet::all(), std::chrono::milliseconds(20));
  batcher.add(run(*core_, {report("r1", "S001", "440823105201", "household_visit",
                                  "2019-07-28T09:30:00+08:00")}));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (handed_.empty() && std::chrono::steady_clock::now() < deadline) {
    io_.run_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(handed_.size(), 1U);
  EXPECT_EQ(handed_.front().size(), 10U);
}

TEST(LevelSetTest, ParsesLevelNamesAndNamesAnUnknownOne) {
  const std::vector<std::string> names{"city", "village"};
  const LevelSet set = LevelSet::parse(names);
  EXPECT_TRUE(set.contains(Level::city));
  EXPECT_TRUE(set.contains(Level::village));
  EXPECT_FALSE(set.contains(Level::county));
  EXPECT_FALSE(set.contains(Level::cadre));
  EXPECT_EQ(LevelSet::parse(std::vector<std::string>{"city", "county", "town", "village", "cadre"}),
            LevelSet::all());
  try {
    (void)LevelSet::parse(std::vector<std::string>{"province"});
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("province"), std::string::npos);
  }
}

}  // namespace
}  // namespace fp
