// Maps one HTTP request (method and target) to its response through the table of
// endpoints. Free of any socket code so it can be tested directly.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "api/api_response.h"
#include "api/routes/handlers.h"
#include "model/clock.h"

namespace fp {

class ProcessingCore;
class MetricsRegistry;

// One endpoint: its path, what it answers (docs/http-api.md says more), the
// query parameters it takes (any other is a 400 naming it) and its handler.
struct Route {
  std::string_view path;
  std::string_view help;
  std::vector<std::string_view> parameters;
  ApiResponse (*handler)(const RouteContext&, const RequestParameters&);
};

// Every GET endpoint but the dashboard's files.
std::span<const Route> api_routes();

// Reads the core on the caller's thread (the io_context's); see HttpApi.
class ApiRouter {
 public:
  ApiRouter(const ProcessingCore& core, MetricsRegistry& metrics, ReadinessFn readiness,
            Clock clock);

  // `target` is the request target, e.g. "/v1/progress?level=county".
  // Non-GET methods get 405 (the server adds "Allow: GET").
  [[nodiscard]] ApiResponse handle(std::string_view method, std::string_view target) const;

 private:
  const ProcessingCore& core_;
  MetricsRegistry& metrics_;
  ReadinessFn readiness_;
  Clock clock_;
};

}  // namespace fp
