// The read side over HTTP: the /v1 JSON API over the processing core, /metrics,
// health and readiness probes, and the dashboard page (contract section 6).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/clock.h"
#include "pipeline/readiness.h"

namespace boost::asio {
class io_context;
}

namespace fp {

class ProcessingCore;
class MetricsRegistry;

struct HttpApiOptions {
  std::string listen = "127.0.0.1:8080";
  std::size_t max_header_bytes = 8 * 1024UL;  // larger requests get 431
  std::size_t max_connections = 1024;         // beyond this, new connections are closed
  Clock clock;                                // "now" for as_of; system clock when empty
};

// Serves HTTP on `io` through the shared server (http/HttpServer), one GET route
// per entry of the API's table (api/api_router.cpp) and per dashboard file.
// Threading: every handler runs on the io_context's thread and reads the core
// directly, so the core must only be mutated on that same thread (the
// pipeline's single-threaded io_context) and nothing is locked. Each connection
// is asynchronous; no handler blocks the io_context.
class HttpApi {
 public:
  HttpApi(boost::asio::io_context& io, const ProcessingCore& core, MetricsRegistry& metrics,
          ReadinessFn readiness, HttpApiOptions options);
  ~HttpApi();
  HttpApi(const HttpApi&) = delete;
  HttpApi& operator=(const HttpApi&) = delete;

  // Binds and starts accepting. Throws std::runtime_error naming the address
  // when it cannot bind (malformed address, port in use).
  void start();
  // Stops accepting and closes every connection; safe to call twice. Call on
  // the io_context's thread (or when it is not running).
  void stop();

  // The bound port (useful with port 0); 0 before start().
  [[nodiscard]] std::uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fp
