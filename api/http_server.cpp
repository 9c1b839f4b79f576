// The Beast server behind HttpApi: an acceptor and one asynchronous session per
// connection, all on the one io_context thread.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <unordered_set>

#include "api/api_router.h"
#include "api/http_api.h"

namespace fp {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {
// An idle or slow client is disconnected after this long without progress.
constexpr std::chrono::seconds kIdleTimeout{60};
}  // namespace

class HttpSession;

// What the acceptor and every session share; sessions keep it alive.
struct HttpServerState : std::enable_shared_from_this<HttpServerState> {
  HttpServerState(asio::io_context& io_context, const ProcessingCore& core,
                  MetricsRegistry& metrics, ReadinessFn readiness, HttpApiOptions opts)
      : io(io_context),
        acceptor(io_context),
        accept_backoff(io_context),
        options(std::move(opts)),
        router(core, metrics, std::move(readiness), options.clock) {}

  void accept();

  asio::io_context& io;
  tcp::acceptor acceptor;
  asio::steady_timer accept_backoff;  // pause after a failed accept (e.g. EMFILE)
  HttpApiOptions options;
  ApiRouter router;
  std::unordered_set<HttpSession*> sessions;  // open connections, for stop()
  std::uint16_t port = 0;
  bool stopped = false;
};

struct HttpApi::Impl : HttpServerState {
  using HttpServerState::HttpServerState;
};

// One connection: read a request, answer it, repeat while keep-alive.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket socket, std::shared_ptr<HttpServerState> server)
      : stream_(std::move(socket)), server_(std::move(server)) {
    server_->sessions.insert(this);
  }
  ~HttpSession() { server_->sessions.erase(this); }

  void start() { read(); }
  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

 private:
  void read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_->options.max_header_bytes));
    parser_->body_limit(0);  // the API takes no request bodies
    stream_.expires_after(kIdleTimeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::header_limit) return reply_error(431, "request header too large");
    if (ec == http::error::body_limit) return reply_error(413, "request body not accepted");
    if (ec) {
      // A request Beast could not parse gets a 400; anything else (the client
      // closed, idle timeout, stop()) just ends the connection.
      const bool malformed =
          ec.category() == http::make_error_code(http::error::bad_target).category() &&
          ec != http::error::end_of_stream && ec != http::error::partial_message;
      if (malformed && !server_->stopped) return reply_error(400, "malformed request");
      return close();
    }
    const auto& request = parser_->get();
    const auto method = request.method_string();
    const auto target = request.target();
    ApiResponse api = server_->router.handle(std::string_view(method.data(), method.size()),
                                             std::string_view(target.data(), target.size()));
    auto response = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(api.status), request.version());
    response->set(http::field::server, "fieldpulse");
    response->set(http::field::content_type, api.content_type);
    response->set(http::field::cache_control, "no-store");
    if (api.status == 405) response->set(http::field::allow, "GET");
    response->keep_alive(request.keep_alive());
    response->body() = std::move(api.body);
    response->prepare_payload();
    write(response);
  }

  void reply_error(int status, std::string_view message) {
    auto response =
        std::make_shared<http::response<http::string_body>>(static_cast<http::status>(status), 11);
    response->set(http::field::server, "fieldpulse");
    response->set(http::field::content_type, "application/json");
    response->keep_alive(false);
    response->body() = "{\"error\":\"" + std::string(message) + "\"}";
    response->prepare_payload();
    write(response);
  }

  void write(const std::shared_ptr<http::response<http::string_body>>& response) {
    stream_.expires_after(kIdleTimeout);
    http::async_write(stream_, *response,
                      [self = shared_from_this(), response](beast::error_code ec, std::size_t) {
                        if (ec || !response->keep_alive() || self->server_->stopped) {
                          return self->close();
                        }
                        self->read();
                      });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> parser_;
  std::shared_ptr<HttpServerState> server_;
};

void HttpServerState::accept() {
  acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
    if (self->stopped || ec == asio::error::operation_aborted) return;
    if (ec) {
      // Transient accept errors (e.g. out of descriptors) do not stop the
      // server; waiting a moment keeps a persistent one from spinning.
      self->accept_backoff.expires_after(std::chrono::milliseconds(100));
      self->accept_backoff.async_wait([self](beast::error_code wait_ec) {
        if (!wait_ec && !self->stopped) self->accept();
      });
      return;
    }
    if (self->sessions.size() >= self->options.max_connections) {
      beast::error_code ignored;
      socket.close(ignored);  // over the limit: refuse rather than queue
    } else {
      std::make_shared<HttpSession>(std::move(socket), self)->start();
    }
    self->accept();
  });
}

HttpApi::HttpApi(asio::io_context& io, const ProcessingCore& core, MetricsRegistry& metrics,
                 ReadinessFn readiness, HttpApiOptions options)
    : impl_(std::make_shared<Impl>(io, core, metrics, std::move(readiness), std::move(options))) {}

HttpApi::~HttpApi() { stop(); }

void HttpApi::start() {
  std::string problem;
  const auto address = parse_listen_address(impl_->options.listen, &problem);
  if (!address) {
    throw std::runtime_error("http.listen \"" + impl_->options.listen + "\": " + problem);
  }
  const std::string host = address->host == "localhost" ? "127.0.0.1" : address->host;
  const tcp::endpoint endpoint(asio::ip::make_address(host), address->port);
  beast::error_code ec;
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    beast::error_code ignored;
    acceptor.close(ignored);
    throw std::runtime_error("cannot listen on " + impl_->options.listen + ": " + ec.message());
  }
  impl_->port = acceptor.local_endpoint().port();
  impl_->stopped = false;
  impl_->accept();
}

void HttpApi::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
  impl_->accept_backoff.cancel();
  // Closing completes each session's pending operation with an error; the
  // session then ends and unregisters itself.
  const auto sessions = impl_->sessions;
  for (HttpSession* session : sessions) session->close();
}

std::uint16_t HttpApi::port() const { return impl_->port; }

}  // namespace fp
