// Duplicates over a programme's whole history (contract section 4, 1.1): a
// resend is a duplicate however old the report, across checkpoints and
// restarts; an opt-in horizon rejects what it may have forgotten.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core_fixture.h"

namespace fp {
namespace {

using core_test::catalog;
using core_test::report;
using core_test::roster;

constexpr std::int64_t kDayMs = 86'400'000;
// 2018-05-02T10:00:00+08:00, and a processing clock late enough for two years after it.
constexpr std::int64_t kFirstDayMs = 1525226400000LL;
constexpr std::int64_t kClockMs = kFirstDayMs + 800 * kDayMs;

std::unique_ptr<ProcessingCore> history_core(std::int32_t horizon_days = 0) {
  CoreOptions options;
  options.dedupe_horizon_days = horizon_days;
  return std::make_unique<ProcessingCore>(catalog(), roster(), options, [] { return kClockMs; });
}

std::string visit(const std::string& id, std::int64_t at_ms) {
  return report(id, "S001", "440823105201", "household_visit", format_rfc3339_cst(at_ms));
}

// The reproduction: one report of 2018-05-02, 600 others of 2019-07,
// then the first again.
std::vector<std::string> old_resend_stream() {
  std::vector<std::string> stream{visit("first", kFirstDayMs)};
  for (int i = 0; i < 600; ++i) {
    stream.push_back(visit("july-" + std::to_string(i), kFirstDayMs + (425 + i % 30) * kDayMs));
  }
  stream.push_back(visit("first", kFirstDayMs));
  return stream;
}

TEST(DedupeHistory, AResendFromMoreThanAYearAgoIsADuplicateByDefault) {
  auto core = history_core();
  const BatchResult r = core_test::run(*core, old_resend_stream());
  EXPECT_EQ(r.accepted, 601U);
  EXPECT_EQ(r.duplicate, 1U);
  EXPECT_EQ(r.rejected, 0U);
}

TEST(DedupeHistory, AnOptInHorizonRejectsWhatFallsOutsideItAsTooOld) {
  auto core = history_core(400);
  const std::vector<std::string> stream = old_resend_stream();
  const BatchResult r = core_test::run(*core, stream);
  EXPECT_EQ(r.accepted, 601U);
  EXPECT_EQ(r.duplicate, 0U);
  ASSERT_EQ(r.rejected, 1U);
  EXPECT_EQ(r.rejected_by_reason[static_cast<std::size_t>(Reason::too_old)], 1U);
  ASSERT_EQ(r.dead_letters.size(), 1U);
  EXPECT_EQ(r.dead_letters[0].index, stream.size() - 1);
  EXPECT_EQ(r.dead_letters[0].rejection.reason, Reason::too_old);
  EXPECT_NE(r.dead_letters[0].rejection.detail.find("dedupe.horizon_days = 400"), std::string::npos)
      << r.dead_letters[0].rejection.detail;
  const Summary s = core->summary();
  EXPECT_EQ(s.consumed, s.accepted + s.duplicate + s.rejected);
}

// A seeded stream over two years on three partitions: new reports in event
// order, resends of any earlier report (up to two years old), processed in
// random chunks with checkpoints and restarts from them (the messages after a
// checkpoint are processed again, as after a crash). Judged against the
// contract read independently: the first (village, report_id) is accepted,
// every later one is a duplicate.
class HistoryRun {
 public:
  explicit HistoryRun(std::uint32_t seed) : rng_(seed) {}

  void generate(int reports) {
    std::vector<std::pair<std::string, std::string>> sent;  // (village, payload)
    const std::vector<std::string> villages{"440823105201", "440823105202", "440823106201",
                                            "440881101201"};
    const std::vector<std::string> cadres{"S001", "S002", "S003", "S004"};
    for (int n = 0; n < reports; ++n) {
      const bool resend = !sent.empty() && rng_() % 5 == 0;
      if (resend) {
        const auto& [village, payload] = sent[rng_() % sent.size()];
        append(village, payload);
        continue;
      }
      const std::size_t v = rng_() % villages.size();
      const std::int64_t at = kFirstDayMs + static_cast<std::int64_t>(n) * 730 * kDayMs / reports;
      const std::string id = "r" + std::to_string(n);
      const std::string payload =
          report(id, cadres[v], villages[v], "household_visit", format_rfc3339_cst(at));
      sent.emplace_back(villages[v], payload);
      distinct_.insert(villages[v] + "/" + id);
      append(villages[v], payload);
    }
  }

  // Runs everything with `restarts` crashes; returns the final summary.
  Summary run(int restarts) {
    auto core = history_core();
    std::map<std::int32_t, std::size_t> position;
    std::map<std::int32_t, std::pair<std::size_t, std::string>> checkpoint;
    int restarts_left = restarts;
    while (true) {
      std::vector<std::int32_t> open;
      for (const auto& [p, msgs] : partitions_) {
        if (position[p] < msgs.size()) open.push_back(p);
      }
      if (open.empty()) break;
      const std::int32_t p = open[rng_() % open.size()];
      const std::size_t n =
          std::min<std::size_t>(1 + rng_() % 300, partitions_[p].size() - position[p]);
      std::vector<std::string> chunk(
          partitions_[p].begin() + static_cast<std::ptrdiff_t>(position[p]),
          partitions_[p].begin() + static_cast<std::ptrdiff_t>(position[p] + n));
      core_test::run(*core, chunk, p, static_cast<std::int64_t>(position[p]));
      position[p] += n;
      if (rng_() % 4 == 0) checkpoint[p] = {position[p], core->snapshot_partition(p)};
      if (restarts_left > 0 && rng_() % 40 == 0) {
        --restarts_left;
        core = history_core();
        for (auto& [q, pos] : position) {
          const auto it = checkpoint.find(q);
          pos = it == checkpoint.end() ? 0 : it->second.first;
          if (it != checkpoint.end()) core->restore_partition(q, it->second.second);
        }
      }
    }
    return core->summary();
  }

  [[nodiscard]] std::size_t distinct() const { return distinct_.size(); }
  [[nodiscard]] std::size_t messages() const {
    std::size_t n = 0;
    for (const auto& [p, msgs] : partitions_) n += msgs.size();
    return n;
  }

 private:
  // Keyed by village, as producers do: a village's reports share a partition.
  void append(const std::string& village, const std::string& payload) {
    partitions_[static_cast<std::int32_t>(std::hash<std::string>{}(village) % 3)].push_back(
        payload);
  }

  std::mt19937 rng_;
  std::map<std::int32_t, std::vector<std::string>> partitions_;
  std::set<std::string> distinct_;
};

TEST(DedupeHistory, ResendsAcrossTwoYearsAndRestartsMatchAnIndependentReading) {
  for (const std::uint32_t seed : {1U, 2U, 3U}) {
    HistoryRun history(seed);
    history.generate(6000);
    const Summary s = history.run(5);
    SCOPED_TRACE("seed " + std::to_string(seed));
    EXPECT_EQ(s.consumed, history.messages());
    EXPECT_EQ(s.accepted, history.distinct());
    EXPECT_EQ(s.duplicate, history.messages() - history.distinct());
    EXPECT_EQ(s.rejected, 0U);
  }
}

}  // namespace
}  // namespace fp
