// The report gateway for cadres' phones (contract section 8): HTTP(S) in, Kafka out,
// with the field form, health and readiness probes and metrics on the same port.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "http/http_server.h"
#include "ingest/gateway/report_forwarder.h"
#include "model/clock.h"
#include "processors/core_options.h"

namespace boost::asio {
class io_context;
}

namespace fp {
class Catalog;
class Roster;
}  // namespace fp

namespace fp::gateway {

struct GatewayOptions {
  http::ServerOptions server;
  ReportForwarder::Options kafka;
  std::string tokens_file;
  std::chrono::milliseconds token_check_interval{1000};
  double token_rate_per_second = 1.0;  // requests per device token
  double token_burst = 30;
  std::size_t max_body_bytes = std::size_t{4} << 20;
  std::size_t max_lines = 500;
  CoreOptions core;  // the pipeline's validation settings
  Clock clock;       // "now" for future_timestamp
};

// Threading: construct, start() and drain() on the thread that runs `io`;
// everything else happens there too (Kafka's delivery reports are posted to it).
class Gateway {
 public:
  // Throws gateway::TokenFileError (token file), kafka::ConfigError (a
  // property) or std::runtime_error (TLS files).
  Gateway(boost::asio::io_context& io, std::shared_ptr<const Catalog> catalog,
          std::shared_ptr<const Roster> roster, GatewayOptions options);
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Listens; throws std::runtime_error naming the address when it cannot.
  void start();
  // Stops taking requests, answers those in flight, waits (up to the Kafka
  // acknowledgement timeout) for every forwarded report, then calls done(ok).
  void drain(std::function<void(bool)> done);

  [[nodiscard]] std::uint16_t port() const;

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace fp::gateway
