// The pipeline's Prometheus metrics (contract section 6), declared in one place and
// updated from the processing core's batch results.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/registry.h"
#include "processors/batch_result.h"
#include "processors/raw_message.h"

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
template <typename T>
class Family;
}  // namespace prometheus

namespace fp {

class ProcessingCore;

enum class MetricType : std::uint8_t { counter, gauge, histogram };

// One declared metric; the list is what docs/metrics.md documents.
struct MetricDeclaration {
  std::string_view name;  // with the fieldpulse_ prefix
  MetricType type;
  std::string_view labels;  // comma-separated label names, empty if none
  std::string_view help;
};

// Every metric the pipeline exports.
std::span<const MetricDeclaration> metric_declarations();

// processing_latency_seconds bucket bounds: 1 ms to 10 s.
std::span<const double> latency_buckets_seconds();

// The writes and errors counters of one sink (label sink="<name>"). Cheap to copy.
class SinkProbe {
 public:
  void wrote(std::uint64_t records = 1);
  void failed(std::uint64_t errors = 1);

 private:
  friend class PipelineProbe;
  SinkProbe(prometheus::Counter* writes, prometheus::Counter* errors)
      : writes_(writes), errors_(errors) {}
  prometheus::Counter* writes_;
  prometheus::Counter* errors_;
};

// Updates the pipeline metrics. Every label child that the hot path touches
// (each kind, each reason) is created up front, so apply() does no string
// lookups. Not thread-safe: call from the io_context thread that runs the core.
class PipelineProbe {
 public:
  // Reads the kinds and metric names from `core` (which must outlive the probe).
  PipelineProbe(MetricsRegistry& registry, const ProcessingCore& core);
  ~PipelineProbe();
  PipelineProbe(const PipelineProbe&) = delete;
  PipelineProbe& operator=(const PipelineProbe&) = delete;

  // Counts one processed batch: consumed, accepted by kind, duplicates,
  // rejected by reason, and the city/county total-window progress gauges.
  void apply(const BatchResult& result);

  // Observes processing latency for each message of a batch whose aggregates
  // were applied at `applied_ms` (UTC epoch ms): applied_ms - timestamp_ms.
  // Messages without a timestamp (<= 0) are skipped; negative latencies count as 0.
  void observe_latency(std::span<const RawMessage> batch, std::int64_t applied_ms);

  // consumer_lag_messages{partition}: set when sampled, removed when revoked.
  void set_consumer_lag(std::int32_t partition, std::int64_t lag);
  void remove_consumer_lag(std::int32_t partition);

  // partition_stalled{partition}: 1 while the partition is stalled (lag, no
  // progress), 0 while it moves; removed when revoked.
  void set_partition_stalled(std::int32_t partition, bool stalled);
  void remove_partition_stalled(std::int32_t partition);

  // Sets every city/county total-window progress gauge from the core's current
  // state (after a restore), so the gauges show global figures from the start.
  void seed_progress();

  // backpressure_pauses_total: fetching paused for the sinks to catch up.
  void backpressure_pause();

  // prefetch_full_total: the consumer's prefetch queue filled up (ingest outpaced).
  void prefetch_full();

  // data_gap_messages_total{partition}: messages that expired unprocessed. The
  // counter of a partition is exported at 0 as soon as the probe hears of the
  // partition (its first lag sample), so increase() sees the first gap.
  void data_gap(std::int32_t partition, std::uint64_t messages);

  // ready: 1 while /readyz would answer 200, else 0 (0 until first set).
  void set_ready(bool ready);

  // last_checkpoint_timestamp_seconds: a checkpoint round completed (state
  // durable, offsets committed) at `completed_ms` (UTC epoch ms). Until the
  // first, it holds the time the probe was made, so its age is the uptime.
  void checkpoint_completed(std::int64_t completed_ms);

  // config_reloads_total{file,result}: a reload of `file` (one of
  // kReloadedFiles; present at 0 from the start) was taken or refused.
  static constexpr std::array<std::string_view, 2> kReloadedFiles = {"roster", "catalog"};
  void config_reload(std::string_view file, bool ok);

  // sink_writes_total{sink} and sink_errors_total{sink} for one sink.
  SinkProbe sink(std::string_view name);

 private:
  void set_progress(const ProgressKey& key, const ProgressValue& value);
  prometheus::Counter& data_gap_counter(std::int32_t partition);

  const ProcessingCore& core_;
  prometheus::Counter* consumed_;
  prometheus::Counter* duplicate_;
  std::vector<prometheus::Counter*> accepted_by_kind_;    // by KindId
  std::vector<prometheus::Counter*> rejected_by_reason_;  // by Reason
  prometheus::Histogram* latency_;
  std::vector<double> latency_counts_;  // per bucket, reused for each batch
  prometheus::Family<prometheus::Gauge>* lag_family_;
  std::vector<prometheus::Gauge*> lag_by_partition_;  // null where not sampled
  prometheus::Family<prometheus::Counter>* sink_writes_family_;
  prometheus::Family<prometheus::Counter>* sink_errors_family_;
  prometheus::Family<prometheus::Gauge>* progress_family_;
  prometheus::Family<prometheus::Counter>* data_gap_family_;
  std::vector<prometheus::Counter*> data_gap_by_partition_;  // null until the partition is known
  prometheus::Gauge* ready_;
  prometheus::Gauge* last_checkpoint_;
  prometheus::Counter* pauses_;
  prometheus::Counter* prefetch_full_;
  prometheus::Family<prometheus::Gauge>* stalled_family_;
  std::vector<prometheus::Gauge*> stalled_by_partition_;  // null where not sampled
  // progress gauges by RegionId * metric count + MetricId, created on first use.
  std::vector<prometheus::Gauge*> progress_gauges_;
  std::vector<ProgressChange> headline_;  // scratch of apply()
  // By kReloadedFiles index: the ok and the failed series.
  std::array<std::array<prometheus::Counter*, 2>, kReloadedFiles.size()> config_reloads_{};
};

}  // namespace fp
