#include "sinks/progress_topic/progress_coalescer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <tuple>
#include <vector>

namespace fp {
namespace {

ProgressKey key(Level level, std::uint32_t entity, MetricId metric, std::int32_t window) {
  return {level, entity, metric, window};
}

ProgressValue value(std::int64_t milli, std::int64_t reports) {
  return {DecimalSum{milli}, reports};
}

TEST(ProgressCoalescer, KeepsTheLatestValuePerKey) {
  ProgressCoalescer c;
  c.put(key(Level::city, 0, 1, kTotalWindow), value(10, 1));
  c.put(key(Level::village, 7, 1, 18000), value(5, 1));
  c.put_all(std::vector<ProgressChange>{
      {key(Level::city, 0, 1, kTotalWindow), value(30, 3)},
      {key(Level::city, 0, 1, 18000), value(1, 1)}});  // another window: another key
  ASSERT_EQ(c.size(), 3U);

  std::vector<ProgressChange> out;
  c.take(out);
  ASSERT_EQ(out.size(), 3U);
  std::sort(out.begin(), out.end(), [](const ProgressChange& a, const ProgressChange& b) {
    return std::tie(a.key.level, a.key.entity, a.key.window) <
           std::tie(b.key.level, b.key.entity, b.key.window);
  });
  EXPECT_EQ(out[0].key, key(Level::city, 0, 1, kTotalWindow));
  EXPECT_EQ(out[0].value.value.milli, 30);
  EXPECT_EQ(out[0].value.reports, 3);
  EXPECT_EQ(out[1].key, key(Level::city, 0, 1, 18000));
  EXPECT_EQ(out[2].key, key(Level::village, 7, 1, 18000));
  EXPECT_EQ(out[2].value.value.milli, 5);
  EXPECT_TRUE(c.empty());
}

TEST(ProgressCoalescer, TakeAppendsAndStartsAfresh) {
  ProgressCoalescer c;
  std::vector<ProgressChange> out{{key(Level::town, 1, 0, kTotalWindow), value(1, 1)}};
  c.put(key(Level::town, 1, 0, kTotalWindow), value(2, 2));
  c.take(out);
  ASSERT_EQ(out.size(), 2U);  // what was there stays; the coalescer does not look at it
  EXPECT_EQ(out[1].value.reports, 2);
  c.put(key(Level::town, 1, 0, kTotalWindow), value(3, 3));
  EXPECT_EQ(c.size(), 1U);  // forgotten after take(): a new entry
}

TEST(ProgressCoalescer, MatchesAReferenceMapOverManyRandomPutsAndTakes) {
  std::mt19937_64 random(42);
  ProgressCoalescer c;
  using Id = std::tuple<int, std::uint32_t, MetricId, std::int32_t>;
  std::map<Id, std::int64_t> reference;  // latest reports count per key
  for (int round = 0; round < 8; ++round) {
    // Rounds alternate between bursts (the table grows) and trickles (it shrinks on take).
    const int puts = round % 2 == 0 ? 40000 : 300;
    std::vector<ProgressChange> batch;
    for (int i = 0; i < puts; ++i) {
      const auto level = static_cast<Level>(random() % 5);
      const auto entity = static_cast<std::uint32_t>(random() % 5000);
      const auto metric = static_cast<MetricId>(random() % 12);
      const std::int32_t window =
          random() % 3 == 0 ? kTotalWindow : static_cast<std::int32_t>(17600 + random() % 400);
      const auto reports = static_cast<std::int64_t>(random() % 1000000);
      batch.push_back({key(level, entity, metric, window), value(reports * 1000, reports)});
      reference[{static_cast<int>(level), entity, metric, window}] = reports;
    }
    // Half the rounds one put at a time, half as batches (with prefetching).
    if (round % 4 < 2) {
      c.put_all(batch);
    } else {
      for (const auto& change : batch) c.put(change.key, change.value);
    }
    std::vector<ProgressChange> out;
    c.take(out);
    ASSERT_EQ(out.size(), reference.size()) << "round " << round;
    for (const auto& change : out) {
      const Id id{static_cast<int>(change.key.level), change.key.entity, change.key.metric,
                  change.key.window};
      const auto it = reference.find(id);
      ASSERT_NE(it, reference.end());
      EXPECT_EQ(change.value.reports, it->second);
      EXPECT_EQ(change.value.value.milli, Int128{it->second} * 1000);
      reference.erase(it);  // each key once
    }
    EXPECT_TRUE(reference.empty());
  }
}

}  // namespace
}  // namespace fp
