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

}  // namespace
}  // namespace fp
