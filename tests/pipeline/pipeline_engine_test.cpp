// The Pipeline in process on an embedded broker, with a sink whose
// acknowledgements the test holds: the order of a checkpoint round, commits on
// revoke, a drain that times out, backpressure and a sink that fails.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>

#include "tests/pipeline/engine_harness.h"
#include "tests/pipeline/pipeline_harness.h"
#include "tests/support/kafka_test_consumer.h"

namespace fp::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;

constexpr int kPartitions = 3;

class PipelineEngine : public ::testing::Test {
 protected:
  std::string bootstrap() const { return cluster_->bootstrap(); }

  // Produces reports [from, to) of `stream`, waiting for their acknowledgements.
  void send(const Stream& stream, std::size_t from, std::size_t to) {
    produce(bootstrap(), "field-reports", stream.lines, stream.metas, from, to);
  }

  Offsets committed(const std::string& group) {
    return committed_offsets(bootstrap(), group, "field-reports", kPartitions);
  }
  // Whether `group` committed any partition past offset 0: a round taken
  // before the first batch may commit 0 with nothing written.
  bool committed_anything(const std::string& group) {
    const Offsets offsets = committed(group);
    return std::any_of(offsets.begin(), offsets.end(), [](const auto& p) { return p.second > 0; });
  }
  Offsets sent_offsets() { return high_watermarks(bootstrap(), "field-reports", kPartitions); }
  // Checkpoint records in the state topic (partials, keyed ".../partial/<n>", left out).
  std::int64_t checkpoints() {
    KafkaTestConsumer consumer(bootstrap());
    const auto all = consumer.message_count("fieldpulse.state");
    std::int64_t n = 0;
    for (const auto& m : consumer.read("fieldpulse.state", static_cast<std::size_t>(all))) {
      if (m.key.value_or("").find("/partial/") == std::string::npos) ++n;
    }
    return n;
  }

  bool run_until(const std::function<bool()>& done, milliseconds deadline = seconds(60)) {
    return test::run_until(io_, done, deadline);
  }

  std::unique_ptr<kafka::MockCluster> cluster_ = make_cluster(1, kPartitions);
  boost::asio::io_context io_;
};

void expect_counts(const Summary& got, const Expected& want) {
  EXPECT_EQ(got.consumed, want.consumed);
  EXPECT_EQ(got.accepted, want.accepted);
  EXPECT_EQ(got.duplicate, want.duplicate);
  EXPECT_EQ(got.rejected, want.rejected);
}

TEST_F(PipelineEngine, ARoundCheckpointsAndCommitsOnlyAfterEverySinkAcknowledged) {
  const Stream stream = make_stream(600, 41, 0.05, 0.02);
  const Expected want = expect(stream);
  send(stream, 0, stream.lines.size());
  auto ledger = std::make_shared<SinkLedger>();
  Engine engine(io_, engine_options(bootstrap(), "rounds", ledger, milliseconds(100)));
  engine.pipeline.start();
  ASSERT_TRUE(run_until([&] { return engine.core.summary().consumed == want.consumed; }));
  ASSERT_TRUE(run_until([&] { return ledger->flushes > 0; })) << "no round sealed";
  // The other outputs reach the broker; the held sink alone keeps the round open.
  ASSERT_TRUE(run_until([&] {
    return KafkaTestConsumer(bootstrap()).message_count("field-reports.dlq") ==
           static_cast<std::int64_t>(want.rejected);
  }));
  EXPECT_FALSE(run_until([&] { return committed_anything("rounds"); }, seconds(3)))
      << "committed before the held sink acknowledged";

  ledger->ack();
  const Offsets sent = sent_offsets();
  ASSERT_TRUE(run_until([&] { return committed("rounds") == sent; }))
      << "the commit never reached the next offset to process of every partition";
  EXPECT_GE(checkpoints(), kPartitions);
  expect_counts(engine.core.summary(), want);
}

TEST_F(PipelineEngine, RevokedPartitionsAreCheckpointedBeforeTheyAreHandedOver) {
  const Stream stream = make_stream(900, 43, 0.05, 0.02);
  const Expected want = expect(stream);
  send(stream, 0, stream.lines.size());
  auto first_ledger = std::make_shared<SinkLedger>();
  first_ledger->auto_ack = true;
  Engine first(io_, engine_options(bootstrap(), "handover", first_ledger));
  first.pipeline.start();
  ASSERT_TRUE(run_until([&] { return first.core.summary().consumed == want.consumed; }));
  EXPECT_TRUE(committed("handover").empty()) << "no periodic round was due";

  // A second member joins: every partition is revoked from the first, which
  // checkpoints them (and commits: librdkafka 2.0.2's mock cluster refuses
  // that commit while the group is joining, REBALANCE_IN_PROGRESS, where Kafka
  // takes it) before the group hands any over.
  auto second_ledger = std::make_shared<SinkLedger>();
  second_ledger->auto_ack = true;
  Engine second(io_, engine_options(bootstrap(), "handover", second_ledger));
  second.pipeline.start();
  // Only owned partitions export their lag.
  const auto owns_some = [](Engine& e) {
    return e.pipeline.readiness().ready &&
           e.metrics.render().find("fieldpulse_consumer_lag_messages{") != std::string::npos;
  };
  ASSERT_TRUE(run_until([&] {
    return owns_some(first) && owns_some(second) && second.core.summary().consumed == want.consumed;
  })) << "the second member never took partitions or never read the first's figures";
  EXPECT_GE(checkpoints(), kPartitions);
  // Each side resumed from those checkpoints: no message went to a sink twice.
  EXPECT_EQ(first_ledger->written + second_ledger->written, want.consumed);
  EXPECT_EQ(second_ledger->written, 0U);
  // Both answer the programme's figures, each partition counted once.
  expect_counts(first.core.summary(), want);
  expect_counts(second.core.summary(), want);
}

TEST_F(PipelineEngine, ADrainCheckpointsAndCommitsWhatTheSinksAcknowledged) {
  const Stream stream = make_stream(300, 47, 0.0, 0.0);
  send(stream, 0, stream.lines.size());
  auto ledger = std::make_shared<SinkLedger>();
  ledger->auto_ack = true;
  Engine engine(io_, engine_options(bootstrap(), "drained", ledger));
  engine.pipeline.start();
  ASSERT_TRUE(run_until([&] { return engine.core.summary().consumed == 300; }));

  std::optional<int> exit_code;
  engine.pipeline.drain([&](int code) { exit_code = code; });
  ASSERT_TRUE(run_until([&] { return exit_code.has_value(); }, seconds(30)));
  EXPECT_EQ(*exit_code, 0);
  EXPECT_EQ(committed("drained"), sent_offsets());
  EXPECT_GE(checkpoints(), kPartitions);
}

TEST_F(PipelineEngine, ADrainThatOutlastsItsTimeoutCommitsNothingUnacknowledged) {
  const Stream stream = make_stream(300, 47, 0.0, 0.0);
  send(stream, 0, stream.lines.size());
  auto ledger = std::make_shared<SinkLedger>();
  auto options = engine_options(bootstrap(), "drain", ledger);
  // Long enough for every other output to be acknowledged: the held sink
  // alone keeps the round open.
  options.drain_timeout = seconds(5);
  Engine engine(io_, std::move(options));
  engine.pipeline.start();
  ASSERT_TRUE(run_until([&] { return engine.core.summary().consumed == 300; }));

  std::optional<int> exit_code;
  engine.pipeline.drain([&](int code) { exit_code = code; });
  ASSERT_TRUE(run_until([&] { return exit_code.has_value(); }, seconds(30)));
  EXPECT_EQ(*exit_code, 0) << "nothing was lost: the next start does it again";
  EXPECT_GT(ledger->flushes, 0U);
  EXPECT_EQ(ledger->acked, 0U);
  EXPECT_TRUE(committed("drain").empty());
  EXPECT_EQ(checkpoints(), 0);
  EXPECT_THAT(engine.pipeline.readiness().reasons, ::testing::Contains("draining"));
}

TEST_F(PipelineEngine, FetchingPausesWhileTheSinksAreBehindAndCountsEverythingOnce) {
  const Stream stream = make_stream(3000, 53, 0.02, 0.02);
  const Expected want = expect(stream);
  send(stream, 0, stream.lines.size());
  auto ledger = std::make_shared<SinkLedger>();
  auto options = engine_options(bootstrap(), "backpressure", ledger);
  options.max_unacknowledged = 150;
  Engine engine(io_, std::move(options));
  engine.pipeline.start();
  ASSERT_TRUE(run_until(
      [&] { return sample(engine.metrics, "fieldpulse_backpressure_pauses_total") >= 1; }));
  const auto written_at_pause = ledger->written;
  EXPECT_LT(written_at_pause, want.consumed);
  EXPECT_FALSE(run_until([&] { return ledger->written > written_at_pause; }, seconds(1)))
      << "batches kept coming while paused";

  ledger->auto_ack = true;
  ledger->ack();
  ASSERT_TRUE(run_until([&] { return engine.core.summary().consumed == want.consumed; }));
  expect_counts(engine.core.summary(), want);
  EXPECT_EQ(ledger->written, want.consumed);
}

TEST_F(PipelineEngine, ASinkThatReportsAnErrorFailsThePipelineAndNothingIsCommitted) {
  const Stream stream = make_stream(300, 59, 0.0, 0.0);
  send(stream, 0, stream.lines.size());
  auto ledger = std::make_shared<SinkLedger>();
  ledger->fail_with = "disk full";
  Engine engine(io_, engine_options(bootstrap(), "failing", ledger, milliseconds(100)));
  int failures = 0;
  std::string why;
  engine.pipeline.on_failure([&](const std::string& text) {
    ++failures;
    why = text;
  });
  engine.pipeline.start();
  ASSERT_TRUE(run_until([&] { return failures > 0; }));
  EXPECT_EQ(why, "disk full");
  const Readiness readiness = engine.pipeline.readiness();
  EXPECT_FALSE(readiness.ready);
  EXPECT_THAT(readiness.reasons, ::testing::Contains("failed: disk full"));
  // Rounds stop with the failure.
  EXPECT_FALSE(run_until([&] { return committed_anything("failing"); }, seconds(1)));
  EXPECT_EQ(failures, 1);
  std::optional<int> exit_code;
  engine.pipeline.drain([&](int code) { exit_code = code; });
  ASSERT_TRUE(run_until([&] { return exit_code.has_value(); }, seconds(10)));
  EXPECT_EQ(*exit_code, 1);
}

}  // namespace
}  // namespace fp::test
