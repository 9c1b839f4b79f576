// The pipeline metrics: the declaration list and their updates from batch results.
#include "metrics/pipeline_probe.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <array>
#include <chrono>

#include "model/reason.h"
#include "processors/core.h"

namespace fp {
namespace {

// The single declaration of every exported metric; the probe below registers
// exactly these (by index), and docs/metrics.md is checked against the list.
enum Metric : std::size_t {
  kConsumed,
  kAccepted,
  kDuplicate,
  kRejected,
  kLag,
  kLatency,
  kSinkWrites,
  kSinkErrors,
  kProgress,
  kDataGap,
  kPauses,
  kPrefetchFull,
  kStalled,
  kReady,
  kLastCheckpoint,
  kConfigReloads,
  kMetricCount,
};

constexpr std::array<MetricDeclaration, kMetricCount> kMetrics = {{
    {"fieldpulse_messages_consumed_total", MetricType::counter, "",
     "Messages this process took from the reports topic (accepted + duplicate + rejected)."},
    {"fieldpulse_reports_accepted_total", MetricType::counter, "kind",
     "Valid, first-seen reports that changed the aggregates, by report kind."},
    {"fieldpulse_reports_duplicate_total", MetricType::counter, "",
     "Valid reports whose (village, report_id) was already accepted; not aggregated."},
    {"fieldpulse_reports_rejected_total", MetricType::counter, "reason",
     "Messages sent to the dead-letter topic, by contract reason code."},
    {"fieldpulse_consumer_lag_messages", MetricType::gauge, "partition",
     "Messages between this consumer's position and the partition's high watermark."},
    {"fieldpulse_processing_latency_seconds", MetricType::histogram, "",
     "From a message's Kafka timestamp to its aggregates being applied."},
    {"fieldpulse_sink_writes_total", MetricType::counter, "sink",
     "Records a sink wrote successfully."},
    {"fieldpulse_sink_errors_total", MetricType::counter, "sink",
     "Failed sink writes (each retried or reported)."},
    {"fieldpulse_progress", MetricType::gauge, "level,id,metric",
     "Global total-window progress value at city and county level."},
    {"fieldpulse_data_gap_messages_total", MetricType::counter, "partition",
     "Messages of the reports topic that expired before they were processed: never counted."},
    {"fieldpulse_backpressure_pauses_total", MetricType::counter, "",
     "Times fetching paused because the sinks held too many unacknowledged outputs."},
    {"fieldpulse_prefetch_full_total", MetricType::counter, "",
     "Times the consumer's prefetch queue filled up and its fetchers were woken once it halved."},
    {"fieldpulse_partition_stalled", MetricType::gauge, "partition",
     "1 while an assigned partition has lag but its position has not moved for "
     "kafka.stall_after_ms, else 0."},
    {"fieldpulse_ready", MetricType::gauge, "",
     "1 while GET /readyz answers 200 (assigned, caught up, no stall, no data gap), else 0."},
    {"fieldpulse_last_checkpoint_timestamp_seconds", MetricType::gauge, "",
     "Unix time the newest checkpoint round completed (state durable, offsets committed); "
     "the process start before the first."},
    {"fieldpulse_config_reloads_total", MetricType::counter, "file,result",
     "Reloads of the roster and catalog files (SIGHUP or a change on disk), ok or failed "
     "(the previous contents stay in force)."},
}};

constexpr std::array<double, 13> kLatencyBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                    0.25,  0.5,    1.0,   2.5,  5.0,   10.0};

std::string name_of(Metric m) { return std::string(kMetrics[m].name); }
std::string help_of(Metric m) { return std::string(kMetrics[m].help); }

// DecimalSum -> the gauge's double, via its exact decimal text (the only place
// a double is made, for Prometheus' sake).
double to_double(const DecimalSum& sum) { return std::stod(sum.to_string()); }

}  // namespace

std::span<const MetricDeclaration> metric_declarations() { return kMetrics; }
std::span<const double> latency_buckets_seconds() { return kLatencyBuckets; }

void SinkProbe::wrote(std::uint64_t records) { writes_->Increment(static_cast<double>(records)); }
void SinkProbe::failed(std::uint64_t errors) { errors_->Increment(static_cast<double>(errors)); }

PipelineProbe::PipelineProbe(MetricsRegistry& registry, const ProcessingCore& core) : core_(core) {
  auto& r = registry.registry();
  consumed_ = &prometheus::BuildCounter()
                   .Name(name_of(kConsumed))
                   .Help(help_of(kConsumed))
                   .Register(r)
                   .Add({});
  duplicate_ = &prometheus::BuildCounter()
                    .Name(name_of(kDuplicate))
                    .Help(help_of(kDuplicate))
                    .Register(r)
                    .Add({});
  auto& accepted =
      prometheus::BuildCounter().Name(name_of(kAccepted)).Help(help_of(kAccepted)).Register(r);
  for (const Kind& kind : core.catalog().kinds()) {
    accepted_by_kind_.push_back(&accepted.Add({{"kind", kind.name}}));
  }
  auto& rejected =
      prometheus::BuildCounter().Name(name_of(kRejected)).Help(help_of(kRejected)).Register(r);
  for (std::string_view reason : kReasonNames) {
    rejected_by_reason_.push_back(&rejected.Add({{"reason", std::string(reason)}}));
  }
  latency_ = &prometheus::BuildHistogram()
                  .Name(name_of(kLatency))
                  .Help(help_of(kLatency))
                  .Register(r)
                  .Add({}, prometheus::Histogram::BucketBoundaries(kLatencyBuckets.begin(),
                                                                   kLatencyBuckets.end()));
  lag_family_ = &prometheus::BuildGauge().Name(name_of(kLag)).Help(help_of(kLag)).Register(r);
  sink_writes_family_ =
      &prometheus::BuildCounter().Name(name_of(kSinkWrites)).Help(help_of(kSinkWrites)).Register(r);
  sink_errors_family_ =
      &prometheus::BuildCounter().Name(name_of(kSinkErrors)).Help(help_of(kSinkErrors)).Register(r);
  progress_family_ =
      &prometheus::BuildGauge().Name(name_of(kProgress)).Help(help_of(kProgress)).Register(r);
  data_gap_family_ =
      &prometheus::BuildCounter().Name(name_of(kDataGap)).Help(help_of(kDataGap)).Register(r);
  pauses_ =
      &prometheus::BuildCounter().Name(name_of(kPauses)).Help(help_of(kPauses)).Register(r).Add({});
  prefetch_full_ = &prometheus::BuildCounter()
                        .Name(name_of(kPrefetchFull))
                        .Help(help_of(kPrefetchFull))
                        .Register(r)
                        .Add({});
  stalled_family_ =
      &prometheus::BuildGauge().Name(name_of(kStalled)).Help(help_of(kStalled)).Register(r);
  ready_ =
      &prometheus::BuildGauge().Name(name_of(kReady)).Help(help_of(kReady)).Register(r).Add({});
  last_checkpoint_ = &prometheus::BuildGauge()
                          .Name(name_of(kLastCheckpoint))
                          .Help(help_of(kLastCheckpoint))
                          .Register(r)
                          .Add({});
  last_checkpoint_->Set(
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
  progress_gauges_.assign(core.roster().regions().size() * core.metric_names().size(), nullptr);
  auto& reloads = prometheus::BuildCounter()
                      .Name(name_of(kConfigReloads))
                      .Help(help_of(kConfigReloads))
                      .Register(r);
  for (std::size_t f = 0; f < kReloadedFiles.size(); ++f) {
    config_reloads_[f][0] =
        &reloads.Add({{"file", std::string(kReloadedFiles[f])}, {"result", "ok"}});
    config_reloads_[f][1] =
        &reloads.Add({{"file", std::string(kReloadedFiles[f])}, {"result", "failed"}});
  }
}

PipelineProbe::~PipelineProbe() = default;

void PipelineProbe::apply(const BatchResult& result) {
  consumed_->Increment(static_cast<double>(result.accepted + result.duplicate + result.rejected));
  if (result.duplicate) duplicate_->Increment(static_cast<double>(result.duplicate));
  const std::size_t kinds = std::min(result.accepted_by_kind.size(), accepted_by_kind_.size());
  for (std::size_t k = 0; k < kinds; ++k) {
    if (result.accepted_by_kind[k]) {
      accepted_by_kind_[k]->Increment(static_cast<double>(result.accepted_by_kind[k]));
    }
  }
  for (std::size_t i = 0; i < kReasonCount; ++i) {
    if (result.rejected_by_reason[i]) {
      rejected_by_reason_[i]->Increment(static_cast<double>(result.rejected_by_reason[i]));
    }
  }
  headline_.clear();
  core_.headline_changes(result.moved_blocks, headline_);
  for (const ProgressChange& change : headline_) set_progress(change.key, change.value);
}

void PipelineProbe::set_progress(const ProgressKey& key, const ProgressValue& value) {
  if (key.window != kTotalWindow || (key.level != Level::city && key.level != Level::county)) {
    return;
  }
  const std::size_t metrics = core_.metric_names().size();
  const std::size_t slot = static_cast<std::size_t>(key.entity) * metrics + key.metric;
  if (key.metric >= metrics) return;
  if (slot >= progress_gauges_.size()) {  // the roster grew
    progress_gauges_.resize(core_.roster().regions().size() * metrics, nullptr);
  }
  prometheus::Gauge*& gauge = progress_gauges_[slot];
  if (!gauge) {
    gauge = &progress_family_->Add({{"level", std::string(to_string(key.level))},
                                    {"id", core_.roster().region(key.entity).code},
                                    {"metric", core_.metric_names()[key.metric]}});
  }
  gauge->Set(to_double(value.value));
}

void PipelineProbe::observe_latency(std::span<const RawMessage> batch, std::int64_t applied_ms) {
  // One locked update per batch instead of one per message.
  latency_counts_.assign(kLatencyBuckets.size() + 1, 0.0);
  std::int64_t sum_ms = 0;
  bool any = false;
  for (const RawMessage& m : batch) {
    if (m.timestamp_ms <= 0) continue;
    const std::int64_t ms = std::max<std::int64_t>(0, applied_ms - m.timestamp_ms);
    const double seconds = static_cast<double>(ms) / 1000.0;
    const auto bucket = std::lower_bound(kLatencyBuckets.begin(), kLatencyBuckets.end(), seconds);
    latency_counts_[static_cast<std::size_t>(bucket - kLatencyBuckets.begin())] += 1;
    sum_ms += ms;
    any = true;
  }
  if (any) latency_->ObserveMultiple(latency_counts_, static_cast<double>(sum_ms) / 1000.0);
}

void PipelineProbe::set_consumer_lag(std::int32_t partition, std::int64_t lag) {
  if (partition < 0) return;
  data_gap_counter(partition);  // exported at 0 from now on
  const auto index = static_cast<std::size_t>(partition);
  if (index >= lag_by_partition_.size()) lag_by_partition_.resize(index + 1, nullptr);
  if (!lag_by_partition_[index]) {
    lag_by_partition_[index] = &lag_family_->Add({{"partition", std::to_string(partition)}});
  }
  lag_by_partition_[index]->Set(static_cast<double>(std::max<std::int64_t>(0, lag)));
}

void PipelineProbe::remove_consumer_lag(std::int32_t partition) {
  if (partition < 0 || static_cast<std::size_t>(partition) >= lag_by_partition_.size()) return;
  auto& gauge = lag_by_partition_[static_cast<std::size_t>(partition)];
  if (gauge) lag_family_->Remove(gauge);
  gauge = nullptr;
}

void PipelineProbe::set_partition_stalled(std::int32_t partition, bool stalled) {
  if (partition < 0) return;
  const auto index = static_cast<std::size_t>(partition);
  if (index >= stalled_by_partition_.size()) stalled_by_partition_.resize(index + 1, nullptr);
  if (!stalled_by_partition_[index]) {
    stalled_by_partition_[index] =
        &stalled_family_->Add({{"partition", std::to_string(partition)}});
  }
  stalled_by_partition_[index]->Set(stalled ? 1.0 : 0.0);
}

void PipelineProbe::remove_partition_stalled(std::int32_t partition) {
  if (partition < 0 || static_cast<std::size_t>(partition) >= stalled_by_partition_.size()) {
    return;
  }
  auto& gauge = stalled_by_partition_[static_cast<std::size_t>(partition)];
  if (gauge) stalled_family_->Remove(gauge);
  gauge = nullptr;
}

void PipelineProbe::seed_progress() {
  for (Level level : {Level::city, Level::county}) {
    ProgressQuery query;
    query.level = level;
    for (const ProgressRow& row : core_.progress(query)) set_progress(row.key, row.value);
  }
}

void PipelineProbe::backpressure_pause() { pauses_->Increment(); }

void PipelineProbe::prefetch_full() { prefetch_full_->Increment(); }

prometheus::Counter& PipelineProbe::data_gap_counter(std::int32_t partition) {
  const auto index = static_cast<std::size_t>(std::max(partition, 0));
  if (index >= data_gap_by_partition_.size()) data_gap_by_partition_.resize(index + 1, nullptr);
  auto& counter = data_gap_by_partition_[index];
  if (!counter) counter = &data_gap_family_->Add({{"partition", std::to_string(partition)}});
  return *counter;
}

void PipelineProbe::data_gap(std::int32_t partition, std::uint64_t messages) {
  if (partition < 0) return;
  data_gap_counter(partition).Increment(static_cast<double>(messages));
}

void PipelineProbe::set_ready(bool ready) { ready_->Set(ready ? 1.0 : 0.0); }

void PipelineProbe::checkpoint_completed(std::int64_t completed_ms) {
  last_checkpoint_->Set(static_cast<double>(completed_ms) / 1000.0);
}

void PipelineProbe::config_reload(std::string_view file, bool ok) {
  for (std::size_t f = 0; f < kReloadedFiles.size(); ++f) {
    if (kReloadedFiles[f] == file) config_reloads_[f][ok ? 0 : 1]->Increment();
  }
}

SinkProbe PipelineProbe::sink(std::string_view name) {
  const prometheus::Labels labels{{"sink", std::string(name)}};
  return SinkProbe(&sink_writes_family_->Add(labels), &sink_errors_family_->Add(labels));
}

}  // namespace fp
