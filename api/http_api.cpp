// HttpApi on the shared HTTP server (http/): the routes of the API's table and the
// dashboard's files, each answered through ApiRouter.
#include "api/http_api.h"

#include <chrono>
#include <string>

#include "api/api_router.h"
#include "api/dashboard/dashboard_files.h"
#include "http/http_server.h"

namespace fp {

struct HttpApi::Impl {
  Impl(boost::asio::io_context& io, http::ServerOptions options) : server(io, std::move(options)) {}
  http::HttpServer server;
};

namespace {

http::ServerOptions server_options(const HttpApiOptions& options) {
  http::ServerOptions out;
  out.listen = options.listen;
  out.max_header_bytes = options.max_header_bytes;
  out.max_connections = options.max_connections;
  // An idle or slow client is disconnected after a minute without progress.
  out.idle_timeout = std::chrono::seconds(60);
  out.read_timeout = std::chrono::seconds(60);
  out.write_timeout = std::chrono::seconds(60);
  return out;
}

// Every path the read side serves: the API's routes, the page at "/" and its files.
std::vector<std::string> served_paths() {
  std::vector<std::string> paths{"/"};
  for (const Route& route : api_routes()) paths.emplace_back(route.path);
  for (const EmbeddedAsset& file : dashboard_files()) paths.push_back("/" + std::string(file.path));
  return paths;
}

}  // namespace

HttpApi::HttpApi(boost::asio::io_context& io, const ProcessingCore& core, MetricsRegistry& metrics,
                 ReadinessFn readiness, HttpApiOptions options)
    : impl_(std::make_unique<Impl>(io, server_options(options))) {
  // Shared with the handlers, which a connection still open may call late.
  auto router = std::make_shared<const ApiRouter>(core, metrics, std::move(readiness),
                                                  std::move(options.clock));
  auto handler = [router](const http::Request& request, const http::Reply& reply) {
    const auto target = request.target();
    ApiResponse api = router->handle("GET", std::string_view(target.data(), target.size()));
    reply(http::Response{
        static_cast<unsigned>(api.status), std::move(api.content_type), std::move(api.body), {}});
  };
  // GET only (other methods: 405 with Allow: GET), no request bodies (413), and
  // answered at once, so not counted in flight.
  const http::RouteOptions route_options{0, false};
  for (std::string& path : served_paths()) {
    impl_->server.route("GET", std::move(path), handler, route_options);
  }
}

HttpApi::~HttpApi() = default;

void HttpApi::start() { impl_->server.start(); }

void HttpApi::stop() { impl_->server.stop(); }

std::uint16_t HttpApi::port() const { return impl_->server.port(); }

}  // namespace fp
