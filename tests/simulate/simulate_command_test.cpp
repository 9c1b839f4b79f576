// `fieldpulse simulate` as a process: NDJSON output, flags, signals, and a real broker.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "model/civil_time.h"
#include "simulate/report_generator.h"
#include "tests/support/broker_process.h"
#include "tests/support/kafka_test_consumer.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace fp::test {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;

constexpr const char* kNow = "2019-07-28T12:00:00+08:00";

std::vector<std::string> simulate_args(std::vector<std::string> extra) {
  std::vector<std::string> args = {FP_BINARY, "simulate"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

int run(Subprocess& process) {
  const auto status = process.wait_for_exit(seconds(240));
  return status.value_or(-1);
}

TEST(SimulateCommand, WritesTheGeneratorsReportsAsNdjson) {
  TempDir dir;
  const std::string out = dir.file("reports.ndjson");
  Subprocess process(simulate_args({"--out", out, "--count", "3000", "--seed", "5", "--now", kNow,
                                    "--bad", "0.1", "--dup", "0.1"}));
  ASSERT_EQ(run(process), 0) << process.stderr_text();
  EXPECT_THAT(process.stdout_text(), HasSubstr("sent 3000 reports"));

  const Catalog catalog = Catalog::load(FP_DATA_DIR "/catalog.toml");
  const Roster roster = Roster::load(FP_DATA_DIR "/zhanjiang-roster.json");
  SimulationOptions options;
  options.seed = 5;
  options.now_ms = parse_rfc3339(kNow).value();
  options.bad_ppm = 100'000;
  options.dup_ppm = 100'000;
  ReportGenerator generator(catalog, roster, options);
  const auto lines = read_lines(out);
  ASSERT_EQ(lines.size(), 3000U);
  std::string expected;
  for (const std::string& line : lines) {
    generator.next(expected);
    ASSERT_EQ(line, expected);
  }
}

TEST(SimulateCommand, SameSeedAndNowGiveTheSameFile) {
  TempDir dir;
  std::vector<std::vector<std::string>> files;
  for (const char* name : {"a.ndjson", "b.ndjson"}) {
    Subprocess process(simulate_args({"--out", dir.file(name), "--count", "2000", "--seed", "9",
                                      "--now", kNow, "--dup", "0.2"}));
    ASSERT_EQ(run(process), 0) << process.stderr_text();
    files.push_back(read_lines(dir.file(name)));
  }
  EXPECT_EQ(files[0], files[1]);
  EXPECT_EQ(files[0].size(), 2000U);
}

TEST(SimulateCommand, StdoutOutputKeepsTheSummaryOnStderr) {
  Subprocess process(simulate_args({"--out", "-", "--count", "10", "--now", kNow}));
  ASSERT_EQ(run(process), 0) << process.stderr_text();
  std::istringstream stdout_lines(process.stdout_text());
  std::size_t n = 0;
  for (std::string line; std::getline(stdout_lines, line); ++n) {
    EXPECT_EQ(line.rfind("{\"v\":1,\"report_id\":", 0), 0U) << line;
  }
  EXPECT_EQ(n, 10U);
  EXPECT_THAT(process.stderr_text(), HasSubstr("sent 10 reports"));
}

struct BadFlag {
  std::vector<std::string> args;
  std::string named;
};

TEST(SimulateCommand, BadFlagsExitTwoNamingTheFlag) {
  const std::vector<BadFlag> cases = {
      {{"--out", "-", "--bad", "1.5"}, "--bad"},
      {{"--out", "-", "--dup", "-0.1"}, "--dup"},
      {{"--out", "-", "--rate", "-1"}, "--rate"},
      {{"--out", "-", "--count", "0"}, "--count"},
      {{"--out", "-", "--now", "yesterday"}, "--now"},
      {{"--out", "-", "--now", "2017-01-01T00:00:00+08:00"}, "--now"},
      {{"--out", "-", "--roster", "/nonexistent/roster.json"}, "/nonexistent/roster.json"},
      {{"--out", "-", "--catalog", "/nonexistent/catalog.toml"}, "/nonexistent/catalog.toml"},
      {{"--out", "/nonexistent/dir/out.ndjson"}, "--out"},
      {{"--count", "5"}, "--brokers"},
      {{"--out", "-", "--brokers", "127.0.0.1:1"}, "--brokers"},
      {{"--out", "-", "--bad", "0.6", "--dup", "0.6"}, "--dup"},
  };
  for (const BadFlag& c : cases) {
    Subprocess process(simulate_args(c.args));
    EXPECT_EQ(run(process), 2) << c.named;
    EXPECT_THAT(process.stderr_text() + process.stdout_text(), HasSubstr(c.named));
  }
}

TEST(SimulateCommand, BadHistoryFlagsExitTwoNamingTheFlag) {
  const std::vector<BadFlag> cases = {
      {{"--out", "-", "--from", "2019-01-01"}, "--from"},
      {{"--out", "-", "--to", "2019-01-01"}, "--to"},
      {{"--out", "-", "--from", "2019-03-01", "--to", "2019-02-28"}, "--from"},
      {{"--out", "-", "--from", "2019-02-30", "--to", "2019-03-01"}, "--from"},
      {{"--out", "-", "--from", "2019-01-01", "--to", "2019-1-31"}, "--to"},
      {{"--out", "-", "--from", "2018-04-30", "--to", "2018-05-31"}, "--from"},
      {{"--out", "-", "--now", kNow, "--from", "2019-07-01", "--to", "2019-07-29"}, "--to"},
      {{"--out", "-", "--late", "0.1"}, "--late"},
      {{"--out", "-", "--from", "2019-01-01", "--to", "2019-01-31", "--late", "2"}, "--late"},
  };
  for (const BadFlag& c : cases) {
    Subprocess process(simulate_args(c.args));
    EXPECT_EQ(run(process), 2) << c.named;
    EXPECT_THAT(process.stderr_text() + process.stdout_text(), HasSubstr(c.named));
  }
}

// The number after "key": in a JSON document (the replay summary).
long long json_number(const std::string& json, const std::string& key) {
  const auto at = json.find("\"" + key + "\":");
  if (at == std::string::npos) return -1;
  return std::stoll(json.substr(at + key.size() + 3));
}

// Replays FILE with the processing clock at kNow; the /v1/summary document.
std::string replay_summary(const std::string& file) {
  Subprocess replay({FP_BINARY, "replay", "--json", "--now", kNow, file});
  EXPECT_EQ(run(replay), 0) << replay.stderr_text();
  return replay.stdout_text();
}

TEST(SimulateCommand, ReplayOfAHistoryAcceptsEveryReportOverEveryDay) {
  TempDir dir;
  const std::string out = dir.file("history.ndjson");
  Subprocess process(simulate_args({"--out", out, "--count", "20000", "--seed", "3", "--now", kNow,
                                    "--from", "2019-05-01", "--to", "2019-06-30"}));
  ASSERT_EQ(run(process), 0) << process.stderr_text();
  std::set<std::string> days;
  for (const std::string& line : read_lines(out)) {
    const auto at = line.find("\"at\":\"");
    ASSERT_NE(at, std::string::npos) << line;
    days.insert(line.substr(at + 6, 10));
  }
  ASSERT_EQ(days.size(), 61U);
  EXPECT_EQ(*days.begin(), "2019-05-01");
  EXPECT_EQ(*days.rbegin(), "2019-06-30");

  const std::string summary = replay_summary(out);
  EXPECT_EQ(json_number(summary, "accepted"), 20000) << summary;
  EXPECT_EQ(json_number(summary, "duplicate"), 0);
  EXPECT_EQ(json_number(summary, "rejected"), 0);
}

TEST(SimulateCommand, AHistorysResendsAreJudgedDuplicates) {
  TempDir dir;
  const std::string out = dir.file("history.ndjson");
  Subprocess process(
      simulate_args({"--out", out, "--count", "10000", "--seed", "4", "--now", kNow, "--from",
                     "2018-05-01", "--to", "2019-07-28", "--dup", "0.05", "--bad", "0.02"}));
  ASSERT_EQ(run(process), 0) << process.stderr_text();
  // "sent 10000 reports (valid V, duplicate D, bad B)"
  const std::string said = process.stdout_text();
  const auto number_after = [&](const std::string& word) {
    return std::stoll(said.substr(said.find(word) + word.size()));
  };
  const long long valid = number_after("(valid "), duplicate = number_after("duplicate "),
                  bad = number_after("bad ");
  EXPECT_GT(duplicate, 400);
  EXPECT_GT(bad, 100);

  const std::string summary = replay_summary(out);
  EXPECT_EQ(json_number(summary, "accepted"), valid) << summary;
  EXPECT_EQ(json_number(summary, "duplicate"), duplicate);
  EXPECT_EQ(json_number(summary, "rejected"), bad);
}

TEST(SimulateCommand, AHistoryIsReproducibleFromItsSeedAloneAndRateOnlyPacesIt) {
  TempDir dir;
  std::vector<std::vector<std::string>> files;
  // No --now: the processing clock is the wall clock, which a history does not follow;
  // --rate paces the sending but does not move event times.
  for (const std::string rate : {"0", "20000"}) {
    const std::string out = dir.file("rate-" + rate + ".ndjson");
    Subprocess process(
        simulate_args({"--out", out, "--count", "3000", "--seed", "8", "--from", "2019-01-01",
                       "--to", "2019-03-31", "--dup", "0.1", "--rate", rate}));
    ASSERT_EQ(run(process), 0) << process.stderr_text();
    files.push_back(read_lines(out));
  }
  EXPECT_EQ(files[0].size(), 3000U);
  EXPECT_EQ(files[0], files[1]);
}

TEST(SimulateCommand, SigtermEndsAPacedRunWithWholeLinesAndExitZero) {
  TempDir dir;
  const std::string out = dir.file("paced.ndjson");
  Subprocess process(simulate_args({"--out", out, "--rate", "500", "--now", kNow}));
  // The file is written in batches; wait until some of it is there.
  const auto deadline = std::chrono::steady_clock::now() + seconds(60);
  while (read_lines(out).size() < 10 && std::chrono::steady_clock::now() < deadline) {
    ASSERT_TRUE(process.running()) << process.stderr_text();
    process.wait_for_exit(std::chrono::milliseconds(50));
  }
  process.send_signal(SIGTERM);
  ASSERT_EQ(process.wait_for_exit(seconds(10)).value_or(-1), 0) << process.stderr_text();
  const auto lines = read_lines(out);
  EXPECT_GE(lines.size(), 10U);
  EXPECT_THAT(process.stdout_text(), HasSubstr("sent " + std::to_string(lines.size()) + " "));
  for (const auto& line : lines) EXPECT_EQ(line.back(), '}') << line;
}

TEST(SimulateCommand, FiftyThousandReportsReachTheBroker) {
  BrokerProcess broker;
  Subprocess process(
      simulate_args({"--count", "50000", "--brokers", broker.bootstrap(), "--dup", "0.01"}));
  ASSERT_EQ(run(process), 0) << process.stderr_text();
  EXPECT_THAT(process.stdout_text(), HasSubstr("delivered 50000, failed 0"));

  KafkaTestConsumer consumer(broker.bootstrap());
  const auto messages = consumer.read("field-reports", 50000, seconds(120));
  ASSERT_EQ(messages.size(), 50000U);
  EXPECT_EQ(consumer.message_count("field-reports"), 50000);
  for (const auto& m : messages) {
    ASSERT_TRUE(m.key.has_value());
    ASSERT_NE(m.payload.find("\"village\":\"" + *m.key + "\""), std::string::npos) << m.payload;
  }

  // An independent client agrees.
  Subprocess kcat(
      {"/bin/sh", "-c", "kcat -C -e -q -b '" + broker.bootstrap() + "' -t field-reports | wc -l"});
  ASSERT_EQ(kcat.wait_for_exit(seconds(120)).value_or(-1), 0) << kcat.stderr_text();
  EXPECT_EQ(std::stoll(kcat.stdout_text()), 50000);
  EXPECT_EQ(broker.stop(SIGTERM), 0);
}

}  // namespace
}  // namespace fp::test
