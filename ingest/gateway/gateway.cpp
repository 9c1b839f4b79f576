// Wires the gateway's parts onto one HTTP server: the routes and what each answers.
#include "ingest/gateway/gateway.h"

#include <boost/asio/io_context.hpp>

#include "generated/field_form_assets.h"
#include "ingest/gateway/gateway_probe.h"
#include "ingest/gateway/line_check.h"
#include "ingest/gateway/rate_limiter.h"
#include "ingest/gateway/receipts.h"
#include "ingest/gateway/report_intake.h"
#include "ingest/gateway/token_watcher.h"
#include "metrics/registry.h"
#include "model/catalog.h"
#include "model/json_text.h"
#include "model/roster.h"

namespace fp::gateway {

namespace {

// {"cadre_id","device","name","tier","region":{"code","name"}}: what the form
// needs to fill in a report for the token's cadre.
std::string whoami_json(const TokenEntry& entry, const Roster& roster) {
  std::string out = "{\"cadre_id\":";
  append_json_string(out, entry.cadre_id);
  out += ",\"device\":";
  append_json_string(out, entry.device);
  if (const auto id = roster.find_cadre(entry.cadre_id)) {
    const Cadre& cadre = roster.cadre(*id);
    const Region& region = roster.region(cadre.region);
    out += ",\"name\":";
    append_json_string(out, cadre.name);
    out += ",\"tier\":\"";
    out += to_string(cadre.tier);
    out += "\",\"region\":{\"code\":";
    append_json_string(out, region.code);
    out += ",\"name\":";
    append_json_string(out, region.name);
    out += '}';
  }
  out += '}';
  return out;
}

}  // namespace

struct Gateway::Parts {
  Parts(boost::asio::io_context& io_context, std::shared_ptr<const Catalog> cat,
        std::shared_ptr<const Roster> ros, GatewayOptions opts)
      : io(io_context),
        catalog(std::move(cat)),
        roster(std::move(ros)),
        options(std::move(opts)),
        probe(metrics),
        tokens(io_context, options.tokens_file, options.token_check_interval,
               [this](bool ok, std::size_t active, const std::string&) {
                 probe.token_reload(ok, active);
               }),
        checker(*catalog, *roster, options.core, options.clock),
        limiter(options.token_rate_per_second, options.token_burst),
        forwarder(io_context, options.kafka),
        intake(
            checker, forwarder, [this]() -> const TokenStore& { return tokens.tokens(); }, limiter,
            probe,
            IntakeLimits{options.max_lines, options.kafka.max_queued, std::chrono::seconds(5)}),
        server(io_context, options.server),
        catalog_body(catalog_json(*catalog)) {}

  void add_routes();
  void add_probes();

  boost::asio::io_context& io;
  std::shared_ptr<const Catalog> catalog;
  std::shared_ptr<const Roster> roster;
  GatewayOptions options;
  MetricsRegistry metrics;
  GatewayProbe probe;
  TokenWatcher tokens;
  LineChecker checker;
  RateLimiter limiter;
  ReportForwarder forwarder;
  ReportIntake intake;
  http::HttpServer server;
  std::string catalog_body;
  bool draining = false;
};

void Gateway::Parts::add_routes() {
  const http::RouteOptions probe_route{0, false};
  server.route(
      "POST", "/v1/reports",
      [this](const http::Request& request, http::Reply reply) {
        probe.in_flight(server.in_flight());
        intake.handle(request, [this, reply = std::move(reply)](http::Response r) {
          reply(std::move(r));
          probe.in_flight(server.in_flight());
        });
      },
      http::RouteOptions{options.max_body_bytes, true});
  server.route(
      "GET", "/v1/catalog",
      [this](const http::Request&, const http::Reply& reply) {
        reply(http::Response{200, "application/json", catalog_body, {}});
      },
      probe_route);
  server.route(
      "GET", "/v1/whoami",
      [this](const http::Request& request, const http::Reply& reply) {
        const auto entry = bearer_entry(request, tokens.tokens());
        if (!entry) {
          http::Response r = http::error_response(401, "missing, unknown or revoked token");
          r.headers.emplace_back("WWW-Authenticate", "Bearer");
          return reply(std::move(r));
        }
        reply(http::Response{200, "application/json", whoami_json(*entry, *roster), {}});
      },
      probe_route);
  for (const EmbeddedAsset& asset : field_form_assets()) {
    const std::string path = asset.path == "index.html" ? "/" : "/" + std::string(asset.path);
    server.route(
        "GET", path,
        [&asset](const http::Request&, const http::Reply& reply) {
          reply(http::Response{200, std::string(asset.content_type), std::string(asset.body), {}});
        },
        probe_route);
  }
  add_probes();
}

void Gateway::Parts::add_probes() {
  const http::RouteOptions probe_route{0, false};
  server.route(
      "GET", "/metrics",
      [this](const http::Request&, const http::Reply& reply) {
        probe.in_flight(server.in_flight());
        reply(http::Response{200, kExpositionContentType, metrics.render(), {}});
      },
      probe_route);
  server.route(
      "GET", "/healthz",
      [](const http::Request&, const http::Reply& reply) {
        reply(http::Response{200, "application/json", "{\"status\":\"ok\"}", {}});
      },
      probe_route);
  server.route(
      "GET", "/readyz",
      [this](const http::Request&, const http::Reply& reply) {
        if (draining) return reply(http::error_response(503, "draining"));
        if (!forwarder.reachable()) return reply(http::error_response(503, "Kafka unreachable"));
        reply(http::Response{200, "application/json", "{\"status\":\"ready\"}", {}});
      },
      probe_route);
}

Gateway::Gateway(boost::asio::io_context& io, std::shared_ptr<const Catalog> catalog,
                 std::shared_ptr<const Roster> roster, GatewayOptions options)
    : parts_(
          std::make_unique<Parts>(io, std::move(catalog), std::move(roster), std::move(options))) {
  parts_->add_routes();
}

Gateway::~Gateway() {
  parts_->server.stop();
  parts_->tokens.stop();
}

void Gateway::start() {
  parts_->server.start();
  parts_->tokens.start();
}

void Gateway::drain(std::function<void(bool)> done) {
  parts_->draining = true;
  parts_->server.drain([this, done = std::move(done)] {
    parts_->tokens.stop();
    done(parts_->forwarder.flush(parts_->options.kafka.ack_timeout));
  });
}

std::uint16_t Gateway::port() const { return parts_->server.port(); }

}  // namespace fp::gateway
