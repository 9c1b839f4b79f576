// A small asynchronous HTTP(S) server on Boost.Beast: handlers per (method, path),
// header/body size limits, read and idle timeouts, and a cap on requests in flight.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace fp::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra, e.g. Retry-After
};

// A handler answers through `Reply`, exactly once, on the io_context's thread,
// now or later (e.g. once Kafka acknowledged what the request carried).
using Reply = std::function<void(Response)>;
using Handler = std::function<void(const Request&, Reply)>;

// A JSON error body {"error": message} with `status`.
Response error_response(unsigned status, std::string_view message);

struct TlsFiles {
  std::string cert_file;  // PEM certificate chain
  std::string key_file;   // PEM private key
};

struct ServerOptions {
  std::string listen = "127.0.0.1:8080";
  std::size_t max_header_bytes = 8 * 1024UL;  // larger headers: 431
  std::size_t max_connections = 1024;         // beyond this, new connections are closed
  // Requests being handled at once (routes with counted_in_flight); beyond
  // this a request gets 503 with Retry-After: busy_retry_after.
  std::size_t max_in_flight = 64;
  std::chrono::seconds busy_retry_after{1};
  // A connection awaiting a request is closed unless a whole header arrives
  // within idle_timeout (silent, idle keep-alive and slow-header clients), and
  // the body must follow within read_timeout. A slow client holds only its
  // own connection.
  std::chrono::milliseconds idle_timeout{30'000};
  std::chrono::milliseconds read_timeout{10'000};
  std::chrono::milliseconds write_timeout{10'000};
  std::optional<TlsFiles> tls;  // HTTPS when set
};

struct RouteOptions {
  std::size_t max_body_bytes = 0;  // larger bodies: 413
  bool counted_in_flight = true;   // false for cheap probes (/healthz, /metrics)
};

// Threading: everything (accepting, handlers, replies) runs on the one thread
// running the io_context; nothing is locked. Construct, add routes, start().
class HttpServer {
 public:
  // Throws std::runtime_error when the TLS certificate or key cannot be loaded.
  HttpServer(boost::asio::io_context& io, ServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // `path` is matched exactly against the target without its query string.
  // An unknown path answers 404; a known path with another method, 405.
  void route(std::string method, std::string path, Handler handler, RouteOptions options = {});

  // Binds and starts accepting. Throws std::runtime_error naming the address
  // when it cannot bind.
  void start();
  // Stops accepting and lets every request being handled finish; `done` runs
  // (on the io thread) once none is left, after which the server is stopped.
  void drain(std::function<void()> done);
  // Stops accepting and closes every connection; safe to call twice.
  void stop();

  [[nodiscard]] std::uint16_t port() const;  // the bound port; 0 before start()
  [[nodiscard]] std::size_t in_flight() const;
  [[nodiscard]] bool tls() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace fp::http
