// The pipeline probe: exposition names and values after known batches, and promtool's check.
#include "metrics/pipeline_probe.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "metrics/registry.h"
#include "tests/api/sample_core.h"

namespace fp {
namespace {

using testing::SampleCore;

bool contains_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.starts_with(line + "\n");
}

// The value of an unlabelled sample, e.g. "fieldpulse_ready".
std::optional<double> metric_sample(const std::string& text, const std::string& name) {
  const auto at = text.find("\n" + name + " ");
  if (at == std::string::npos) return std::nullopt;
  return std::stod(text.substr(at + name.size() + 2));
}

class PipelineProbeTest : public ::testing::Test {
 protected:
  SampleCore sample;
  MetricsRegistry registry;
  PipelineProbe probe{registry, sample.core};
};

TEST_F(PipelineProbeTest, CountsOutcomesOfAppliedBatches) {
  probe.apply(sample.feed(testing::sample_payloads()));
  const std::string text = registry.render();
  EXPECT_TRUE(contains_line(text, "fieldpulse_messages_consumed_total 6")) << text;
  EXPECT_TRUE(contains_line(text, "fieldpulse_reports_duplicate_total 1")) << text;
  EXPECT_TRUE(contains_line(text, R"(fieldpulse_reports_accepted_total{kind="funds_raised"} 2)"));
  EXPECT_TRUE(contains_line(text, R"(fieldpulse_reports_accepted_total{kind="produce_sold"} 1)"));
  EXPECT_TRUE(
      contains_line(text, R"(fieldpulse_reports_rejected_total{reason="malformed_json"} 1)"));
  EXPECT_TRUE(contains_line(text, R"(fieldpulse_reports_rejected_total{reason="unknown_kind"} 1)"));

  // A second batch adds to the counters.
  probe.apply(sample.feed({testing::sample_report("r9", "C0002", "440823105202", "funds_raised",
                                                  "2019-07-29T11:00:00+08:00", R"({"yuan":2})")}));
  const std::string after = registry.render();
  EXPECT_TRUE(contains_line(after, "fieldpulse_messages_consumed_total 7")) << after;
  EXPECT_TRUE(contains_line(after, R"(fieldpulse_reports_accepted_total{kind="funds_raised"} 3)"));
}

TEST_F(PipelineProbeTest, PreCreatesEveryKindAndReasonAtZero) {
  const std::string text = registry.render();
  for (const Kind& kind : sample.catalog->kinds()) {
    EXPECT_TRUE(
        contains_line(text, "fieldpulse_reports_accepted_total{kind=\"" + kind.name + "\"} 0"))
        << kind.name;
  }
  for (std::string_view reason : kReasonNames) {
    EXPECT_TRUE(contains_line(
        text, "fieldpulse_reports_rejected_total{reason=\"" + std::string(reason) + "\"} 0"))
        << reason;
  }
}

TEST_F(PipelineProbeTest, ProgressGaugesCoverCityAndCountyTotalsOnly) {
  probe.apply(sample.feed(testing::sample_payloads()));
  const std::string text = registry.render();
  EXPECT_TRUE(contains_line(
      text, R"(fieldpulse_progress{id="4408",level="city",metric="funds_raised.yuan"} 100.6)"))
      << text;
  EXPECT_TRUE(contains_line(
      text, R"(fieldpulse_progress{id="4408",level="city",metric="funds_raised.count"} 2)"));
  EXPECT_TRUE(contains_line(
      text, R"(fieldpulse_progress{id="440881",level="county",metric="produce_sold.jin"} 130000)"));
  EXPECT_TRUE(contains_line(
      text, R"(fieldpulse_progress{id="440823",level="county",metric="funds_raised.yuan"} 100.6)"));
  EXPECT_EQ(text.find("level=\"town\""), std::string::npos);
  EXPECT_EQ(text.find("level=\"village\""), std::string::npos);
  EXPECT_EQ(text.find("level=\"cadre\""), std::string::npos);
}

TEST_F(PipelineProbeTest, SeedProgressShowsTheCoreStateInAFreshProbe) {
  sample.feed(testing::sample_payloads());  // applied before this probe existed
  MetricsRegistry fresh;
  PipelineProbe restarted(fresh, sample.core);
  restarted.seed_progress();
  EXPECT_TRUE(contains_line(
      fresh.render(),
      R"(fieldpulse_progress{id="440881",level="county",metric="produce_sold.yuan"} 91000.5)"));
}

TEST_F(PipelineProbeTest, LatencyIsKafkaTimestampToApplied) {
  const auto payloads = testing::sample_payloads();
  sample.feed(payloads, /*timestamp_ms=*/1000);
  probe.observe_latency(sample.messages, /*applied_ms=*/1004);  // 4 ms each
  RawMessage untimed;
  probe.observe_latency(std::span(&untimed, 1), 5000);  // no timestamp: skipped
  const std::string text = registry.render();
  EXPECT_TRUE(contains_line(text, R"(fieldpulse_processing_latency_seconds_bucket{le="0.0025"} 0)"))
      << text;
  EXPECT_TRUE(contains_line(text, R"(fieldpulse_processing_latency_seconds_bucket{le="0.005"} 6)"));
  EXPECT_TRUE(contains_line(text, R"(fieldpulse_processing_latency_seconds_bucket{le="10"} 6)"));
  EXPECT_TRUE(contains_line(text, "fieldpulse_processing_latency_seconds_count 6"));
}

TEST_F(PipelineProbeTest, LatencyOfOneBatchLandsInEachMessagesOwnBucket) {
  std::vector<RawMessage> batch(4);
  batch[0].timestamp_ms = 9999;  // 1 ms: on a bucket bound, so in it (le)
  batch[1].timestamp_ms = 9997;  // 3 ms
  batch[2].timestamp_ms = 10;    // 9.99 s
  batch[3].timestamp_ms = -1;    // none: skipped
  probe.observe_latency(batch, 10000);
  std::vector<RawMessage> late(1);
  late[0].timestamp_ms = 1;  // ahead of the next batch by 20 s: only in +Inf
  probe.observe_latency(late, 20001);
  const std::string text = registry.render();
  EXPECT_TRUE(contains_line(text, R"(fieldpulse_processing_latency_seconds_bucket{le="0.001"} 1)"));
  EXPECT_TRUE(
      contains_line(text, R"(fieldpulse_processing_latency_seconds_bucket{le="0.0025"} 1)"));
  EXPECT_TRUE(contains_line(text, R"(fieldpulse_processing_latency_seconds_bucket{le="0.005"} 2)"));
  EXPECT_TRUE(contains_line(text, R"(fieldpulse_processing_latency_seconds_bucket{le="5"} 2)"));
  EXPECT_TRUE(contains_line(text, R"(fieldpulse_processing_latency_seconds_bucket{le="10"} 3)"));
  EXPECT_TRUE(contains_line(text, R"(fieldpulse_processing_latency_seconds_bucket{le="+Inf"} 4)"));
  EXPECT_TRUE(contains_line(text, "fieldpulse_processing_latency_seconds_count 4"));
  EXPECT_TRUE(contains_line(text, "fieldpulse_processing_latency_seconds_sum 29.994"));
}

TEST_F(PipelineProbeTest, PartitionStalledPerPartitionAndRemoval) {
  probe.set_partition_stalled(1, true);
  probe.set_partition_stalled(4, true);
  probe.set_partition_stalled(4, false);
  std::string text = registry.render();
  EXPECT_TRUE(contains_line(text, R"(fieldpulse_partition_stalled{partition="1"} 1)"));
  EXPECT_TRUE(contains_line(text, R"(fieldpulse_partition_stalled{partition="4"} 0)"));
  probe.remove_partition_stalled(1);
  text = registry.render();
  EXPECT_EQ(text.find(R"(fieldpulse_partition_stalled{partition="1"})"), std::string::npos);
  EXPECT_TRUE(contains_line(text, R"(fieldpulse_partition_stalled{partition="4"} 0)"));
}

TEST_F(PipelineProbeTest, ConsumerLagPerPartitionAndRemoval) {
  probe.set_consumer_lag(0, 12);
  probe.set_consumer_lag(3, 0);
  probe.set_consumer_lag(3, 250);
  std::string text = registry.render();
  EXPECT_TRUE(contains_line(text, R"(fieldpulse_consumer_lag_messages{partition="0"} 12)"));
  EXPECT_TRUE(contains_line(text, R"(fieldpulse_consumer_lag_messages{partition="3"} 250)"));
  probe.remove_consumer_lag(0);
  text = registry.render();
  EXPECT_EQ(text.find(R"(fieldpulse_consumer_lag_messages{partition="0"})"), std::string::npos);
  EXPECT_TRUE(contains_line(text, R"(fieldpulse_consumer_lag_messages{partition="3"} 250)"));
}

TEST_F(PipelineProbeTest, SinkWritesAndErrors) {
  SinkProbe jsonl = probe.sink("jsonl");
  jsonl.wrote(5);
  jsonl.wrote();
  jsonl.failed();
  const std::string text = registry.render();
  EXPECT_TRUE(contains_line(text, R"(fieldpulse_sink_writes_total{sink="jsonl"} 6)"));
  EXPECT_TRUE(contains_line(text, R"(fieldpulse_sink_errors_total{sink="jsonl"} 1)"));
}

TEST_F(PipelineProbeTest, EveryDeclaredMetricIsExposedWithItsType) {
  probe.apply(sample.feed(testing::sample_payloads()));
  probe.set_consumer_lag(0, 1);
  probe.set_partition_stalled(0, false);
  probe.sink("field-progress");
  probe.data_gap(0, 1);
  const std::string text = registry.render();
  for (const MetricDeclaration& m : metric_declarations()) {
    const char* type = m.type == MetricType::counter ? "counter"
                       : m.type == MetricType::gauge ? "gauge"
                                                     : "histogram";
    EXPECT_TRUE(contains_line(text, "# TYPE " + std::string(m.name) + " " + type)) << m.name;
    EXPECT_TRUE(m.name.starts_with("fieldpulse_")) << m.name;
  }
}

TEST_F(PipelineProbeTest, DataGapsAddUpPerPartition) {
  probe.data_gap(3, 100);
  probe.data_gap(3, 20);
  probe.data_gap(5, 1);
  const std::string text = registry.render();
  EXPECT_TRUE(contains_line(text, "fieldpulse_data_gap_messages_total{partition=\"3\"} 120"));
  EXPECT_TRUE(contains_line(text, "fieldpulse_data_gap_messages_total{partition=\"5\"} 1"));
}

TEST_F(PipelineProbeTest, DataGapCounterIsAtZeroOnceThePartitionIsSampled) {
  EXPECT_EQ(registry.render().find("fieldpulse_data_gap_messages_total{"), std::string::npos);
  probe.set_consumer_lag(2, 40);
  EXPECT_TRUE(
      contains_line(registry.render(), R"(fieldpulse_data_gap_messages_total{partition="2"} 0)"));
  probe.data_gap(2, 5);
  probe.remove_consumer_lag(2);  // revoked: a counter stays
  EXPECT_TRUE(
      contains_line(registry.render(), R"(fieldpulse_data_gap_messages_total{partition="2"} 5)"));
}

TEST_F(PipelineProbeTest, ReadyFollowsItsSetterAndStartsAtZero) {
  EXPECT_TRUE(contains_line(registry.render(), "fieldpulse_ready 0"));
  probe.set_ready(true);
  EXPECT_TRUE(contains_line(registry.render(), "fieldpulse_ready 1"));
  probe.set_ready(false);
  EXPECT_TRUE(contains_line(registry.render(), "fieldpulse_ready 0"));
}

TEST_F(PipelineProbeTest, BeforeRenderHooksRunOnEveryRender) {
  bool ready = false;
  registry.before_render([&] { probe.set_ready(ready); });
  EXPECT_TRUE(contains_line(registry.render(), "fieldpulse_ready 0"));
  ready = true;
  EXPECT_TRUE(contains_line(registry.render(), "fieldpulse_ready 1"));
}

TEST_F(PipelineProbeTest, LastCheckpointIsTheProbesBirthUntilARoundCompletes) {
  const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  const auto value =
      metric_sample(registry.render(), "fieldpulse_last_checkpoint_timestamp_seconds");
  ASSERT_TRUE(value.has_value());
  EXPECT_NEAR(*value, static_cast<double>(now_s), 60.0);
  probe.checkpoint_completed(1'700'000'000'250);
  EXPECT_TRUE(contains_line(registry.render(),
                            "fieldpulse_last_checkpoint_timestamp_seconds 1700000000.25"));
}

// promtool (Debian package `prometheus`, test profile of scripts/install-deps.sh)
// lints the names, types and help texts of the exposition.
TEST_F(PipelineProbeTest, ExpositionPassesPromtoolCheckMetrics) {
  probe.apply(sample.feed(testing::sample_payloads(), 1000));
  probe.observe_latency(sample.messages, 1010);
  probe.set_consumer_lag(0, 3);
  probe.sink("field-progress").wrote();
  probe.data_gap(2, 7);
  const auto dir =
      std::filesystem::temp_directory_path() / ("fp-promtool-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto exposition = dir / "metrics.txt";
  const auto verdict = dir / "verdict.txt";
  std::ofstream(exposition) << registry.render();
  const std::string command =
      "promtool check metrics < '" + exposition.string() + "' > '" + verdict.string() + "' 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream in(verdict);
  const std::string output((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove_all(dir);
  EXPECT_EQ(status, 0) << "promtool check metrics said:\n" << output;
  EXPECT_EQ(output, "") << output;
}

}  // namespace
}  // namespace fp
