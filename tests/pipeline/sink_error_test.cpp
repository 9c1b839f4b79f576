// The sink error contract (sinks/sink.h) as the pipeline enforces it: a sink
// that throws, breaking the contract, fails the pipeline cleanly with the
// sink's name, through the failure callback or the drain's exit code.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "kafka/producer.h"
#include "metrics/pipeline_probe.h"
#include "metrics/registry.h"
#include "pipeline/pipeline.h"
#include "tests/processors/core_fixture.h"
#include "tests/support/broker_process.h"

namespace fp {
namespace {

enum class ThrowIn { kWrite, kFlush };

// Breaks the contract on purpose: throws from write() or flush().
class ThrowingSink final : public Sink {
 public:
  explicit ThrowingSink(ThrowIn where) : where_(where) {}
  [[nodiscard]] std::string_view name() const override { return "throwing"; }
  void write(std::span<const RawMessage> /*messages*/, const BatchResult& /*result*/) override {
    if (where_ == ThrowIn::kWrite) throw std::runtime_error("write refused");
  }
  void flush() override {
    if (where_ == ThrowIn::kFlush) throw std::runtime_error("flush refused");
  }
  [[nodiscard]] std::uint64_t mark() const override { return 0; }
  [[nodiscard]] bool durable(std::uint64_t /*mark*/) const override { return true; }
  [[nodiscard]] std::size_t unacknowledged() const override { return 0; }

 private:
  ThrowIn where_;
};

class SinkErrorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_ = std::make_unique<test::BrokerProcess>(std::vector<std::string>{"--partitions", "1"});
    core_ = core_test::make_core();
    probe_ = std::make_unique<PipelineProbe>(metrics_, *core_);
  }

  std::unique_ptr<Pipeline> make_pipeline(ThrowIn where,
                                          std::chrono::milliseconds checkpoint_interval) {
    PipelineOptions options;
    options.kafka_properties = {{"bootstrap.servers", broker_->bootstrap()}};
    options.components.set("sinks.progress.enabled", false);
    options.checkpoint_interval = checkpoint_interval;
    options.added_sinks.emplace_back([where](SinkContext& /*context*/) -> std::unique_ptr<Sink> {
      return std::make_unique<ThrowingSink>(where);
    });
    auto pipeline = std::make_unique<Pipeline>(io_, *core_, *probe_, std::move(options),
                                               [] { return core_test::kNowMs; });
    pipeline->on_failure([this](const std::string& why) { failure_ = why; });
    return pipeline;
  }

  void produce_one_report() {
    kafka::Producer producer({"test", {{"bootstrap.servers", broker_->bootstrap()}}});
    producer.produce({.topic = "field-reports", .key = "440823105201", .value = "not a report"});
    ASSERT_TRUE(producer.flush(std::chrono::seconds(20)));
    ASSERT_EQ(producer.delivered(), 1U);
  }

  // Runs the io_context until `done` holds or a minute passes.
  template <typename Done>
  bool run_until(Done done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io_.run_for(std::chrono::milliseconds(50));
      if (io_.stopped()) io_.restart();
    }
    return done();
  }

  std::unique_ptr<test::BrokerProcess> broker_;
  std::unique_ptr<ProcessingCore> core_;
  MetricsRegistry metrics_;
  std::unique_ptr<PipelineProbe> probe_;
  boost::asio::io_context io_{1};
  std::optional<std::string> failure_;
};

TEST_F(SinkErrorTest, SinkThrowingFromWriteFailsThePipelineNamingIt) {
  auto pipeline = make_pipeline(ThrowIn::kWrite, std::chrono::hours(1));
  produce_one_report();
  pipeline->start();
  ASSERT_TRUE(run_until([this] { return failure_.has_value(); }));
  EXPECT_NE(failure_->find("sink throwing"), std::string::npos) << *failure_;
  EXPECT_NE(failure_->find("write refused"), std::string::npos) << *failure_;
  EXPECT_FALSE(pipeline->readiness().ready);
}

TEST_F(SinkErrorTest, SinkThrowingFromFlushInACheckpointRoundFailsThePipeline) {
  auto pipeline = make_pipeline(ThrowIn::kFlush, std::chrono::milliseconds(100));
  pipeline->start();
  ASSERT_TRUE(run_until([this] { return failure_.has_value(); }));
  EXPECT_NE(failure_->find("sink throwing"), std::string::npos) << *failure_;
  EXPECT_NE(failure_->find("flush refused"), std::string::npos) << *failure_;
}

TEST_F(SinkErrorTest, SinkThrowingFromFlushDuringDrainEndsTheDrainWithFailure) {
  auto pipeline = make_pipeline(ThrowIn::kFlush, std::chrono::hours(1));
  produce_one_report();
  pipeline->start();
  ASSERT_TRUE(run_until([&] { return pipeline->readiness().ready; }))
      << "the pipeline never caught up with the one report";
  std::optional<int> exit_code;
  pipeline->drain([&exit_code](int code) { exit_code = code; });
  ASSERT_TRUE(run_until([&] { return exit_code.has_value(); }));
  EXPECT_EQ(*exit_code, 1);
  EXPECT_FALSE(failure_.has_value()) << "a drain reports through its own callback";
}

}  // namespace
}  // namespace fp
