#include "sinks/progress_topic/progress_coalescer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <vector>

namespace fp {
namespace {

TEST(ProgressCoalescer, KeepsEachBlockOnce) {
  ProgressCoalescer c;
  c.put(7);
  c.put(3);
  c.put_all(std::vector<ProgressBlockId>{7, 9, 3, 0});  // 0 is an id like any other
  ASSERT_EQ(c.size(), 4U);

  std::vector<ProgressBlockId> out;
  c.take(out);
  std::sort(out.begin(), out.end());
  EXPECT_EQ(out, (std::vector<ProgressBlockId>{0, 3, 7, 9}));
  EXPECT_TRUE(c.empty());
}

TEST(ProgressCoalescer, TakeAppendsAndStartsAfresh) {
  ProgressCoalescer c;
  std::vector<ProgressBlockId> out{42};
  c.put(5);
  c.take(out);
  EXPECT_EQ(out, (std::vector<ProgressBlockId>{42, 5}));  // what was there stays
  c.put(5);
  EXPECT_EQ(c.size(), 1U);  // forgotten after take(): a new entry
}

TEST(ProgressCoalescer, MatchesAReferenceSetOverManyRandomPutsAndTakes) {
  std::mt19937_64 random(42);
  ProgressCoalescer c;
  for (int round = 0; round < 8; ++round) {
    // Rounds alternate between bursts (the table grows) and trickles (it shrinks on take).
    const int puts = round % 2 == 0 ? 40000 : 300;
    std::vector<ProgressBlockId> batch;
    std::set<ProgressBlockId> reference;
    for (int i = 0; i < puts; ++i) {
      // Ids shaped like the core's: level in the top bits, then entity, kind and window.
      const ProgressBlockId id = ((random() % 5) << 61) | ((random() % 5000) << 37) |
                                 ((random() % 12) << 25) | (random() % 400);
      batch.push_back(id);
      reference.insert(id);
    }
    // Half the rounds one put at a time, half as batches (with prefetching).
    if (round % 4 < 2) {
      c.put_all(batch);
    } else {
      for (const ProgressBlockId id : batch) c.put(id);
    }
    std::vector<ProgressBlockId> out;
    c.take(out);
    ASSERT_EQ(out.size(), reference.size()) << "round " << round;
    std::sort(out.begin(), out.end());
    EXPECT_TRUE(std::equal(out.begin(), out.end(), reference.begin()));  // each block once
  }
}

}  // namespace
}  // namespace fp
