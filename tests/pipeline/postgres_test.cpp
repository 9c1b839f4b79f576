// The PostgreSQL progress sink end to end: a real broker, a real PostgreSQL
// server, the real binary; the table compared with figures computed from the
// sent reports and with the field-progress topic.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <utility>
#include <vector>

#include "tests/pipeline/pipeline_harness.h"
#include "tests/pipeline/progress_table.h"
#include "tests/support/broker_process.h"
#include "tests/support/kafka_test_consumer.h"
#include "tests/support/postgres_server.h"
#include "tests/support/subprocess.h"

namespace fp::test {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;

constexpr std::size_t kReports = 3000;

// The latest block rows of the field-progress topic as the table's rows.
Table latest_progress(const std::string& bootstrap) {
  KafkaTestConsumer consumer(bootstrap);
  const auto count = consumer.message_count("field-progress");
  std::vector<std::string> rows;
  for (const auto& m : consumer.read("field-progress", static_cast<std::size_t>(count))) {
    rows.push_back(m.payload);
  }
  return table_of(latest_blocks(rows));
}

void expect_city_totals(const Table& table, const Expected& want) {
  for (const auto& [metric, value] : want.totals) {
    const auto it = table.find("city|4408|" + metric + "|total");
    ASSERT_NE(it, table.end()) << metric;
    EXPECT_EQ(it->second.first, value) << metric;
  }
}

class PostgresSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    produce(broker_.bootstrap(), "field-reports", stream_.lines, stream_.metas, 0, kReports);
  }

  BrokerProcess broker_{{"--brokers", "1", "--partitions", "4", "--topic", "replay-state:4"}};
  PostgresServer postgres_;
  Stream stream_ = make_stream(kReports, 23, 0.05, 0.02);
  Expected want_ = expect(stream_);
};

TEST_F(PostgresSinkTest, TableEqualsFiguresComputedFromTheSentReports) {
  RunProcess run(broker_.bootstrap(), "pg-figures", {"--postgres", postgres_.uri()});
  expect_everything_counted(run, want_);
  // Rows committed to the database are counted, and nothing failed.
  const auto metrics = await_get(
      run.port(), "/metrics",
      [](const HttpReply& reply) {
        return metric_value(reply.body, "fieldpulse_sink_writes_total{sink=\"postgres\"}")
                   .value_or(0) > 0;
      },
      seconds(60));
  ASSERT_TRUE(metrics.has_value());
  EXPECT_EQ(metric_value(metrics->body, "fieldpulse_sink_errors_total{sink=\"postgres\"}"), 0.0);
  EXPECT_EQ(run.terminate().first, 0);

  const Table table = read_table(postgres_.uri());
  expect_city_totals(table, want_);
  // Row for row what the run published to field-progress: same keys, same figures.
  const Table topic = latest_progress(broker_.bootstrap());
  ASSERT_FALSE(topic.empty());
  EXPECT_EQ(table.size(), topic.size());
  EXPECT_EQ(table, topic);
}

TEST_F(PostgresSinkTest, AReplayInANewGroupLeavesTheTableUnchanged) {
  {
    RunProcess first(broker_.bootstrap(), "pg-first", {"--postgres", postgres_.uri()});
    expect_everything_counted(first, want_);
    EXPECT_EQ(first.terminate().first, 0);
  }
  const Table before = read_table(postgres_.uri());
  expect_city_totals(before, want_);

  // A new group starts from the beginning and recomputes the same absolute figures.
  {
    RunProcess replay(broker_.bootstrap(), "pg-replay",
                      {"--postgres", postgres_.uri(), "--set", "kafka.topics.state=replay-state"});
    expect_everything_counted(replay, want_);
    EXPECT_EQ(replay.terminate().first, 0);
  }
  const Table after = read_table(postgres_.uri());
  EXPECT_EQ(after.size(), before.size());
  EXPECT_EQ(after, before);
  expect_city_totals(after, want_);
}

// The first `count` reports of `stream`, and what they alone must give.
Stream first_part(const Stream& stream, std::size_t count) {
  return {{stream.lines.begin(), stream.lines.begin() + static_cast<std::ptrdiff_t>(count)},
          {stream.metas.begin(), stream.metas.begin() + static_cast<std::ptrdiff_t>(count)}};
}

// Reports arrive in two parts, each read by its own run of one group.
class PostgresRestartTest : public ::testing::Test {
 protected:
  void produce_part(std::size_t from, std::size_t to) {
    produce(broker_.bootstrap(), "field-reports", stream_.lines, stream_.metas, from, to);
  }

  static constexpr std::size_t kHalf = kReports / 2;
  BrokerProcess broker_{{"--brokers", "1", "--partitions", "4"}};
  PostgresServer postgres_;
  Stream stream_ = make_stream(kReports, 29, 0.05, 0.02);
  Expected want_half_ = expect(first_part(stream_, kHalf));
  Expected want_ = expect(stream_);
};

TEST_F(PostgresRestartTest, ARestartMidStreamResumesFromItsCheckpointAndTheTableStaysExact) {
  produce_part(0, kHalf);
  {
    RunProcess first(broker_.bootstrap(), "pg-restart", {"--postgres", postgres_.uri()});
    expect_everything_counted(first, want_half_);
    EXPECT_EQ(first.terminate().first, 0);
  }
  expect_city_totals(read_table(postgres_.uri()), want_half_);

  produce_part(kHalf, kReports);
  {
    RunProcess second(broker_.bootstrap(), "pg-restart", {"--postgres", postgres_.uri()});
    expect_everything_counted(second, want_);
    EXPECT_EQ(second.terminate().first, 0);
  }
  const Table table = read_table(postgres_.uri());
  expect_city_totals(table, want_);
  // Keys changed by both runs hold the second run's figures, like the topic.
  EXPECT_EQ(table, latest_progress(broker_.bootstrap()));
}

TEST_F(PostgresRestartTest, ADrainBehindALockedTableExitsZeroInTimeAndARestartRedoesTheRest) {
  produce_part(0, kHalf);
  {
    RunProcess first(broker_.bootstrap(), "pg-locked", {"--postgres", postgres_.uri()});
    expect_everything_counted(first, want_half_);
    EXPECT_EQ(first.terminate().first, 0);
  }
  const Table before = read_table(postgres_.uri());
  expect_city_totals(before, want_half_);

  // Another session holds the table: every write of the next run waits on it.
  pqxx::connection locker(postgres_.uri());
  auto lock = std::make_unique<pqxx::work>(locker);
  lock->exec0("LOCK TABLE progress IN ACCESS EXCLUSIVE MODE");
  produce_part(kHalf, kReports);
  {
    RunProcess blocked(broker_.bootstrap(), "pg-locked", {"--postgres", postgres_.uri()},
                       Subprocess::Options{});
    expect_everything_counted(blocked, want_);
    const auto [status, took] = blocked.terminate();
    EXPECT_EQ(status, 0) << blocked.process().stderr_text();
    EXPECT_LT(took, seconds(10)) << blocked.process().stderr_text();
    EXPECT_THAT(blocked.process().stderr_text(), HasSubstr("will be redone on the next start"));
    EXPECT_THAT(blocked.process().stderr_text(), HasSubstr("postgres: "));
  }
  lock->abort();
  lock.reset();
  EXPECT_EQ(read_table(postgres_.uri()), before);

  {
    RunProcess restarted(broker_.bootstrap(), "pg-locked", {"--postgres", postgres_.uri()});
    expect_everything_counted(restarted, want_);
    EXPECT_EQ(restarted.terminate().first, 0);
  }
  const Table table = read_table(postgres_.uri());
  expect_city_totals(table, want_);
  EXPECT_EQ(table, latest_progress(broker_.bootstrap()));
}

TEST(PostgresSink, AnUnreachableDatabaseStopsRunWithExitOneNamingTheSink) {
  BrokerProcess broker({"--brokers", "1", "--partitions", "2"});
  // A port nothing listens on: the server is stopped before the run starts.
  std::string uri;
  {
    PostgresServer stopped;
    uri = stopped.uri();
  }
  Subprocess run({FP_BINARY, "run", "--brokers", broker.bootstrap(), "--group", "pg-down",
                  "--roster", roster_path(), "--http", "127.0.0.1:0", "--postgres", uri});
  EXPECT_EQ(run.wait_for_exit(seconds(60)), 1);
  EXPECT_THAT(run.stderr_text(), HasSubstr("sinks.postgres.uri"));
  EXPECT_THAT(run.stderr_text(), HasSubstr("postgres"));
}

}  // namespace
}  // namespace fp::test
