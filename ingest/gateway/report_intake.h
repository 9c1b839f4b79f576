// POST /v1/reports: authenticate, rate-limit, check every line, forward, and answer
// with receipts once Kafka acknowledged (contract section 8).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>

#include "http/http_server.h"
#include "ingest/gateway/gateway_probe.h"
#include "ingest/gateway/line_check.h"
#include "ingest/gateway/rate_limiter.h"
#include "ingest/gateway/report_forwarder.h"
#include "ingest/gateway/token_store.h"

namespace fp::gateway {

struct IntakeLimits {
  std::size_t max_lines = 500;
  std::size_t max_queued = 100'000;  // reports in the producer; beyond: 503
  std::chrono::seconds retry_after_unavailable{5};
};

// The bearer token's entry (copied: a reload may replace the store meanwhile),
// or nullopt for a missing, unknown or revoked token.
std::optional<TokenEntry> bearer_entry(const http::Request& request, const TokenStore& tokens);

// Threading: runs on the io_context's thread, like everything it is given.
class ReportIntake {
 public:
  ReportIntake(LineChecker& checker, ReportForwarder& forwarder,
               std::function<const TokenStore&()> tokens, RateLimiter& limiter, GatewayProbe& probe,
               IntakeLimits limits)
      : checker_(checker),
        forwarder_(forwarder),
        tokens_(std::move(tokens)),
        limiter_(limiter),
        probe_(probe),
        limits_(limits) {}

  void handle(const http::Request& request, const http::Reply& reply);

 private:
  LineChecker& checker_;
  ReportForwarder& forwarder_;
  std::function<const TokenStore&()> tokens_;
  RateLimiter& limiter_;
  GatewayProbe& probe_;
  IntakeLimits limits_;
};

}  // namespace fp::gateway
