// Maps one HTTP request (method and target) to its response: the /v1 API, /metrics,
// probes and the dashboard. Free of any socket code so it can be tested directly.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "api/http_api.h"
#include "processors/message.h"  // Clock

namespace fp {

class ProcessingCore;
class MetricsRegistry;

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// Reads the core on the caller's thread (the io_context's); see HttpApi.
class ApiRouter {
 public:
  ApiRouter(const ProcessingCore& core, MetricsRegistry& metrics, ReadinessFn readiness,
            Clock clock);

  // `target` is the request target, e.g. "/v1/progress?level=county".
  // Non-GET methods get 405 (the server adds "Allow: GET").
  [[nodiscard]] ApiResponse handle(std::string_view method, std::string_view target) const;

  // The days/window limits a query may span (bounds a response's size).
  static constexpr std::int32_t kMaxWindowDays = 3660;
  static constexpr int kMaxSilentDays = 3660;

 private:
  const ProcessingCore& core_;
  MetricsRegistry& metrics_;
  ReadinessFn readiness_;
  Clock clock_;
};

}  // namespace fp
