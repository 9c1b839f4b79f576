// The report gateway's Prometheus metrics (contract section 8), declared in one list.
#pragma once

#include <chrono>
#include <span>

#include "ingest/gateway/line_check.h"
#include "metrics/pipeline_probe.h"  // MetricDeclaration
#include "metrics/registry.h"

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
template <typename T>
class Family;
}  // namespace prometheus

namespace fp::gateway {

// What a request's lines became when it was not answered 202 with receipts.
enum class LineFate : std::uint8_t {
  forbidden,       // the request was refused 403: nothing forwarded
  unacknowledged,  // forwarded, but Kafka did not acknowledge all in time (503)
};

// Every metric the gateway exports; docs/metrics.md documents each.
std::span<const MetricDeclaration> gateway_metric_declarations();

// Not thread-safe: update from the io_context's thread.
class GatewayProbe {
 public:
  explicit GatewayProbe(MetricsRegistry& registry);
  GatewayProbe(const GatewayProbe&) = delete;
  GatewayProbe& operator=(const GatewayProbe&) = delete;

  void answered(unsigned status, std::chrono::steady_clock::duration took);
  void line(LineStatus status);
  void lines(LineFate fate, std::size_t count);
  void in_flight(std::size_t requests);
  void token_reload(bool ok, std::size_t active_tokens);

 private:
  prometheus::Family<prometheus::Counter>* requests_;
  prometheus::Family<prometheus::Counter>* reports_;
  prometheus::Histogram* duration_;
  prometheus::Gauge* in_flight_;
  prometheus::Counter* reloads_ok_;
  prometheus::Counter* reloads_failed_;
  prometheus::Gauge* tokens_;
};

}  // namespace fp::gateway
