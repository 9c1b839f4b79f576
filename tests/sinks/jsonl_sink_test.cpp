// The JSON Lines sink: block rows as complete lines, on disk and counted within
// the flush interval without waiting for a checkpoint round, durable after flush().
#include "sinks/jsonl/jsonl_sink.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "metrics/pipeline_probe.h"
#include "metrics/registry.h"
#include "sinks/registry.h"
#include "tests/processors/core_fixture.h"
#include "tests/support/temp_dir.h"

namespace fp {
namespace {

using core_test::make_core;
using core_test::report;
using core_test::run;
using std::chrono::milliseconds;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

class JsonlSinkTest : public ::testing::Test {
 protected:
  std::unique_ptr<JsonlSink> make_sink(LevelSet levels = LevelSet::all()) {
    return std::make_unique<JsonlSink>(context_, path_, milliseconds(50), levels);
  }

  // Runs the io_context until the file holds `lines` lines or 10 s pass; the file's text.
  std::string await_lines(std::size_t lines) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    std::string text = read_file(path_);
    while (lines_of(text).size() < lines && std::chrono::steady_clock::now() < deadline) {
      io_.run_for(milliseconds(10));
      text = read_file(path_);
    }
    return text;
  }

  double writes() const {
    const std::string text = registry_.render();
    const std::string series = "fieldpulse_sink_writes_total{sink=\"jsonl\"} ";
    const auto at = text.find(series);
    return at == std::string::npos ? -1 : std::stod(text.substr(at + series.size()));
  }

  test::TempDir dir_;
  std::string path_ = dir_.file("progress.jsonl");
  boost::asio::io_context io_;
  std::unique_ptr<ProcessingCore> core_ = make_core();
  MetricsRegistry registry_;
  PipelineProbe probe_{registry_, *core_};
  std::vector<std::string> errors_;
  SinkContext context_{io_,
                       *core_,
                       probe_,
                       {},
                       [] { return core_test::kNowMs; },
                       nullptr,
                       [this](const std::string& e) { errors_.push_back(e); }};
};

TEST_F(JsonlSinkTest, RowsAreCompleteLinesOnDiskAndCountedWithinTheFlushInterval) {
  auto sink = make_sink();
  sink->write(
      {}, run(*core_, {report("r1", "S002", "440823105202", "produce_sold",
                              "2019-07-28T09:30:00+08:00", R"({"jin":130000,"yuan":91000.5})")}));
  // No flush() (the checkpoint round's call): the flush interval alone brings them.
  const std::string text = await_lines(10);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n') << "torn last line";
  const auto lines = lines_of(text);
  ASSERT_EQ(lines.size(), 10U) << text;
  for (const auto& line : lines) {
    EXPECT_TRUE(line.starts_with(R"({"level":")") && line.ends_with("}}")) << line;
  }
  EXPECT_NE(
      std::find(lines.begin(), lines.end(),
                R"({"level":"county","id":"440823","name":"遂溪县","kind":"produce_sold",)"
                R"("window":"2019-07-28","reports":1,"values":{"jin":130000,"yuan":91000.5}})"),
      lines.end())
      << text;
  EXPECT_EQ(writes(), 10.0);
  EXPECT_EQ(sink->mark(), 10U);
  EXPECT_FALSE(sink->durable(sink->mark())) << "not yet synced";
  sink->flush();
  EXPECT_TRUE(sink->durable(sink->mark()));
  EXPECT_EQ(sink->unacknowledged(), 0U);
  EXPECT_TRUE(errors_.empty());
}

TEST_F(JsonlSinkTest, FlushWritesWhatIsPendingAndTheLatestRowPerBlockComesLast) {
  auto sink = make_sink();
  sink->write({}, run(*core_, {report("r1", "S001", "440823105201", "funds_raised",
                                      "2019-07-28T09:30:00+08:00", R"({"yuan":100.5})")}));
  sink->flush();
  EXPECT_TRUE(sink->durable(sink->mark()));
  sink->write({}, run(*core_, {report("r2", "S003", "440823106201", "funds_raised",
                                      "2019-07-29T09:30:00+08:00", R"({"yuan":0.5})")}));
  sink->flush();
  const auto lines = lines_of(read_file(path_));
  ASSERT_EQ(lines.size(), 20U);
  EXPECT_EQ(writes(), 20.0);
  std::string last_city_total;
  for (const auto& line : lines) {
    if (line.starts_with(R"({"level":"city")") &&
        line.find(R"("window":"total")") != std::string::npos) {
      last_city_total = line;
    }
  }
  EXPECT_EQ(last_city_total, R"({"level":"city","id":"4408","name":"湛江市","kind":"funds_raised",)"
                             R"("window":"total","reports":2,"values":{"yuan":101}})");
}

TEST_F(JsonlSinkTest, WritesOnlyItsLevels) {
  LevelSet levels;
  levels.add(Level::town);
  auto sink = make_sink(levels);
  sink->write({}, run(*core_, {report("r1", "S001", "440823105201", "household_visit",
                                      "2019-07-28T09:30:00+08:00")}));
  sink->flush();
  const auto lines = lines_of(read_file(path_));
  ASSERT_EQ(lines.size(), 2U);
  for (const auto& line : lines) EXPECT_TRUE(line.starts_with(R"({"level":"town")")) << line;
}

TEST_F(JsonlSinkTest, AnUnopenableFileIsAClearError) {
  EXPECT_THROW(
      JsonlSink(context_, dir_.file("missing/progress.jsonl"), milliseconds(50), LevelSet::all()),
      std::runtime_error);
}

}  // namespace
}  // namespace fp
