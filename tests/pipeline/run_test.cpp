// `fieldpulse run` end to end: a real broker, the real binary, a simulated stream;
// every output compared with figures computed here from the sent messages.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>

#include <chrono>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "model/roster.h"
#include "tests/pipeline/pipeline_harness.h"
#include "tests/support/broker_process.h"
#include "tests/support/kafka_test_consumer.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace fp::test {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;

constexpr std::size_t kReports = 4000;  // ~1.5 MB over 4 partitions: far inside retention

// Every row of the field-progress topic, in order, and the key it was published under.
std::vector<std::string> progress_rows(KafkaTestConsumer& consumer) {
  const auto count = consumer.message_count("field-progress");
  std::vector<std::string> rows;
  for (const auto& m : consumer.read("field-progress", static_cast<std::size_t>(count))) {
    EXPECT_EQ(m.key.value_or(""), parse_block_row(m.payload).key) << m.payload;
    rows.push_back(m.payload);
  }
  return rows;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The complete lines of a JSON Lines file that no flush is writing to; a torn
// last line fails the test.
std::vector<std::string> jsonl_rows(const std::string& path) {
  const std::string text = read_text(path);
  EXPECT_TRUE(text.empty() || text.back() == '\n') << "torn last line in " << path;
  std::vector<std::string> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) rows.push_back(line);
  return rows;
}

// The latest figures per block in a JSON Lines file a flush may be writing to
// (a write(2) in progress may be seen in part: its lines are left for later).
BlockTable jsonl_latest_so_far(const std::string& path) {
  std::string text = read_text(path);
  text.resize(text.rfind('\n') + 1);  // npos + 1 == 0
  std::vector<std::string> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) rows.push_back(line);
  return latest_blocks(rows);
}

// The names the rows carry are the roster's.
void expect_roster_names(const std::vector<std::string>& rows) {
  const Roster roster = Roster::load(roster_path());
  for (const auto& text : rows) {
    const BlockRow row = parse_block_row(text);
    const std::string id = row.key.substr(
        row.level.size() + 1, row.key.find('|', row.level.size() + 1) - row.level.size() - 1);
    const std::string& name = row.level == "cadre" ? roster.cadre(*roster.find_cadre(id)).name
                                                   : roster.region(*roster.find_region(id)).name;
    ASSERT_EQ(row.name, name) << text;
  }
}

TEST(PipelineRun, OutputsEqualFiguresComputedFromTheSentReports) {
  BrokerProcess broker({"--brokers", "1", "--partitions", "4"});
  const Stream stream = make_stream(kReports, 11, 0.05, 0.02);
  const Expected want = expect(stream);
  ASSERT_GT(want.rejected, 0u);
  ASSERT_GT(want.duplicate, 0u);
  produce(broker.bootstrap(), "field-reports", stream.lines, stream.metas, 0, kReports);

  TempDir dir;
  RunProcess run(broker.bootstrap(), "figures", {"--jsonl", dir.file("progress.jsonl")});
  ASSERT_NE(run.port(), 0) << "no 'serving' line on stdout";
  const auto got = await_summary(
      run.port(), [&](const SummaryFigures& f) { return f.consumed >= want.consumed; },
      seconds(120));
  ASSERT_TRUE(got.has_value());
  expect_summary_equals(*got, want);

  // /v1/progress: funds raised per county.
  EXPECT_EQ(progress_by_id(run.port(), "county", "funds_raised.yuan"), want.funds_raised_by_county);

  // Readiness once caught up.
  const auto ready = http_get(run.port(), "/readyz");
  ASSERT_TRUE(ready.has_value());
  EXPECT_EQ(ready->status, 200) << ready->body;

  // /metrics: the contract's names with this process's counts. Dead-letter writes
  // count acknowledgements and lag comes from a periodic sampler, so both may
  // trail the summary a little: await them.
  const auto metrics = await_get(
      run.port(), "/metrics",
      [&](const HttpReply& reply) {
        return reply.body.find("fieldpulse_consumer_lag_messages{") != std::string::npos &&
               metric_value(reply.body, "fieldpulse_sink_writes_total{sink=\"dead-letter\"}") ==
                   static_cast<double>(want.rejected);
      },
      seconds(60));
  ASSERT_TRUE(metrics.has_value());
  EXPECT_EQ(metric_value(metrics->body, "fieldpulse_messages_consumed_total"),
            static_cast<double>(want.consumed));
  EXPECT_EQ(metric_value(metrics->body, "fieldpulse_reports_duplicate_total"),
            static_cast<double>(want.duplicate));
  for (const auto& [reason, n] : want.rejected_by_reason) {
    EXPECT_EQ(
        metric_value(metrics->body, "fieldpulse_reports_rejected_total{reason=\"" + reason + "\"}"),
        static_cast<double>(n))
        << reason;
  }
  EXPECT_THAT(metrics->body, HasSubstr("fieldpulse_consumer_lag_messages"));
  EXPECT_THAT(metrics->body, HasSubstr("fieldpulse_processing_latency_seconds_bucket"));
  EXPECT_THAT(metrics->body, HasSubstr("fieldpulse_sink_writes_total{sink=\"field-progress\"}"));
  EXPECT_EQ(metric_value(metrics->body, "fieldpulse_sink_writes_total{sink=\"dead-letter\"}"),
            static_cast<double>(want.rejected));

  // Draining makes every output durable, so the topics can be read in full.
  const auto [status, took] = run.terminate();
  EXPECT_EQ(status, 0);
  EXPECT_LT(took, seconds(10));

  KafkaTestConsumer consumer(broker.bootstrap());
  // field-progress: the latest row per block equals the block's figures
  // computed from the reports, for every block of every level and window.
  const auto published = progress_rows(consumer);
  EXPECT_EQ(latest_blocks(published), want.blocks);
  expect_roster_names(published);

  // DLQ: one record per rejected message, with its reason and original payload.
  const auto dead = consumer.read("field-reports.dlq", want.rejected, seconds(30));
  ASSERT_EQ(dead.size(), want.rejected);
  std::map<std::string, std::uint64_t> reasons;
  std::multiset<std::string> payloads;
  simdjson::ondemand::parser parser;
  for (const auto& m : dead) {
    simdjson::padded_string padded(m.payload);
    auto doc = parser.iterate(padded);
    ++reasons[std::string(std::string_view(doc["reason"].get_string().value()))];
    EXPECT_FALSE(std::string_view(doc["detail"].get_string().value()).empty());
    EXPECT_EQ(std::string_view(doc["topic"].get_string().value()), "field-reports");
    EXPECT_GE(doc["offset"].get_int64().value(), 0);
    if (auto payload = doc["payload"].get_string(); !payload.error()) {
      payloads.insert(std::string(std::string_view(payload.value())));
    }
  }
  EXPECT_EQ(reasons, want.rejected_by_reason);
  EXPECT_EQ(payloads, want.bad_payloads);

  // The JSON Lines file: the same rows, the latest per block equal to the figures.
  EXPECT_EQ(latest_blocks(jsonl_rows(dir.file("progress.jsonl"))), want.blocks);
}

// With checkpoint rounds far apart, JSON Lines rows still reach the file, as
// complete lines, within the flush interval and are counted as written; each
// sink publishes only its configured levels.
TEST(PipelineRun, JsonlRowsAreOnDiskWithinTheFlushIntervalAndEachSinkKeepsItsLevels) {
  BrokerProcess broker({"--brokers", "1", "--partitions", "4"});
  const Stream stream = make_stream(kReports, 31, 0.02, 0.02);
  const Expected want = expect(stream);
  produce(broker.bootstrap(), "field-reports", stream.lines, stream.metas, 0, kReports);

  TempDir dir;
  const std::string path = dir.file("progress.jsonl");
  RunProcess run(
      broker.bootstrap(), "jsonl-levels",
      {"--jsonl", path, "--set", "checkpoint.interval_ms=600000", "--set",
       "sinks.progress.flush_interval_ms=200", "--set", "sinks.progress.levels=city,county",
       "--set", "sinks.jsonl.levels=village,cadre"});
  ASSERT_NE(run.port(), 0);
  expect_everything_counted(run, want);

  const BlockTable want_jsonl = only_levels(want.blocks, {"village", "cadre"});
  const auto deadline = std::chrono::steady_clock::now() + seconds(60);
  while (jsonl_latest_so_far(path) != want_jsonl && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling interval
  }
  // Every row is in and no flush is left to write: the file ends on a whole line.
  EXPECT_EQ(latest_blocks(jsonl_rows(path)), want_jsonl);
  const auto metrics = await_get(
      run.port(), "/metrics",
      [&](const HttpReply& reply) {
        return metric_value(reply.body, "fieldpulse_sink_writes_total{sink=\"jsonl\"}") ==
               static_cast<double>(jsonl_rows(path).size());
      },
      seconds(30));
  ASSERT_TRUE(metrics.has_value());
  EXPECT_GE(metric_value(metrics->body, "fieldpulse_sink_writes_total{sink=\"jsonl\"}"),
            static_cast<double>(want_jsonl.size()));

  EXPECT_EQ(run.terminate().first, 0);
  KafkaTestConsumer consumer(broker.bootstrap());
  EXPECT_EQ(latest_blocks(progress_rows(consumer)), only_levels(want.blocks, {"city", "county"}));
}

TEST(PipelineRun, DrainsOnSigtermAndARestartContinuesWithoutLossOrDoubleCounting) {
  BrokerProcess broker({"--brokers", "1", "--partitions", "4"});
  const Stream stream = make_stream(kReports, 23, 0.05, 0.02);
  const Expected want = expect(stream);
  const std::size_t half = kReports / 2;
  produce(broker.bootstrap(), "field-reports", stream.lines, stream.metas, 0, half);
  {
    RunProcess first(broker.bootstrap(), "restart");
    ASSERT_NE(first.port(), 0);
    ASSERT_TRUE(await_summary(
        first.port(), [](const SummaryFigures& f) { return f.consumed > 0; }, seconds(120)));
    // More reports arrive while it runs, and it is stopped in the middle of them.
    produce(broker.bootstrap(), "field-reports", stream.lines, stream.metas, half, kReports);
    const auto [status, took] = first.terminate();
    EXPECT_EQ(status, 0);
    EXPECT_LT(took, seconds(10));
  }
  RunProcess second(broker.bootstrap(), "restart");
  expect_everything_counted(second, want);
  // Nothing more arrives later (no message applied twice after a quiet moment).
  const auto again = await_summary(
      second.port(), [&](const SummaryFigures& f) { return f.consumed > want.consumed; },
      seconds(2));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->consumed, want.consumed);
  EXPECT_EQ(second.terminate().first, 0);
}

// Contract section 6 (1.1): a second deployment or a rebuild in a new group
// runs beside the first with nothing but --group, on the same state topic, and
// each group's figures stay its own through a kill -9 and a restart.
TEST(PipelineRun, TwoConsumerGroupsShareTheClusterWithNothingButTheirGroup) {
  BrokerProcess broker({"--brokers", "1", "--partitions", "4"});
  // Fifteen months of event days, with resends, late and bad reports.
  const Stream stream = make_history_stream(kReports, 29, 0.05, 0.03);
  const Expected want = expect(stream);
  produce(broker.bootstrap(), "field-reports", stream.lines, stream.metas, 0, kReports / 2);
  {
    RunProcess blue(broker.bootstrap(), "blue");
    ASSERT_TRUE(await_summary(
        blue.port(), [](const SummaryFigures& f) { return f.consumed > 0; }, seconds(120)));
    produce(broker.bootstrap(), "field-reports", stream.lines, stream.metas, kReports / 2,
            kReports);
    RunProcess green(broker.bootstrap(), "green");
    expect_everything_counted(green, want);
    expect_everything_counted(blue, want);
    // Both checkpoint every second into the same state partitions; a crash of
    // one restarts from its own checkpoints, never the other's.
    blue.process().send_signal(SIGKILL);
    EXPECT_TRUE(blue.process().wait_for_exit(seconds(30)).has_value());
    EXPECT_EQ(green.terminate().first, 0);
  }
  RunProcess blue_again(broker.bootstrap(), "blue");
  expect_everything_counted(blue_again, want);
  RunProcess green_again(broker.bootstrap(), "green");
  expect_everything_counted(green_again, want);
  // A rebuild from offset 0 in a new group counts the same, on its own.
  RunProcess rebuild(broker.bootstrap(), "rebuild");
  expect_everything_counted(rebuild, want);
}

bool counts_everything(const SummaryFigures& f, const Expected& want) {
  return f.consumed == want.consumed && f.accepted == want.accepted &&
         f.duplicate == want.duplicate && f.rejected == want.rejected;
}

// Two `fieldpulse run` in one group: a second joins while reports arrive and the
// partitions are shared out; each answers the programme's figures, not its own
// partitions' (contract section 6). Then the first leaves, the second takes
// over, and every key's latest field-progress row is the global figure.
TEST(PipelineRun, TwoMembersOfOneGroupEachAnswerTheProgrammesFiguresAsOneJoinsAndTheOtherLeaves) {
  BrokerProcess broker({"--brokers", "1", "--partitions", "4"});
  const Stream stream = make_stream(kReports, 67, 0.05, 0.02);
  const Expected want = expect(stream);
  produce(broker.bootstrap(), "field-reports", stream.lines, stream.metas, 0, kReports / 2);
  RunProcess first(broker.bootstrap(), "members");
  ASSERT_TRUE(await_summary(
      first.port(), [](const SummaryFigures& f) { return f.consumed > 0; }, seconds(120)));
  RunProcess second(broker.bootstrap(), "members");
  produce(broker.bootstrap(), "field-reports", stream.lines, stream.metas, kReports / 2, kReports);

  // Once both own partitions (the lag of owned ones only is exported), both
  // answer every figure.
  const auto owns_some = [](std::uint16_t port) {
    const auto m = http_get(port, "/metrics");
    return m && m->body.find("fieldpulse_consumer_lag_messages{") != std::string::npos;
  };
  const auto deadline = std::chrono::steady_clock::now() + seconds(120);
  while (!(owns_some(first.port()) && owns_some(second.port())) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // poll interval
  }
  ASSERT_TRUE(owns_some(first.port()) && owns_some(second.port()));
  for (RunProcess* run : {&first, &second}) {
    const auto got = await_summary(
        run->port(), [&](const SummaryFigures& f) { return counts_everything(f, want); },
        seconds(120));
    ASSERT_TRUE(got.has_value());
    expect_summary_equals(*got, want);
    EXPECT_EQ(progress_by_id(run->port(), "county", "funds_raised.yuan"),
              want.funds_raised_by_county);
  }

  const auto [status, took] = first.terminate();
  EXPECT_EQ(status, 0);
  EXPECT_LT(took, seconds(10));
  expect_everything_counted(second, want);
  EXPECT_EQ(progress_by_id(second.port(), "county", "funds_raised.yuan"),
            want.funds_raised_by_county);
  EXPECT_EQ(second.terminate().first, 0);

  // One writer per key, and the latest row of every key is the global figure.
  KafkaTestConsumer consumer(broker.bootstrap());
  EXPECT_EQ(latest_blocks(progress_rows(consumer)), want.blocks);
}

// A member killed while it works through the stream restarts from its
// checkpoints: what it had processed since is done again, once.
TEST(PipelineRun, AKillDashNineInTheMiddleOfTheStreamLosesNothingAndCountsNothingTwice) {
  BrokerProcess broker({"--brokers", "1", "--partitions", "4"});
  const Stream stream = make_stream(kReports, 71, 0.05, 0.02);
  const Expected want = expect(stream);
  produce(broker.bootstrap(), "field-reports", stream.lines, stream.metas, 0, kReports);
  {
    RunProcess crashing(broker.bootstrap(), "crash", {"--set", "kafka.batch_max_messages=50"});
    ASSERT_TRUE(await_summary(
        crashing.port(), [](const SummaryFigures& f) { return f.consumed > 0; }, seconds(120)));
    crashing.process().send_signal(SIGKILL);
    EXPECT_TRUE(crashing.process().wait_for_exit(seconds(30)).has_value());
  }
  RunProcess restarted(broker.bootstrap(), "crash");
  expect_everything_counted(restarted, want);
  const auto again = await_summary(
      restarted.port(), [&](const SummaryFigures& f) { return f.consumed > want.consumed; },
      seconds(2));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->consumed, want.consumed);
  EXPECT_EQ(restarted.terminate().first, 0);
}

TEST(PipelineRun, BackpressurePausesFetchingWithoutLosingOrRepeatingAnything) {
  BrokerProcess broker({"--brokers", "1", "--partitions", "4"});
  const Stream stream = make_stream(kReports, 13, 0.05, 0.02);
  const Expected want = expect(stream);
  produce(broker.bootstrap(), "field-reports", stream.lines, stream.metas, 0, kReports);
  // A batch that leaves more than one output unacknowledged (any with two of the
  // ~200 rejected reports) pauses fetching, discarding what librdkafka had
  // prefetched, until the sinks catch up.
  RunProcess run(broker.bootstrap(), "pauses", {"--set", "sinks.max_unacknowledged=1"});
  expect_everything_counted(run, want);
  const auto metrics = await_get(
      run.port(), "/metrics",
      [&](const HttpReply& reply) {
        return metric_value(reply.body, "fieldpulse_sink_writes_total{sink=\"dead-letter\"}") ==
               static_cast<double>(want.rejected);
      },
      seconds(60));
  ASSERT_TRUE(metrics.has_value());
  EXPECT_GE(metric_value(metrics->body, "fieldpulse_backpressure_pauses_total").value_or(0), 1);
  EXPECT_EQ(metric_value(metrics->body, "fieldpulse_messages_consumed_total"),
            static_cast<double>(want.consumed));
  KafkaTestConsumer consumer(broker.bootstrap());
  EXPECT_EQ(consumer.message_count("field-reports.dlq"), static_cast<std::int64_t>(want.rejected));
  EXPECT_EQ(run.terminate().first, 0);
}

TEST(PipelineRun, APrefetchSmallerThanTheBacklogKeepsFetchingAndCountsEveryReport) {
  BrokerProcess broker({"--brokers", "1", "--partitions", "4"});
  const Stream stream = make_stream(kReports, 17, 0.02, 0.02);
  const Expected want = expect(stream);
  produce(broker.bootstrap(), "field-reports", stream.lines, stream.metas, 0, kReports);
  // The prefetch fills up over and over while the backlog is worked off in small
  // batches; each time the queue halves, the fetchers are woken.
  RunProcess run(
      broker.bootstrap(), "prefetch",
      {"--set", "kafka.queued_min_messages=200", "--set", "kafka.batch_max_messages=50"});
  expect_everything_counted(run, want);
  const auto metrics = http_get(run.port(), "/metrics");
  ASSERT_TRUE(metrics.has_value());
  EXPECT_GE(metric_value(metrics->body, "fieldpulse_prefetch_full_total").value_or(0), 1);
  EXPECT_EQ(metric_value(metrics->body, "fieldpulse_messages_consumed_total"),
            static_cast<double>(want.consumed));
  EXPECT_EQ(run.terminate().first, 0);
}

TEST(PipelineRun, ReportsMessagesThatExpiredUnprocessedAsADataGap) {
  BrokerProcess broker({"--brokers", "1", "--partitions", "1"});
  const Stream before = make_stream(2000, 31, 0, 0);
  produce(broker.bootstrap(), "field-reports", before.lines, before.metas, 0, before.lines.size());
  {
    RunProcess first(broker.bootstrap(), "gap");
    ASSERT_TRUE(await_summary(
        first.port(), [](const SummaryFigures& f) { return f.consumed == 2000; }, seconds(120)));
    ASSERT_EQ(first.terminate().first, 0);  // checkpointed through offset 2000
  }
  // While no instance runs, more arrives than the broker retains (~5 MiB a
  // partition): the oldest unprocessed reports expire.
  const Stream after = make_stream(30000, 32, 0, 0);
  produce(broker.bootstrap(), "field-reports", after.lines, after.metas, 0, after.lines.size());
  KafkaTestConsumer consumer(broker.bootstrap());
  const std::int64_t held = consumer.message_count("field-reports");
  const std::int64_t low = 32000 - held;
  ASSERT_GT(low, 2000) << "the broker kept everything; produce more to force expiry";

  RunProcess second(broker.bootstrap(), "gap");
  const auto got = await_summary(
      second.port(),
      [&](const SummaryFigures& f) {
        return f.consumed == static_cast<std::uint64_t>(2000 + held);
      },
      seconds(120));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->consumed, static_cast<std::uint64_t>(2000 + held));
  const auto ready = http_get(second.port(), "/readyz");
  ASSERT_TRUE(ready.has_value());
  EXPECT_EQ(ready->status, 503);
  EXPECT_THAT(ready->body,
              HasSubstr("data gap on field-reports[0]: offsets 2000.." + std::to_string(low - 1)));
  const auto metrics = http_get(second.port(), "/metrics");
  ASSERT_TRUE(metrics.has_value());
  EXPECT_EQ(metric_value(metrics->body, "fieldpulse_data_gap_messages_total{partition=\"0\"}"),
            static_cast<double>(low - 2000));
  EXPECT_EQ(second.terminate().first, 0);
}

struct UsageCase {
  std::vector<std::string> args;
  std::string named;
};

TEST(PipelineRun, BadFlagsAndConfigKeysExitTwoNamingThem) {
  TempDir dir;
  const std::string bad_config = dir.file("bad.toml");
  std::ofstream(bad_config) << "[http]\nlisen = \"127.0.0.1:1\"\n";
  const std::string misspelt = dir.file("misspelt.toml");
  std::ofstream(misspelt) << "[kafka.properties]\n\"secutiry.protocol\" = \"SSL\"\n";
  const std::string incomplete = dir.file("incomplete.toml");
  std::ofstream(incomplete) << "[kafka.properties]\n\"client.id\" = \"fp\"\n"
                            << "\"security.protocol\" = \"SASL_SSL\"\n";
  const std::vector<UsageCase> cases = {
      {{"--bogus-flag"}, "--bogus-flag"},
      {{"--brokers", "host:notaport"}, "flag --brokers: kafka.brokers"},
      {{"--brokers", "127.0.0.1:1", "--config", misspelt},
       misspelt + ":2: kafka.properties.secutiry.protocol"},
      {{"--brokers", "127.0.0.1:1", "--config", incomplete, "--print-config"},
       incomplete + ":3: kafka.properties.security.protocol"},
      {{"--brokers", "127.0.0.1:1", "--roster", "/nonexistent/roster.json"}, "flag --roster"},
      {{"--brokers", "127.0.0.1:1", "--set", "kafka.nope=1"}, "kafka.nope"},
      {{"--brokers", "127.0.0.1:1", "--config", bad_config}, "http.lisen"},
      {{"--brokers", "127.0.0.1:1", "--set", "checkpoint.interval_ms=abc"},
       "checkpoint.interval_ms"},
      {{"--http", "127.0.0.1:0"}, "kafka.brokers"},
      {{"--brokers", "127.0.0.1:1", "--set", "sinks.progress.levels=city,province"},
       "sinks.progress.levels"},
      {{"--brokers", "127.0.0.1:1", "--set", "sinks.jsonl.levels="}, "sinks.jsonl.levels"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> argv = {FP_BINARY, "run"};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    Subprocess run(argv);
    const auto status = run.wait_for_exit(seconds(30));
    EXPECT_EQ(status, 2) << c.named;
    EXPECT_THAT(run.stderr_text() + run.stdout_text(), HasSubstr(c.named));
  }
}

// Checkpoint of source partition P goes to state partition P. A state topic
// with fewer partitions (here 4, as a broker's default num.partitions might
// give one) stops the instance as it starts, naming the remedy, rather than
// restoring nothing and failing at the first checkpoint.
TEST(PipelineRun, AStateTopicWithFewerPartitionsThanTheReportsTopicStopsItNamingBoth) {
  BrokerProcess broker({"--brokers", "1", "--partitions", "6", "--topic", "small-state:4"});
  Subprocess run({FP_BINARY, "run", "--brokers", broker.bootstrap(), "--group", "small", "--roster",
                  roster_path(), "--http", "127.0.0.1:0", "--set",
                  "kafka.topics.state=small-state"});
  EXPECT_EQ(run.wait_for_exit(seconds(60)), 1);
  EXPECT_THAT(run.stderr_text(), HasSubstr("cannot follow the state topic"));
  EXPECT_THAT(run.stderr_text(), HasSubstr("small-state has 4 partitions"));
  EXPECT_THAT(run.stderr_text(), HasSubstr("field-reports needs 6"));
  EXPECT_THAT(run.stderr_text(), HasSubstr("kafka.topics.state"));
}

// A state topic the broker does not have is refused as the instance starts,
// and asking about it creates nothing: an auto-created one
// would have the broker's default partition count and no compaction.
TEST(PipelineRun, AMissingStateTopicStopsItAndIsNotCreated) {
  BrokerProcess broker({"--brokers", "1", "--partitions", "2"});
  Subprocess run({FP_BINARY, "run", "--brokers", broker.bootstrap(), "--group", "missing",
                  "--roster", roster_path(), "--http", "127.0.0.1:0", "--set",
                  "kafka.topics.state=missing-state"});
  EXPECT_EQ(run.wait_for_exit(seconds(60)), 1);
  EXPECT_THAT(run.stderr_text(), HasSubstr("cannot follow the state topic"));
  EXPECT_THAT(run.stderr_text(), HasSubstr("the state topic missing-state does not exist"));
  KafkaTestConsumer consumer(broker.bootstrap());
  const auto topics = consumer.topic_names();
  EXPECT_THAT(topics, ::testing::Contains("field-reports"));
  EXPECT_THAT(topics, ::testing::Not(::testing::Contains("missing-state")));
}

}  // namespace
}  // namespace fp::test
