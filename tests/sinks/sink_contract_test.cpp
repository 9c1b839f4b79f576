// What every registered sink promises the pipeline (sinks/sink.h), checked for
// each sink the registry declares against its real destination: a `fieldpulse
// broker`, a file, a PostgreSQL server. A new sink gets these checks by being
// registered.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <fstream>
#include <functional>
#include <memory>
#include <pqxx/pqxx>
#include <sstream>
#include <string>
#include <vector>

#include "metrics/pipeline_probe.h"
#include "metrics/registry.h"
#include "sinks/registry.h"
#include "tests/processors/core_fixture.h"
#include "tests/support/broker_process.h"
#include "tests/support/kafka_test_consumer.h"
#include "tests/support/postgres_server.h"
#include "tests/support/temp_dir.h"

namespace fp {
namespace {

using core_test::report;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr milliseconds kFlushInterval{200};
constexpr std::int32_t kPartition = 1;
constexpr std::int64_t kFirstOffset = 40;

std::vector<std::string> registered_names() {
  std::vector<std::string> names;
  for (const SinkDeclaration* sink : sink_declarations()) names.emplace_back(sink->name);
  return names;
}

// Three accepted reports and two rejected ones (one not UTF-8) of one partition.
const std::vector<std::string>& payloads() {
  static const std::vector<std::string> all = {
      report("c1", "S001", "440823105201", "funds_raised", "2019-07-28T09:30:00+08:00",
             R"({"yuan":100.5})"),
      report("c2", "S002", "440823105202", "produce_sold", "2019-07-28T10:30:00+08:00",
             R"({"jin":12,"yuan":30})"),
      R"({"v":1,"report_id":"c3")",
      report("c4", "S004", "440881101201", "household_visit", "2019-07-29T09:30:00+08:00"),
      "\xff\xfe{",
  };
  return all;
}

std::vector<std::string> file_lines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Dead letters name the partition and offset of the message rejected
// (offsets 42 and 44 of partition 1), its bytes in base64 when not UTF-8.
void expect_where_they_came_from(const std::vector<std::string>& rows) {
  const auto has = [&](const std::string& text) {
    return std::any_of(rows.begin(), rows.end(),
                       [&](const std::string& row) { return row.find(text) != row.npos; });
  };
  EXPECT_EQ(rows.size(), 2U);
  EXPECT_TRUE(has(R"("partition":1,"offset":42,"payload":)"));
  EXPECT_TRUE(has(R"("partition":1,"offset":44,"payload_b64":"//57"})"));
}

class SinkContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    settings_.set("sinks.jsonl.path", dir_.file("progress.jsonl"));
    if (GetParam() == "postgres") {
      postgres_ = std::make_unique<test::PostgresServer>();
      settings_.set("sinks.postgres.uri", std::string(postgres_->uri()));
    }
    settings_.set("sinks.progress.flush_interval_ms", std::int64_t{kFlushInterval.count()});
    for (std::size_t i = 0; i < payloads().size(); ++i) {
      RawMessage m;
      m.payload = payloads()[i];
      m.topic = "field-reports";
      m.partition = kPartition;
      m.offset = kFirstOffset + static_cast<std::int64_t>(i);
      messages_.push_back(m);
    }
    core_->process(messages_, result_);
    ASSERT_EQ(result_.dead_letters.size(), 2U);
  }

  // What reached the sink's destination, one entry per record or row.
  std::vector<std::string> delivered() {
    const std::string& name = GetParam();
    if (name == "field-progress" || name == "dead-letter") {
      const std::string topic =
          settings_.text(name == "dead-letter" ? "kafka.topics.dlq" : "kafka.topics.progress");
      test::KafkaTestConsumer consumer(broker_.bootstrap());
      const auto count = static_cast<std::size_t>(consumer.message_count(topic));
      std::vector<std::string> rows;
      for (const auto& m : consumer.read(topic, count)) rows.push_back(m.payload);
      return rows;
    }
    if (name == "jsonl") return file_lines(settings_.text("sinks.jsonl.path"));
    if (name == "postgres") {
      // The writers create the table once connected.
      pqxx::connection connection(postgres_->uri());
      pqxx::work work(connection);
      std::vector<std::string> rows;
      if (work.exec1("SELECT to_regclass('progress') IS NULL")[0].as<bool>()) return {};
      for (const auto& row : work.exec(
               R"(SELECT level || '|' || id || '|' || metric || '|' || "window" FROM progress)")) {
        rows.push_back(row[0].as<std::string>());
      }
      return rows;
    }
    ADD_FAILURE() << "no reader for sink " << name << ": add one here";
    return {};
  }

  double writes_counted() const {
    const std::string text = registry_.render();
    const std::string series = "fieldpulse_sink_writes_total{sink=\"" + GetParam() + "\"} ";
    const auto at = text.find(series);
    return at == std::string::npos ? 0 : std::stod(text.substr(at + series.size()));
  }

  bool run_until(const std::function<bool()>& done, milliseconds deadline) {
    const auto end = std::chrono::steady_clock::now() + deadline;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= end) return false;
      if (io_.stopped()) io_.restart();
      io_.run_for(milliseconds(20));
    }
    return true;
  }

  test::BrokerProcess broker_{{"--brokers", "1", "--partitions", "2"}};
  std::unique_ptr<test::PostgresServer> postgres_;
  test::TempDir dir_;
  Settings settings_ = Settings::defaults(sink_keys());
  boost::asio::io_context io_;
  std::unique_ptr<ProcessingCore> core_ = core_test::make_core();
  std::vector<RawMessage> messages_;
  BatchResult result_;
  MetricsRegistry registry_;
  PipelineProbe probe_{registry_, *core_};
  int acknowledgements_ = 0;
  std::vector<std::string> errors_;
  SinkContext context_{io_,
                       *core_,
                       probe_,
                       {{"bootstrap.servers", broker_.bootstrap()}},
                       [] { return core_test::kNowMs; },
                       [this] { ++acknowledgements_; },
                       [this](const std::string& e) { errors_.push_back(e); }};
};

TEST_P(SinkContract, KeepsWhatItPromisesThePipeline) {
  auto sink = make_sink(GetParam(), settings_, context_);
  EXPECT_EQ(sink->name(), GetParam()) << "the name it is configured and counted by";

  sink->write(messages_, result_);
  // Without a flush() from a checkpoint round, rows reach the destination by
  // themselves, within the flush interval (the slack covers the broker's or
  // server's acknowledgement).
  ASSERT_TRUE(run_until([&] { return !delivered().empty(); }, kFlushInterval + seconds(10)))
      << "nothing delivered without flush()";

  sink->flush();
  const std::uint64_t mark = sink->mark();
  ASSERT_TRUE(run_until([&] { return sink->durable(mark); }, seconds(30)))
      << "flush() did not make its mark durable";
  EXPECT_EQ(sink->unacknowledged(), 0U);
  const auto rows = delivered();
  EXPECT_FALSE(rows.empty());
  EXPECT_EQ(writes_counted(), static_cast<double>(rows.size()))
      << "sink_writes_total counts each record or row delivered once";
  EXPECT_TRUE(errors_.empty()) << errors_.front();
  if (GetParam() == "dead-letter") expect_where_they_came_from(rows);

  // A second batch's outputs become durable too, and nothing stays unacknowledged.
  sink->write(messages_, result_);
  sink->flush();
  const std::uint64_t second = sink->mark();
  EXPECT_GE(second, mark);
  ASSERT_TRUE(run_until([&] { return sink->durable(second); }, seconds(30)));
  EXPECT_EQ(sink->unacknowledged(), 0U);
}

// Test names are identifiers: "field-progress" becomes field_progress.
std::string test_name(const ::testing::TestParamInfo<std::string>& sink) {
  std::string name = sink.param;
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Registered, SinkContract, ::testing::ValuesIn(registered_names()),
                         test_name);

}  // namespace
}  // namespace fp
