// `fieldpulse run` against a 3-broker `fieldpulse broker` that suffers faults while
// reports stream in: every report is still counted exactly once, by itself, and a
// partition that stops moving while it has lag is shown in /readyz and /metrics.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/pipeline/pipeline_harness.h"
#include "tests/support/broker_process.h"
#include "tests/support/kafka_test_consumer.h"

namespace fp::test {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;

constexpr std::size_t kReports = 30000;  // ~11 MB over 6 partitions: inside retention
constexpr std::size_t kChunk = 1000;

// Produces the stream chunk by chunk, each once the pipeline has consumed all
// but two chunks of what came before, so reports keep arriving while faults
// are injected. Errors are kept for the test thread to report.
class StreamingProducer {
 public:
  StreamingProducer(const std::string& bootstrap, const Stream& stream, std::uint16_t port)
      : thread_([this, bootstrap, &stream, port] {
          try {
            for (std::size_t from = 0; from < stream.lines.size() && !stop_; from += kChunk) {
              const std::size_t to = std::min(from + kChunk, stream.lines.size());
              produce(bootstrap, "field-reports", stream.lines, stream.metas, from, to);
              produced_ = to;
              const std::uint64_t behind = from >= kChunk ? from - kChunk : 0;
              await_summary(
                  port, [&](const SummaryFigures& f) { return stop_ || f.consumed >= behind; },
                  seconds(60));
            }
          } catch (const std::exception& e) {
            error_ = e.what();
          }
        }) {}
  ~StreamingProducer() {
    stop_ = true;  // a failed test does not wait for the rest of the stream
    if (thread_.joinable()) thread_.join();
  }
  StreamingProducer(const StreamingProducer&) = delete;
  StreamingProducer& operator=(const StreamingProducer&) = delete;

  // Waits until everything was produced and acknowledged; "" or the error.
  std::string finish() {
    thread_.join();
    return error_;
  }
  std::size_t produced() const { return produced_; }

 private:
  std::atomic<std::size_t> produced_{0};
  std::atomic<bool> stop_{false};
  std::string error_;
  std::thread thread_;
};

// Sum of fieldpulse_partition_stalled over partitions 0..5.
double stalled_partitions(const std::string& metrics) {
  double sum = 0;
  for (int p = 0; p < 6; ++p) {
    sum += metric_value(metrics,
                        "fieldpulse_partition_stalled{partition=\"" + std::to_string(p) + "\"}")
               .value_or(0);
  }
  return sum;
}

TEST(BrokerFaults, EveryReportIsCountedOnceAfterABrokerIsDownSlowAndLeadersMove) {
  BrokerProcess broker({"--brokers", "3", "--partitions", "6"});
  // Known leaders to move away from during the faults.
  ASSERT_EQ(broker.command("leader field-reports 0 1"), "ok leader field-reports 0 1");
  ASSERT_EQ(broker.command("leader field-progress 1 3"), "ok leader field-progress 1 3");
  const Stream stream = make_stream(kReports, 31, 0.02, 0.01);
  const Expected want = expect(stream);

  RunProcess run(broker.bootstrap(), "faults");
  ASSERT_NE(run.port(), 0) << "no 'serving' line on stdout";
  StreamingProducer producer(broker.bootstrap(), stream, run.port());
  ASSERT_TRUE(await_summary(
      run.port(), [](const SummaryFigures& f) { return f.consumed >= 5 * kChunk; }, seconds(120)));

  // The faults, while reports stream in.
  EXPECT_EQ(broker.command("down 2 5000"), "ok down 2 5000");
  EXPECT_EQ(broker.command("rtt 1 500 3000"), "ok rtt 1 500 3000");
  EXPECT_EQ(broker.command("rtt 3 300 3000"), "ok rtt 3 300 3000");
  EXPECT_EQ(broker.command("leader field-reports 0 3"), "ok leader field-reports 0 3");
  EXPECT_EQ(broker.command("leader field-progress 1 1"), "ok leader field-progress 1 1");
  const std::size_t produced_at_faults = producer.produced();

  EXPECT_EQ(producer.finish(), "");
  EXPECT_LT(produced_at_faults, kReports) << "the faults came after the stream ended";
  // The topic holds each report once (the test's producer is idempotent), so
  // any surplus below was consumed twice by the pipeline.
  KafkaTestConsumer topic(broker.bootstrap());
  ASSERT_EQ(topic.message_count("field-reports"), static_cast<std::int64_t>(kReports));
  expect_everything_counted(run, want);

  // Caught up and nothing left stalled.
  const auto metrics = await_get(
      run.port(), "/metrics",
      [](const HttpReply& r) {
        return r.body.find("fieldpulse_partition_stalled{") != r.body.npos;
      },
      seconds(30));
  ASSERT_TRUE(metrics.has_value());
  EXPECT_EQ(stalled_partitions(metrics->body), 0);
  const auto ready_now = http_get(run.port(), "/readyz");
  ASSERT_TRUE(ready_now.has_value());
  EXPECT_EQ(ready_now->status, 200) << ready_now->body;
  EXPECT_EQ(run.terminate().first, 0);
}

TEST(BrokerFaults, APartitionThatStopsMovingWithLagIsReportedAndClearsWhenItMovesAgain) {
  BrokerProcess broker({"--brokers", "3", "--partitions", "6"});
  const Stream stream = make_stream(4000, 37, 0.0, 0.0);
  const Expected want = expect(stream);
  produce(broker.bootstrap(), "field-reports", stream.lines, stream.metas, 0, 2000);
  RunProcess run(broker.bootstrap(), "stall", {"--set", "kafka.stall_after_ms=2000"});
  ASSERT_NE(run.port(), 0);
  ASSERT_TRUE(await_get(
      run.port(), "/readyz", [](const HttpReply& r) { return r.status == 200; }, seconds(120)));

  // Every fetch fails from now on, while more reports arrive.
  ASSERT_EQ(broker.command("errors fetch 1000000 NOT_LEADER_FOR_PARTITION"),
            "ok errors fetch 1000000 NOT_LEADER_FOR_PARTITION");
  produce(broker.bootstrap(), "field-reports", stream.lines, stream.metas, 2000, 4000);

  std::optional<HttpReply> unready;
  const auto stalled = await_get(
      run.port(), "/metrics",
      [&](const HttpReply& r) {
        if (stalled_partitions(r.body) < 1) return false;
        unready = http_get(run.port(), "/readyz");
        return unready && unready->status == 503;
      },
      seconds(60));
  ASSERT_TRUE(stalled.has_value());
  ASSERT_GE(stalled_partitions(stalled->body), 1) << stalled->body;
  ASSERT_TRUE(unready.has_value());
  EXPECT_THAT(unready->body, HasSubstr("stalled: field-reports["));
  EXPECT_THAT(unready->body, HasSubstr("high watermark"));

  // Fetches succeed again: it moves on by itself, counts everything, is ready.
  ASSERT_EQ(broker.command("clear fetch"), "ok clear fetch");
  expect_everything_counted(run, want);
  const auto recovered = await_get(
      run.port(), "/metrics", [](const HttpReply& r) { return stalled_partitions(r.body) == 0; },
      seconds(30));
  ASSERT_TRUE(recovered.has_value());
  const auto ready = http_get(run.port(), "/readyz");
  ASSERT_TRUE(ready.has_value());
  EXPECT_EQ(ready->status, 200) << ready->body;
  EXPECT_EQ(run.terminate().first, 0);
}

}  // namespace
}  // namespace fp::test
