// `fieldpulse gateway` (contract sections 7 and 8): the report gateway for cadres' phones.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <iostream>
#include <memory>

#include "app/commands.h"
#include "app/config.h"
#include "http/listen_address.h"
#include "ingest/gateway/gateway.h"
#include "ingest/gateway/token_store.h"
#include "kafka/config.h"
#include "model/catalog.h"
#include "model/roster.h"

namespace fp::app {
namespace {

struct GatewayFlags {
  ConfigFlags config;  // --config, --roster, --catalog, --set: the pipeline's validation keys
  std::string brokers;
  std::string tokens;
  std::string http = "127.0.0.1:8081";
  std::string tls_cert;
  std::string tls_key;
  std::size_t max_in_flight = 64;
  std::int64_t ack_timeout_ms = 10'000;
  std::int64_t read_timeout_ms = 10'000;
  std::int64_t idle_timeout_ms = 30'000;
  double token_rate = 1.0;
  double token_burst = 30;
  std::int64_t token_check_ms = 1000;
  std::size_t max_connections = 1024;
};

std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

gateway::GatewayOptions gateway_options(const GatewayFlags& flags, const Config& config) {
  gateway::GatewayOptions o;
  o.server.listen = flags.http;
  o.server.max_in_flight = flags.max_in_flight;
  o.server.max_connections = flags.max_connections;
  o.server.read_timeout = std::chrono::milliseconds(flags.read_timeout_ms);
  o.server.idle_timeout = std::chrono::milliseconds(flags.idle_timeout_ms);
  if (!flags.tls_cert.empty()) o.server.tls = http::TlsFiles{flags.tls_cert, flags.tls_key};
  o.kafka.brokers = flags.brokers;
  o.kafka.topic = config.kafka.topics.reports;
  o.kafka.ack_timeout = std::chrono::milliseconds(flags.ack_timeout_ms);
  // Room for every request in flight at its largest, so producing never waits.
  o.kafka.max_queued = flags.max_in_flight * o.max_lines + 1000;
  for (const auto& p : config.kafka.properties) {
    if (kafka::property_scope(p.first) != kafka::PropertyScope::consumer) {
      o.kafka.properties.push_back(p);
    }
  }
  o.tokens_file = flags.tokens;
  o.token_check_interval = std::chrono::milliseconds(flags.token_check_ms);
  o.token_rate_per_second = flags.token_rate;
  o.token_burst = flags.token_burst;
  o.core = config.core_options();
  o.clock = &system_now_ms;
  return o;
}

int serve(gateway::Gateway& gateway, boost::asio::io_context& io, const GatewayFlags& flags) {
  gateway.start();
  const std::string scheme = flags.tls_cert.empty() ? "http" : "https";
  // The first line of stdout: where to reach it (tests read it when --http says port 0).
  std::cout << "fieldpulse gateway: serving " << scheme << "://"
            << flags.http.substr(0, flags.http.rfind(':')) << ':' << gateway.port() << "/"
            << std::endl;
  int exit_code = kExitOk;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int signal_number) {
    if (ec) return;
    spdlog::info("signal {}: answering the requests in flight, then stopping", signal_number);
    gateway.drain([&](bool flushed) {
      if (!flushed) exit_code = kExitRuntime;
      io.stop();
    });
  });
  io.run();
  return exit_code;
}

int run_gateway(const GatewayFlags& flags) {
  auto logger = spdlog::get("fieldpulse");
  if (!logger) logger = spdlog::stderr_color_mt("fieldpulse");
  spdlog::set_default_logger(logger);
  Config config;
  try {
    config = load_config(flags.config, fieldpulse_environment());
  } catch (const ConfigError& e) {
    std::cerr << "fieldpulse gateway: " << e.what() << '\n';
    return kExitUsage;
  }
  if (flags.config.print_config) {
    std::cout << render_config(config);
    return kExitOk;
  }
  if (flags.tls_cert.empty() != flags.tls_key.empty()) {
    std::cerr << "fieldpulse gateway: " << (flags.tls_cert.empty() ? "--tls-cert" : "--tls-key")
              << ": required with " << (flags.tls_cert.empty() ? "--tls-key" : "--tls-cert")
              << '\n';
    return kExitUsage;
  }
  if (std::string problem; !http::parse_listen_address(flags.http, &problem)) {
    std::cerr << "fieldpulse gateway: --http: " << problem << '\n';
    return kExitUsage;
  }
  std::shared_ptr<const Catalog> catalog;
  std::shared_ptr<const Roster> roster;
  try {
    catalog = std::make_shared<const Catalog>(Catalog::load(config.catalog));
    roster = std::make_shared<const Roster>(Roster::load(config.roster));
  } catch (const DataFileError& e) {
    std::cerr << "fieldpulse gateway: " << e.what() << '\n';
    return kExitUsage;
  }
  boost::asio::io_context io(1);
  try {
    gateway::Gateway gateway(io, catalog, roster, gateway_options(flags, config));
    return serve(gateway, io, flags);
  } catch (const gateway::TokenFileError& e) {
    std::cerr << "fieldpulse gateway: --tokens: " << e.what() << '\n';
    return kExitUsage;
  } catch (const kafka::ConfigError& e) {
    std::cerr << "fieldpulse gateway: kafka.properties." << e.key() << ": " << e.what() << '\n';
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "fieldpulse gateway: " << e.what() << '\n';
    return kExitRuntime;
  }
}

void add_limit_flags(CLI::App& cmd, GatewayFlags& f) {
  cmd.add_option("--max-in-flight", f.max_in_flight,
                 "requests handled at once; beyond this, 503 with Retry-After")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  cmd.add_option("--ack-timeout-ms", f.ack_timeout_ms,
                 "how long Kafka may take to acknowledge a request's reports before it is "
                 "answered 503")
      ->check(CLI::Range(100, 300'000))
      ->capture_default_str();
  cmd.add_option("--read-timeout-ms", f.read_timeout_ms,
                 "a request body (and a TLS handshake) must arrive within this")
      ->check(CLI::Range(100, 600'000))
      ->capture_default_str();
  cmd.add_option("--idle-timeout-ms", f.idle_timeout_ms,
                 "a connection without a complete request header for this long is closed")
      ->check(CLI::Range(100, 3'600'000))
      ->capture_default_str();
  cmd.add_option("--token-rate", f.token_rate, "requests per second each device token may make")
      ->check(CLI::Range(0.001, 1e6))
      ->capture_default_str();
  cmd.add_option("--token-burst", f.token_burst, "requests a device token may make at once")
      ->check(CLI::Range(1.0, 1e6))
      ->capture_default_str();
  cmd.add_option("--token-check-ms", f.token_check_ms,
                 "how often the token file is checked for changes (SIGHUP reloads at once)")
      ->check(CLI::Range(50, 3'600'000))
      ->capture_default_str();
  cmd.add_option("--max-connections", f.max_connections, "open connections at most")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
}

}  // namespace

void add_gateway_command(CLI::App& root, int& exit_code) {
  auto flags = std::make_shared<GatewayFlags>();
  auto* cmd = root.add_subcommand(
      "gateway",
      "The report gateway for cadres' phones: POST /v1/reports (bearer device tokens) is\n"
      "checked like the pipeline checks it, forwarded to Kafka keyed by village and answered\n"
      "with receipts once acknowledged; GET / serves the field form (docs/gateway.md).");
  cmd->add_option("--brokers", flags->brokers, "Kafka bootstrap servers HOST:PORT[,..]")
      ->required();
  cmd->add_option("--tokens", flags->tokens, "token file (fieldpulse token add)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--http", flags->http, "listen address ADDR:PORT (port 0: any free port)")
      ->capture_default_str();
  cmd->add_option("--tls-cert", flags->tls_cert, "PEM certificate chain: serve HTTPS")
      ->check(CLI::ExistingFile);
  cmd->add_option("--tls-key", flags->tls_key, "PEM private key of --tls-cert")
      ->check(CLI::ExistingFile);
  add_limit_flags(*cmd, *flags);
  add_core_config_flags(*cmd, flags->config);
  cmd->callback([&exit_code, flags] { exit_code = run_gateway(*flags); });
}

}  // namespace fp::app
