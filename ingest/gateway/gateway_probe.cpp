// The gateway's metric declarations and their updates.
#include "ingest/gateway/gateway_probe.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <string>

namespace fp::gateway {
namespace {

enum Metric : std::size_t { kRequests, kReports, kDuration, kInFlight, kReloads, kTokens, kCount };

constexpr std::array<MetricDeclaration, kCount> kMetrics = {{
    {"fieldpulse_gateway_requests_total", MetricType::counter, "code",
     "Requests answered, by HTTP status code."},
    {"fieldpulse_gateway_reports_total", MetricType::counter, "status",
     "Report lines of POST /v1/reports by what became of them: queued, rejected (forwarded), "
     "refused (not forwarded), forbidden (request refused 403), unacknowledged (request "
     "answered 503)."},
    {"fieldpulse_gateway_request_duration_seconds", MetricType::histogram, "",
     "From a request's body being read to its answer (for POST /v1/reports, Kafka's "
     "acknowledgement included)."},
    {"fieldpulse_gateway_requests_in_flight", MetricType::gauge, "",
     "Requests being handled (read, waiting for Kafka) now."},
    {"fieldpulse_gateway_token_reloads_total", MetricType::counter, "result",
     "Reloads of the token file (SIGHUP or a change on disk): ok, or failed (the previous "
     "tokens stay in force)."},
    {"fieldpulse_gateway_tokens_active", MetricType::gauge, "",
     "Active (not revoked) device tokens loaded."},
}};

constexpr std::array<double, 13> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                             0.25,  0.5,    1.0,   2.5,  5.0,   10.0};

std::string name_of(Metric m) { return std::string(kMetrics[m].name); }
std::string help_of(Metric m) { return std::string(kMetrics[m].help); }

}  // namespace

std::span<const MetricDeclaration> gateway_metric_declarations() { return kMetrics; }

GatewayProbe::GatewayProbe(MetricsRegistry& registry) {
  auto& r = registry.registry();
  requests_ =
      &prometheus::BuildCounter().Name(name_of(kRequests)).Help(help_of(kRequests)).Register(r);
  reports_ =
      &prometheus::BuildCounter().Name(name_of(kReports)).Help(help_of(kReports)).Register(r);
  for (const char* status : {"queued", "rejected", "refused", "forbidden", "unacknowledged"}) {
    reports_->Add({{"status", status}});
  }
  duration_ =
      &prometheus::BuildHistogram()
           .Name(name_of(kDuration))
           .Help(help_of(kDuration))
           .Register(r)
           .Add({}, prometheus::Histogram::BucketBoundaries(kBuckets.begin(), kBuckets.end()));
  in_flight_ = &prometheus::BuildGauge()
                    .Name(name_of(kInFlight))
                    .Help(help_of(kInFlight))
                    .Register(r)
                    .Add({});
  auto& reloads =
      prometheus::BuildCounter().Name(name_of(kReloads)).Help(help_of(kReloads)).Register(r);
  reloads_ok_ = &reloads.Add({{"result", "ok"}});
  reloads_failed_ = &reloads.Add({{"result", "failed"}});
  tokens_ =
      &prometheus::BuildGauge().Name(name_of(kTokens)).Help(help_of(kTokens)).Register(r).Add({});
}

void GatewayProbe::answered(unsigned status, std::chrono::steady_clock::duration took) {
  requests_->Add({{"code", std::to_string(status)}}).Increment();
  duration_->Observe(std::chrono::duration<double>(took).count());
}

void GatewayProbe::line(LineStatus status) {
  reports_->Add({{"status", std::string(to_string(status))}}).Increment();
}

void GatewayProbe::lines(LineFate fate, std::size_t count) {
  if (count == 0) return;
  const char* status = fate == LineFate::forbidden ? "forbidden" : "unacknowledged";
  reports_->Add({{"status", status}}).Increment(static_cast<double>(count));
}

void GatewayProbe::in_flight(std::size_t requests) {
  in_flight_->Set(static_cast<double>(requests));
}

void GatewayProbe::token_reload(bool ok, std::size_t active_tokens) {
  (ok ? reloads_ok_ : reloads_failed_)->Increment();
  tokens_->Set(static_cast<double>(active_tokens));
}

}  // namespace fp::gateway
