#include "processors/snapshot.h"

#include <gtest/gtest.h>

#include <random>
#include <stdexcept>
#include <string>
#include <tuple>

#include "core_fixture.h"

namespace fp {
namespace {

using core_test::make_core;
using core_test::report;
using core_test::run;

// A mixed stream: valid reports over several days, villages and kinds,
// resends, and bad messages.
std::vector<std::string> stream(std::uint64_t seed, int n, const std::string& prefix) {
  std::mt19937_64 rng(seed);
  const char* villages[] = {"440823105201", "440823105202", "440823106201", "440881101201"};
  const char* cadres[] = {"L001", "D001", "S001", "S002", "S003", "S004"};
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    const int pick = static_cast<int>(rng() % 20);
    if (pick == 0) {
      out.push_back("{\"v\":2}");
      continue;
    }
    const int id = pick == 1 && i > 0 ? static_cast<int>(rng() % static_cast<unsigned>(i)) : i;
    char at[40];
    std::snprintf(at, sizeof at, "2019-07-%02dT%02d:15:00+08:00", 20 + static_cast<int>(rng() % 10),
                  static_cast<int>(rng() % 24));
    const std::string values =
        "{\"jin\":" + std::to_string(rng() % 100000) + "." + std::to_string(rng() % 1000) + "}";
    const bool visit = rng() % 3 == 0;
    out.push_back(report(prefix + std::to_string(id), cadres[rng() % 6], villages[id % 4],
                         visit ? "household_visit" : "produce_sold", at,
                         visit || rng() % 3 == 0 ? "{}" : values));
  }
  return out;
}

void run_all(ProcessingCore& core, const std::vector<std::string>& all, std::int32_t partition,
             std::size_t from = 0, std::size_t to = SIZE_MAX) {
  to = std::min(to, all.size());
  for (std::size_t i = from; i < to; i += 37) {
    const std::vector<std::string> chunk(
        all.begin() + static_cast<std::ptrdiff_t>(i),
        all.begin() + static_cast<std::ptrdiff_t>(std::min(i + 37, to)));
    run(core, chunk, partition, static_cast<std::int64_t>(i));
  }
}

// Everything the read side shows, as text.
std::string view(const ProcessingCore& core) {
  std::string out;
  const Summary s = core.summary();
  out += std::to_string(s.consumed) + '/' + std::to_string(s.accepted) + '/' +
         std::to_string(s.duplicate) + '/' + std::to_string(s.rejected) + '/' +
         std::to_string(s.cadres_reporting) + '\n';
  for (std::size_t i = 0; i < kReasonCount; ++i)
    out += std::to_string(s.rejected_by_reason[i]) + ',';
  for (const auto& [m, v] : s.city_totals)
    out += core.metric_names()[m] + '=' + v.to_string() + '\n';
  for (int level = 0; level <= 4; ++level) {
    for (const auto& [from, to] : {std::pair{kTotalWindow, kTotalWindow}, std::pair{0, 1 << 20}}) {
      ProgressQuery q;
      q.level = static_cast<Level>(level);
      q.from_window = from;
      q.to_window = to;
      for (const ProgressRow& r : core.progress(q)) {
        out += std::to_string(level) + ':' + std::to_string(r.key.entity) + ':' +
               std::to_string(r.key.metric) + ':' + std::to_string(r.key.window) + '=' +
               r.value.value.to_string() + '#' + std::to_string(r.value.reports) + '\n';
      }
    }
  }
  for (const SilentCadre& c : core.silent_cadres(core_test::kNowMs, 5)) {
    out += "silent " + std::to_string(c.cadre) + ' ' +
           std::to_string(c.last_report_ms.value_or(-1)) + '\n';
  }
  for (int day = *parse_day("2019-07-20"); day <= *parse_day("2019-07-29"); ++day) {
    for (const Completeness& c : core.completeness(Level::town, day)) {
      out += "complete " + std::to_string(c.region) + ' ' + std::to_string(c.reported) + '\n';
    }
  }
  return out;
}

TEST(Snapshot, RestoreIntoAFreshCoreShowsTheSameState) {
  auto a = make_core();
  run_all(*a, stream(1, 600, "p0-"), 0);
  run_all(*a, stream(2, 400, "p1-"), 1);
  const std::string s0 = a->snapshot_partition(0), s1 = a->snapshot_partition(1);
  auto b = make_core();
  b->restore_partition(0, s0);
  b->restore_partition(1, s1);
  EXPECT_EQ(view(*b), view(*a));
  ASSERT_GT(a->summary().duplicate, 0U);
  ASSERT_GT(a->summary().rejected, 0U);
}

TEST(Snapshot, ContinuingAfterRestoreEqualsProcessingEverythingAtOnce) {
  const auto all = stream(3, 1000, "x-");
  auto whole = make_core();
  run_all(*whole, all, 0);

  auto first = make_core();
  run_all(*first, all, 0, 0, 500);
  auto second = make_core();
  second->restore_partition(0, first->snapshot_partition(0));
  run_all(*second, all, 0, 500);
  EXPECT_EQ(view(*second), view(*whole));
  // Resends of ids from the first half were recognised after the move.
  EXPECT_EQ(second->summary().duplicate, whole->summary().duplicate);
}

TEST(Snapshot, RestoringAPartitionAgainReplacesIt) {
  auto a = make_core();
  run_all(*a, stream(4, 300, "r-"), 0);
  const std::string snap = a->snapshot_partition(0);
  const std::string before = view(*a);
  a->restore_partition(0, snap);
  EXPECT_EQ(view(*a), before);
}

TEST(Snapshot, DroppingAPartitionLeavesTheOthers) {
  auto a = make_core();
  run_all(*a, stream(5, 300, "k-"), 0);
  run_all(*a, stream(6, 300, "m-"), 1);
  a->drop_partition(0);
  auto only = make_core();
  run_all(*only, stream(6, 300, "m-"), 1);
  EXPECT_EQ(view(*a), view(*only));
}

// With two partitions left the global view is not one partition's partials:
// the dropped one's reports must be taken out of it.
TEST(Snapshot, DroppingOneOfThreePartitionsLeavesTheOtherTwo) {
  auto a = make_core();
  run_all(*a, stream(11, 300, "k-"), 0);
  run_all(*a, stream(12, 300, "m-"), 1);
  run_all(*a, stream(13, 300, "n-"), 2);
  a->drop_partition(1);
  auto two = make_core();
  run_all(*two, stream(11, 300, "k-"), 0);
  run_all(*two, stream(13, 300, "n-"), 2);
  EXPECT_EQ(view(*a), view(*two));
  EXPECT_EQ(a->summary().consumed, 600U);
}

TEST(Snapshot, PartitionsComingAndGoingKeepTheViewOfThoseLeft) {
  auto a = make_core();
  run_all(*a, stream(7, 200, "a-"), 0);  // the only partition
  const std::string snap0 = a->snapshot_partition(0);
  run_all(*a, stream(8, 200, "b-"), 1);  // a second one
  a->drop_partition(0);                  // back to one
  run_all(*a, stream(9, 200, "c-"), 1);
  auto only = make_core();
  run_all(*only, stream(8, 200, "b-"), 1);
  run_all(*only, stream(9, 200, "c-"), 1);
  EXPECT_EQ(view(*a), view(*only));

  a->restore_partition(0, snap0);  // back to two
  run_all(*only, stream(7, 200, "a-"), 0);
  EXPECT_EQ(view(*a), view(*only));

  a->drop_partition(1);
  a->drop_partition(0);
  run_all(*a, stream(10, 200, "d-"), 3);
  auto last = make_core();
  run_all(*last, stream(10, 200, "d-"), 3);
  EXPECT_EQ(view(*a), view(*last));
}

TEST(Snapshot, AnUnknownPartitionSnapshotsAsEmpty) {
  auto a = make_core();
  auto b = make_core();
  b->restore_partition(9, a->snapshot_partition(9));
  EXPECT_EQ(b->summary().consumed, 0U);
}

TEST(Snapshot, CorruptSnapshotsThrowAndChangeNothing) {
  auto a = make_core();
  run_all(*a, stream(7, 200, "z-"), 0);
  const std::string good = a->snapshot_partition(0);
  auto b = make_core();
  run_all(*b, stream(8, 50, "y-"), 0);
  const std::string before = view(*b);

  EXPECT_THROW(b->restore_partition(0, ""), SnapshotError);
  EXPECT_THROW(b->restore_partition(0, "garbage that is long enough to parse"), SnapshotError);
  EXPECT_THROW(b->restore_partition(0, good.substr(0, good.size() / 2)), SnapshotError);
  EXPECT_THROW(b->restore_partition(1, good), SnapshotError);  // another partition's
  for (const std::size_t at : {std::size_t{5}, good.size() / 3, good.size() - 3}) {
    std::string flipped = good;
    flipped[at] = static_cast<char>(flipped[at] ^ 0x40);
    EXPECT_THROW(b->restore_partition(0, flipped), SnapshotError) << "byte " << at;
  }
  EXPECT_EQ(view(*b), before);
}

// A roster that dropped every village and cadre the snapshot names (round 2
// replacing round 1) still restores it: they come back as former, with every figure.
TEST(Snapshot, ARosterWithoutASnapshotsCadresKeepsThemAsFormer) {
  auto a = make_core();
  run_all(*a, stream(9, 50, "q-"), 0);
  const auto smaller = std::make_shared<const Roster>(Roster::parse(
      R"json({"version": 1, "city": {"code": "4408", "name": "湛江市"},
       "counties": [{"code": "440823", "name": "遂溪县"}], "towns": [], "villages": [],
       "cadres": []})json",
      "small.json"));
  ProcessingCore b(core_test::catalog(), smaller, CoreOptions{}, [] { return core_test::kNowMs; });
  b.restore_partition(0, a->snapshot_partition(0));
  EXPECT_EQ(b.summary().accepted, a->summary().accepted);
  EXPECT_EQ(b.summary().city_totals, a->summary().city_totals);
  EXPECT_EQ(b.summary().cadres_total, 0U);
  EXPECT_EQ(b.summary().cadres_reporting, 0U);
  ASSERT_FALSE(b.roster().cadres().empty());
  for (const Cadre& c : b.roster().cadres()) EXPECT_TRUE(c.former) << c.cadre_id;
  EXPECT_TRUE(b.silent_cadres(core_test::kNowMs, 7).empty());
}

// Figures across instances: each core below stands for an instance; the
// owner of a partition hands its partials (and checkpoints) to the others,
// which keep a replica of it and show every partition's figures.

// Runs messages [from, to) of `all` on `owner` and hands the partition's
// partial, as of offset `to`, to `reader`; whether the reader applied it.
bool run_and_hand(ProcessingCore& owner, ProcessingCore& reader,
                  const std::vector<std::string>& all, std::int32_t partition, std::size_t from,
                  std::size_t to) {
  run_all(owner, all, partition, from, to);
  std::vector<ProgressBlockId> moved;
  return reader.apply_partial(partition, static_cast<std::int64_t>(to),
                              owner.take_partial(partition), moved);
}

TEST(Partials, EveryInstanceShowsTheFiguresOfEveryPartition) {
  const auto s0 = stream(21, 600, "p0-"), s1 = stream(22, 600, "p1-"), s2 = stream(23, 600, "p2-");
  auto whole = make_core();
  run_all(*whole, s0, 0);
  run_all(*whole, s1, 1);
  run_all(*whole, s2, 2);
  auto a = make_core(), b = make_core();  // a owns partitions 0 and 1, b partition 2
  a->track_changes();
  b->track_changes();
  for (std::size_t at = 0; at < 600; at += 100) {
    EXPECT_TRUE(run_and_hand(*a, *b, s0, 0, at, at + 100));
    EXPECT_TRUE(run_and_hand(*a, *b, s1, 1, at, at + 100));
    EXPECT_TRUE(run_and_hand(*b, *a, s2, 2, at, at + 100));
  }
  EXPECT_EQ(view(*a), view(*whole));
  EXPECT_EQ(view(*b), view(*whole));
  EXPECT_GT(whole->summary().duplicate, 0U);
}

TEST(Partials, APartialAppliedTwiceOrAfterANewerOneChangesNothing) {
  const auto all = stream(24, 600, "t-");
  auto owner = make_core(), reader = make_core();
  owner->track_changes();
  run_all(*owner, all, 0, 0, 300);
  const std::string first = owner->take_partial(0);
  run_all(*owner, all, 0, 300, 600);
  const std::string second = owner->take_partial(0);
  std::vector<ProgressBlockId> moved;
  ASSERT_TRUE(reader->apply_partial(0, 300, first, moved));
  ASSERT_TRUE(reader->apply_partial(0, 600, second, moved));
  const std::string merged = view(*reader);
  EXPECT_EQ(merged, view(*owner));
  moved.clear();
  EXPECT_FALSE(reader->apply_partial(0, 600, second, moved));  // twice
  EXPECT_FALSE(reader->apply_partial(0, 300, first, moved));   // late
  EXPECT_TRUE(moved.empty());
  EXPECT_EQ(view(*reader), merged);
  EXPECT_EQ(owner->take_partial(0), "") << "nothing changed since the last partial";
}

// The owner dies after handing out a partial newer than its last checkpoint;
// the next owner restarts from that checkpoint and catches up. A reader never
// counts a message twice or loses one meanwhile, and ends exact.
TEST(Partials, APartitionThatMovesAfterACrashIsCountedOnceWhileItsNewOwnerCatchesUp) {
  const auto all = stream(25, 600, "m-");
  auto whole = make_core();
  run_all(*whole, all, 0);
  auto dead = make_core(), reader = make_core();
  dead->track_changes();
  run_all(*dead, all, 0, 0, 300);
  const std::string checkpoint = dead->snapshot_partition(0);
  std::vector<ProgressBlockId> moved;
  ASSERT_TRUE(reader->apply_partial(0, 300, dead->take_partial(0), moved));
  ASSERT_TRUE(run_and_hand(*dead, *reader, all, 0, 300, 450));
  dead.reset();

  auto next = make_core();
  next->track_changes();
  next->restore_partition(0, checkpoint);
  std::uint64_t consumed = reader->summary().consumed;
  for (std::size_t at = 300; at < 600; at += 50) {
    run_and_hand(*next, *reader, all, 0, at, at + 50);
    const std::uint64_t now = reader->summary().consumed;
    EXPECT_GE(now, consumed) << "figures stepped back at offset " << at;
    EXPECT_EQ(now, std::max<std::uint64_t>(450, at + 50)) << "at offset " << at;
    consumed = now;
  }
  EXPECT_EQ(view(*reader), view(*whole));
}

// A clean move: the old owner checkpoints, keeps the partition as a replica,
// and follows the new owner's partials.
TEST(Partials, TheOldOwnerKeepsAMovedPartitionCountedAndFollowsItsNewOwner) {
  const auto all = stream(26, 600, "c-");
  auto whole = make_core();
  run_all(*whole, all, 0);
  auto old_owner = make_core(), new_owner = make_core();
  old_owner->track_changes();
  new_owner->track_changes();
  run_all(*old_owner, all, 0, 0, 400);
  new_owner->restore_partition(0, old_owner->snapshot_partition(0));
  old_owner->keep_as_replica(0, 400);
  EXPECT_EQ(old_owner->summary().consumed, 400U);
  EXPECT_TRUE(run_and_hand(*new_owner, *old_owner, all, 0, 400, 600));
  EXPECT_EQ(view(*old_owner), view(*whole));
  EXPECT_EQ(view(*new_owner), view(*whole));
}

// After a gap a replica takes no partial until a checkpoint replaces it.
TEST(Partials, AfterAGapAReplicaWaitsForACheckpoint) {
  const auto all = stream(27, 400, "g-");
  auto owner = make_core(), reader = make_core();
  owner->track_changes();
  run_all(*owner, all, 0, 0, 200);
  (void)owner->take_partial(0);  // lost on its way
  reader->replica_gap(0);
  EXPECT_TRUE(reader->replica_lags(0));
  EXPECT_FALSE(run_and_hand(*owner, *reader, all, 0, 200, 300));
  ASSERT_TRUE(reader->restore_replica(0, 300, owner->snapshot_partition(0)));
  EXPECT_FALSE(reader->replica_lags(0));
  EXPECT_FALSE(reader->restore_replica(0, 300, owner->snapshot_partition(0)));
  EXPECT_TRUE(run_and_hand(*owner, *reader, all, 0, 300, 400));
  EXPECT_EQ(view(*reader), view(*owner));
}

}  // namespace
}  // namespace fp
