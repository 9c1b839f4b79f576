// GET /healthz, /readyz, /metrics and /v1/summary: the process's own state.
#include "api/routes/handlers.h"
#include "api/summary_json.h"
#include "metrics/registry.h"
#include "model/json_text.h"

namespace fp {

ApiResponse handle_healthz(const RouteContext& /*context*/, const RequestParameters& /*params*/) {
  return json_response(200, "{\"status\":\"ok\"}");
}

ApiResponse handle_readyz(const RouteContext& context, const RequestParameters& /*params*/) {
  const Readiness r = context.readiness ? context.readiness() : Readiness{true, {}};
  std::string body = r.ready ? "{\"ready\":true,\"reasons\":[" : "{\"ready\":false,\"reasons\":[";
  for (std::size_t i = 0; i < r.reasons.size(); ++i) {
    if (i) body += ',';
    append_json_string(body, r.reasons[i]);
  }
  body += "]}";
  return json_response(r.ready ? 200 : 503, std::move(body));
}

ApiResponse handle_metrics(const RouteContext& context, const RequestParameters& /*params*/) {
  return ApiResponse{200, std::string(kExpositionContentType), context.metrics.render()};
}

ApiResponse handle_summary(const RouteContext& context, const RequestParameters& /*params*/) {
  return json_response(200, render_summary_json(context.core, context.now_ms));
}

}  // namespace fp
