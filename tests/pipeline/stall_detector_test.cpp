// StallDetector: a partition stalls only when it has lag and its position stands
// still for the whole threshold; it clears when the position moves.
#include "ingest/stall_detector.h"

#include <gtest/gtest.h>

namespace fp {
namespace {

using std::chrono::milliseconds;
using Clock = StallDetector::Clock;

TEST(StallDetector, StallsAfterTheThresholdWithLagAndClearsWhenThePositionMoves) {
  StallDetector detector(milliseconds(3000));
  const auto t0 = Clock::time_point{} + milliseconds(1'000'000);
  EXPECT_EQ(detector.observe(0, 100, 342, t0), std::nullopt);
  EXPECT_EQ(detector.observe(0, 100, 342, t0 + milliseconds(2999)), std::nullopt);
  EXPECT_FALSE(detector.stalled(0));
  EXPECT_EQ(detector.observe(0, 100, 350, t0 + milliseconds(3000)), std::optional(true));
  EXPECT_TRUE(detector.stalled(0));
  EXPECT_EQ(detector.standing(0, t0 + milliseconds(3500)), milliseconds(3500));
  // Reported once, not on every sample.
  EXPECT_EQ(detector.observe(0, 100, 350, t0 + milliseconds(4000)), std::nullopt);
  EXPECT_EQ(detector.observe(0, 101, 350, t0 + milliseconds(5000)), std::optional(false));
  EXPECT_FALSE(detector.stalled(0));
  // The clock starts again from the move.
  EXPECT_EQ(detector.observe(0, 101, 350, t0 + milliseconds(7999)), std::nullopt);
  EXPECT_EQ(detector.observe(0, 101, 350, t0 + milliseconds(8000)), std::optional(true));
}

TEST(StallDetector, AnIdlePartitionWithoutLagNeverStalls) {
  StallDetector detector(milliseconds(1000));
  const auto t0 = Clock::time_point{} + milliseconds(1'000'000);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(detector.observe(2, 500, 500, t0 + milliseconds(1000 * i)), std::nullopt);
  }
  EXPECT_FALSE(detector.stalled(2));
  // Lag appears: the threshold counts from then, not from the last move.
  EXPECT_EQ(detector.observe(2, 500, 510, t0 + milliseconds(10'000)), std::nullopt);
  EXPECT_EQ(detector.observe(2, 500, 510, t0 + milliseconds(10'500)), std::nullopt);
  EXPECT_EQ(detector.observe(2, 500, 510, t0 + milliseconds(11'000)), std::optional(true));
}

TEST(StallDetector, PartitionsAreIndependentAndForgettingClearsOne) {
  StallDetector detector(milliseconds(1000));
  const auto t0 = Clock::time_point{} + milliseconds(1'000'000);
  detector.observe(1, 10, 20, t0);
  detector.observe(4, 10, 20, t0);
  EXPECT_EQ(detector.observe(1, 10, 20, t0 + milliseconds(1000)), std::optional(true));
  EXPECT_EQ(detector.observe(4, 11, 20, t0 + milliseconds(1000)), std::nullopt);
  EXPECT_TRUE(detector.stalled(1));
  EXPECT_FALSE(detector.stalled(4));
  detector.forget(1);
  EXPECT_FALSE(detector.stalled(1));
  EXPECT_FALSE(detector.stalled(7));  // never seen
  EXPECT_EQ(detector.observe(1, 10, 20, t0 + milliseconds(5000)), std::nullopt);
}

TEST(StallDetector, AsksForAFetchRestartEveryThirdOfTheThresholdWhileStandingWithLag) {
  StallDetector detector(milliseconds(3000));
  const auto t0 = Clock::time_point{} + milliseconds(1'000'000);
  detector.observe(3, 10, 20, t0);
  EXPECT_FALSE(detector.refetch_due(3, t0 + milliseconds(999)));
  EXPECT_TRUE(detector.refetch_due(3, t0 + milliseconds(1000)));
  EXPECT_FALSE(detector.refetch_due(3, t0 + milliseconds(1500)));  // once per period
  EXPECT_TRUE(detector.refetch_due(3, t0 + milliseconds(2000)));
  // Moving again, or no lag, means no restart.
  detector.observe(3, 11, 20, t0 + milliseconds(2100));
  EXPECT_FALSE(detector.refetch_due(3, t0 + milliseconds(2500)));
  detector.observe(3, 20, 20, t0 + milliseconds(4000));
  EXPECT_FALSE(detector.refetch_due(3, t0 + milliseconds(9000)));
  EXPECT_FALSE(detector.refetch_due(9, t0 + milliseconds(9000)));  // never seen
}

}  // namespace
}  // namespace fp
