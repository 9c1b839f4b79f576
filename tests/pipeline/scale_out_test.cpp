// Three `fieldpulse run` in one consumer group over a real 3-broker
// `fieldpulse broker` and a real PostgreSQL, streaming a seeded 15-month history
// with resends and bad reports while members are killed -9 and restarted, one
// leaves for good and a new one joins, a broker goes down and leaders move.
// Every instance answers the programme's figures, and the outputs hold them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/pipeline/pipeline_harness.h"
#include "tests/pipeline/progress_table.h"
#include "tests/support/broker_process.h"
#include "tests/support/kafka_test_consumer.h"
#include "tests/support/postgres_server.h"

namespace fp::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::uint64_t env_or(const char* name, std::uint64_t fallback) {
  const char* text = std::getenv(name);
  return text == nullptr ? fallback : std::strtoull(text, nullptr, 10);
}

// The blocks /v1/progress answers for `level` in the total window, as the oracle keys them.
BlockTable api_blocks(std::uint16_t port, const std::string& level) {
  BlockTable out;
  for (const ProgressApiRow& row : progress_api_rows(port, "/v1/progress?level=" + level)) {
    const std::string kind = row.metric.substr(0, row.metric.find('.'));
    const std::string field = row.metric.substr(row.metric.find('.') + 1);
    BlockFigures& block = out[level + "|" + row.id + "|" + kind + "|total"];
    block.reports = row.reports;
    if (field != "count") block.values[field] = row.value;
  }
  return out;
}

// The oracle's blocks of `level` in the total window.
BlockTable want_totals(const Expected& want, const std::string& level) {
  BlockTable out;
  for (const auto& [key, figures] : only_levels(want.blocks, {level})) {
    if (key.ends_with("|total")) out[key] = figures;
  }
  return out;
}

// The members of the group: started, killed, replaced; ports read by the monitor.
class Members {
 public:
  Members(std::string bootstrap, std::vector<std::string> flags)
      : bootstrap_(std::move(bootstrap)), flags_(std::move(flags)) {}

  void start(std::size_t slot) {
    auto run = std::make_unique<RunProcess>(bootstrap_, "scale-out", flags_);
    const std::lock_guard lock(mutex_);
    if (runs_.size() <= slot) runs_.resize(slot + 1);
    runs_[slot] = std::move(run);
  }
  // kill -9 and wait for the exit.
  void kill(std::size_t slot) {
    std::unique_ptr<RunProcess> run;
    {
      const std::lock_guard lock(mutex_);
      run = std::move(runs_[slot]);
    }
    run->process().send_signal(SIGKILL);
    EXPECT_TRUE(run->process().wait_for_exit(seconds(30)).has_value());
  }
  // SIGTERM: leaves the group for good.
  void stop(std::size_t slot) {
    std::unique_ptr<RunProcess> run;
    {
      const std::lock_guard lock(mutex_);
      run = std::move(runs_[slot]);
    }
    EXPECT_EQ(run->terminate().first, 0);
  }
  std::vector<std::uint16_t> ports() {
    const std::lock_guard lock(mutex_);
    std::vector<std::uint16_t> out;
    for (const auto& run : runs_) {
      if (run) out.push_back(run->port());
    }
    return out;
  }
  std::vector<RunProcess*> live() {
    const std::lock_guard lock(mutex_);
    std::vector<RunProcess*> out;
    for (const auto& run : runs_) {
      if (run) out.push_back(run.get());
    }
    return out;
  }

 private:
  std::string bootstrap_;
  std::vector<std::string> flags_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<RunProcess>> runs_;
};

TEST(ScaleOut, MembersKilledRestartedAndReplacedEachAnswerTheProgrammesFiguresExactly) {
  const std::uint64_t seed = env_or("FP_SCALE_SEED", std::random_device{}());
  const std::size_t reports = env_or("FP_SCALE_REPORTS", 100000);
  std::cerr << "scale-out seed " << seed << " (FP_SCALE_SEED=" << seed << " repeats it)\n";
  RecordProperty("seed", std::to_string(seed));
  SCOPED_TRACE("FP_SCALE_SEED=" + std::to_string(seed));
  std::mt19937_64 random(seed);

  // ~20 MB of reports over 12 partitions and the rows of every block of every
  // level (restated as partitions move) over 96: inside the broker's ~5 MiB a partition.
  BrokerProcess broker({"--brokers", "3", "--partitions", "12", "--topic", "field-progress:96"});
  PostgresServer postgres;
  const Stream stream = make_history_stream(reports, seed, 0.02, 0.02);
  const Expected want = expect(stream);
  Members members(broker.bootstrap(), {"--postgres", postgres.uri()});
  for (std::size_t slot = 0; slot < 3; ++slot) members.start(slot);

  // Reports arrive throughout; `attempted` is what may have reached the topic.
  std::atomic<std::size_t> attempted{0};
  std::string producer_error;
  std::thread producer([&] {
    try {
      for (std::size_t from = 0; from < reports; from += 2000) {
        const std::size_t to = std::min(reports, from + 2000);
        attempted = to;
        produce(broker.bootstrap(), "field-reports", stream.lines, stream.metas, from, to);
        std::this_thread::sleep_for(milliseconds(100));  // spreads the stream over the faults
      }
    } catch (const std::exception& e) {
      producer_error = e.what();
    }
  });

  // Never more than was sent (no double count) on any instance at any moment,
  // and never zero again on an instance (a port) once it answered figures.
  std::atomic<bool> monitoring{true};
  std::atomic<std::uint64_t> over{0}, zeros{0}, samples{0};
  std::thread monitor([&] {
    std::map<std::uint16_t, std::uint64_t> seen;
    while (monitoring) {
      for (const std::uint16_t port : members.ports()) {
        const auto reply = http_get(port, "/v1/summary");
        // Read after the answer: what it counted was produced by then.
        const std::size_t sent = attempted;
        if (!reply || reply->status != 200) continue;
        const auto figures = parse_summary(reply->body);
        if (!figures) continue;
        ++samples;
        if (figures->consumed > sent) ++over;
        if (figures->consumed == 0 && seen[port] > 0) ++zeros;
        seen[port] = std::max(seen[port], figures->consumed);
      }
      std::this_thread::sleep_for(milliseconds(200));  // sampling interval
    }
  });

  // The faults, at random moments of the stream.
  int kills = 0;
  for (int round = 0; round < 6; ++round) {
    std::this_thread::sleep_for(milliseconds(500 + random() % 2500));
    if (round == 2) {
      EXPECT_EQ(broker.command("down 2 5000"), "ok down 2 5000");
      EXPECT_EQ(broker.command("leader field-reports 0 3"), "ok leader field-reports 0 3");
      EXPECT_EQ(broker.command("leader fieldpulse.state 1 1"), "ok leader fieldpulse.state 1 1");
    }
    if (round == 4) {
      members.stop(2);   // leaves for good
      members.start(3);  // a new member joins
      continue;
    }
    const std::size_t slot = random() % 2;  // members 0 and 1 die and come back
    members.kill(slot);
    ++kills;
    members.start(slot);
  }
  producer.join();
  ASSERT_EQ(producer_error, "");
  ASSERT_GE(kills, 5);

  for (RunProcess* run : members.live()) {
    expect_everything_counted(*run, want);
    for (const std::string level : {"city", "county", "town", "village", "cadre"}) {
      EXPECT_EQ(api_blocks(run->port(), level), want_totals(want, level)) << level;
    }
  }
  monitoring = false;
  monitor.join();
  EXPECT_EQ(over, 0U) << "an instance answered more than was sent, of " << samples << " samples";
  EXPECT_EQ(zeros, 0U) << "an instance answered zero after figures, of " << samples << " samples";
  // Every live instance answers the same silent cadres and completeness.
  const auto live = members.live();
  const auto silent =
      http_get(live[0]->port(), "/v1/cadres/silent?days=14&as_of=2019-07-15T00:00:00%2B08:00");
  const auto complete = http_get(live[0]->port(), "/v1/completeness?level=town&date=2019-07-10");
  ASSERT_TRUE(silent && complete);
  for (RunProcess* run : live) {
    EXPECT_EQ(
        http_get(run->port(), "/v1/cadres/silent?days=14&as_of=2019-07-15T00:00:00%2B08:00")->body,
        silent->body);
    EXPECT_EQ(http_get(run->port(), "/v1/completeness?level=town&date=2019-07-10")->body,
              complete->body);
  }

  // Drained, the outputs hold the global figures: the latest row of every key.
  for (RunProcess* run : live) EXPECT_EQ(run->terminate().first, 0);
  KafkaTestConsumer consumer(broker.bootstrap());
  const auto count = consumer.message_count("field-progress");
  std::vector<std::string> rows;
  for (const auto& m : consumer.read("field-progress", static_cast<std::size_t>(count))) {
    rows.push_back(m.payload);
  }
  const Table published = table_of(latest_blocks(rows));
  const Table wanted = table_of(want.blocks);
  EXPECT_EQ(published.size(), wanted.size());
  EXPECT_TRUE(published == wanted) << "field-progress differs from the figures";
  EXPECT_TRUE(read_table(postgres.uri()) == wanted) << "the PostgreSQL table differs";
}

}  // namespace
}  // namespace fp::test
