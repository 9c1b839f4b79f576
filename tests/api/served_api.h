// The HTTP API over a core, served on its own io_context thread as in the
// pipeline. The core must be fed before construction, so the handlers only
// ever read it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cstdint>
#include <optional>
#include <thread>
#include <utility>

#include "api/http_api.h"
#include "metrics/registry.h"

namespace fp::testing {

class ServedApi {
 public:
  // Listens on an ephemeral loopback port (options.listen is replaced).
  ServedApi(const ProcessingCore& core, MetricsRegistry& metrics, ReadinessFn readiness,
            HttpApiOptions options) {
    options.listen = "127.0.0.1:0";
    api_.emplace(io_, core, metrics, std::move(readiness), std::move(options));
    api_->start();
    thread_ = std::thread([this] { io_.run(); });
  }
  // stop() closes the acceptor and every connection; run() then runs out of
  // work and returns, so the join also checks that nothing is left pending.
  ~ServedApi() {
    boost::asio::post(io_, [this] { api_->stop(); });
    thread_.join();
  }
  ServedApi(const ServedApi&) = delete;
  ServedApi& operator=(const ServedApi&) = delete;

  [[nodiscard]] std::uint16_t port() const { return api_->port(); }

 private:
  boost::asio::io_context io_;
  std::optional<HttpApi> api_;
  std::thread thread_;
};

}  // namespace fp::testing
