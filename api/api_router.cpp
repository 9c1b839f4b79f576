// The table of the read side's endpoints and the dispatch through it.
#include "api/api_router.h"

#include <array>
#include <chrono>

#include "api/dashboard/dashboard_files.h"
#include "api/query_string.h"

namespace fp {
namespace {

// In a function: building the table allocates, which must not happen before main().
const std::array<Route, 7>& route_table() {
  static const std::array<Route, 7> table{{
      {"/healthz", "the process is alive", {}, handle_healthz},
      {"/readyz", "ready to be asked: 200, or 503 with the reasons", {}, handle_readyz},
      {"/metrics", "Prometheus exposition of every metric", {}, handle_metrics},
      {"/v1/summary", "report counts, lag, cadres reporting and silent", {}, handle_summary},
      {"/v1/progress",
       "aggregates of a level, entity, metric and window; a range sums each series",
       {"level", "id", "metric", "window", "by"},
       handle_progress},
      {"/v1/cadres/silent",
       "cadres with no accepted report in the last `days` days",
       {"days", "as_of"},
       handle_silent_cadres},
      {"/v1/completeness",
       "share of villages that reported on a day, per region of a level",
       {"level", "date"},
       handle_completeness},
  }};
  return table;
}

std::string expected_list(const std::vector<std::string_view>& names) {
  std::string out;
  for (const auto name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

std::optional<ApiResponse> check_parameter_names(const Route& route,
                                                 const RequestParameters& params) {
  const std::string* name = params.unexpected(route.parameters);
  if (!name) return std::nullopt;
  if (route.parameters.empty()) return bad_parameter(*name, "this endpoint takes no parameters");
  return bad_parameter(*name, "unknown parameter; expected " + expected_list(route.parameters));
}

std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::span<const Route> api_routes() { return route_table(); }

ApiRouter::ApiRouter(const ProcessingCore& core, MetricsRegistry& metrics, ReadinessFn readiness,
                     Clock clock)
    : core_(core), metrics_(metrics), readiness_(std::move(readiness)), clock_(std::move(clock)) {
  if (!clock_) clock_ = &system_now_ms;
}

ApiResponse ApiRouter::handle(std::string_view method, std::string_view target) const {
  if (method != "GET") return error_response(405, "method not allowed");
  const auto question = target.find('?');
  const std::string_view path = target.substr(0, question);
  if (const EmbeddedAsset* file = find_dashboard_file(path)) {
    return ApiResponse{200, std::string(file->content_type), std::string(file->body)};
  }
  const std::string_view query =
      question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
  QueryError query_error;
  auto parsed = parse_query(query, query_error);
  if (!parsed) return bad_parameter(query_error.parameter, query_error.detail);
  const RequestParameters params(std::move(*parsed));
  for (const Route& route : route_table()) {
    if (route.path != path) continue;
    if (auto error = check_parameter_names(route, params)) return *error;
    return route.handler(RouteContext{core_, metrics_, readiness_, clock_()}, params);
  }
  return error_response(404, "not found");
}

}  // namespace fp
