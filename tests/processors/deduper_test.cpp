#include "processors/deduper.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace fp {
namespace {

TEST(Deduper, FirstInsertWinsAndRepeatsAreDuplicates) {
  Deduper d(400);
  EXPECT_TRUE(d.insert(7, "zj-1", 100));
  EXPECT_FALSE(d.insert(7, "zj-1", 100));
  EXPECT_FALSE(d.insert(7, "zj-1", 101));  // other day, same identity
  EXPECT_EQ(d.size(), 1U);
}

TEST(Deduper, IdentityIsVillageAndReportId) {
  Deduper d(400);
  EXPECT_TRUE(d.insert(7, "zj-1", 100));
  EXPECT_TRUE(d.insert(8, "zj-1", 100));
  EXPECT_TRUE(d.insert(7, "zj-2", 100));
  EXPECT_TRUE(d.contains(8, "zj-1"));
  EXPECT_FALSE(d.contains(9, "zj-1"));
}

TEST(Deduper, RemembersEveryIdAcrossGrowth) {
  Deduper d(400);
  for (int i = 0; i < 100000; ++i) {
    ASSERT_TRUE(d.insert(static_cast<RegionId>(i % 97), "id-" + std::to_string(i), 100));
  }
  for (int i = 0; i < 100000; ++i) {
    ASSERT_FALSE(d.insert(static_cast<RegionId>(i % 97), "id-" + std::to_string(i), 100));
  }
  EXPECT_EQ(d.size(), 100000U);
}

TEST(Deduper, LongAndShortIdsCompareWhole) {
  Deduper d(400);
  const std::string long_id(64, 'a');
  EXPECT_TRUE(d.insert(1, long_id, 1));
  EXPECT_TRUE(d.insert(1, long_id.substr(0, 63) + "b", 1));
  EXPECT_TRUE(d.insert(1, "a", 1));
  EXPECT_FALSE(d.insert(1, long_id, 1));
}

TEST(Deduper, WithoutAHorizonRemembersIdsOfAnyAge) {
  Deduper d;                                 // the default: no horizon
  ASSERT_TRUE(d.insert(1, "2018", 17'653));  // 2018-05-02
  // Two years of newer ids, enough for many rehashes.
  for (int i = 0; i < 20000; ++i) {
    ASSERT_TRUE(d.insert(2, "n" + std::to_string(i), 17'653 + 1 + i % 800));
  }
  EXPECT_FALSE(d.outside_horizon(17'653));
  EXPECT_FALSE(d.insert(1, "2018", 17'653));
  EXPECT_EQ(d.size(), 20001U);
}

TEST(Deduper, OutsideHorizonCoversEveryIdItMayHaveForgotten) {
  Deduper d(10);
  EXPECT_FALSE(d.outside_horizon(0));  // nothing seen yet
  ASSERT_TRUE(d.insert(1, "old", 100));
  EXPECT_FALSE(d.outside_horizon(100));
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(d.insert(2, "n" + std::to_string(i), 200));
  EXPECT_TRUE(d.outside_horizon(100));  // "old" may be (and is) forgotten
  EXPECT_TRUE(d.outside_horizon(189));
  EXPECT_FALSE(d.outside_horizon(190));  // kept: 190 >= 200 - 10
  EXPECT_FALSE(d.contains(1, "old"));
}

TEST(Deduper, ForgetsIdsBeyondTheHorizonOnlyAfterTheNewestDayMoves) {
  Deduper d(10);
  ASSERT_TRUE(d.insert(1, "old", 100));
  ASSERT_TRUE(d.insert(1, "edge", 190));
  // Enough newer ids to force rehashes with the newest day at 200.
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(d.insert(2, "n" + std::to_string(i), 200));
  EXPECT_EQ(d.newest_day(), 200);
  EXPECT_FALSE(d.contains(1, "old"));  // 100 < 200 - 10
  EXPECT_TRUE(d.contains(1, "edge"));  // 190 is inside the horizon
  EXPECT_EQ(d.size(), 1001U);
}

TEST(Deduper, KeepsOldIdsWhileNothingNewerArrives) {
  Deduper d(10);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(d.insert(1, "x" + std::to_string(i), 5));
  EXPECT_EQ(d.size(), 1000U);
  EXPECT_FALSE(d.insert(1, "x0", 5));
}

TEST(Deduper, ForEachVisitsTheRememberedIdsInInsertionOrder) {
  Deduper d(10);
  ASSERT_TRUE(d.insert(1, "old", 100));
  for (int i = 0; i < 900; ++i) ASSERT_TRUE(d.insert(2, "n" + std::to_string(i), 200));
  ASSERT_FALSE(d.contains(1, "old"));  // forgotten at a rehash
  std::vector<std::string> seen;
  d.for_each([&seen](RegionId village, std::string_view id, std::int32_t day) {
    EXPECT_EQ(village, 2U);
    EXPECT_EQ(day, 200);
    seen.emplace_back(id);
  });
  ASSERT_EQ(seen.size(), 900U);
  for (int i = 0; i < 900; ++i)
    EXPECT_EQ(seen[static_cast<std::size_t>(i)], "n" + std::to_string(i));
}

}  // namespace
}  // namespace fp
