// The handlers of the read side's endpoints, one per path (the table is in api/api_router.cpp).
#pragma once

#include <cstdint>

#include "api/api_response.h"
#include "api/request_parameters.h"
#include "pipeline/readiness.h"

namespace fp {

class ProcessingCore;
class MetricsRegistry;

// What a handler may read. Handlers run on the io_context's thread, as the core's writer.
struct RouteContext {
  const ProcessingCore& core;
  MetricsRegistry& metrics;
  const ReadinessFn& readiness;
  std::int64_t now_ms;
};

ApiResponse handle_healthz(const RouteContext& context, const RequestParameters& params);
ApiResponse handle_readyz(const RouteContext& context, const RequestParameters& params);
ApiResponse handle_metrics(const RouteContext& context, const RequestParameters& params);
ApiResponse handle_summary(const RouteContext& context, const RequestParameters& params);
ApiResponse handle_progress(const RouteContext& context, const RequestParameters& params);
ApiResponse handle_silent_cadres(const RouteContext& context, const RequestParameters& params);
ApiResponse handle_completeness(const RouteContext& context, const RequestParameters& params);

}  // namespace fp
