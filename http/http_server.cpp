// The Beast server behind HttpServer: an acceptor and one asynchronous session per
// connection (plain TCP or TLS), all on the one io_context thread.
#include "http/http_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <limits>
#include <stdexcept>
#include <unordered_set>

#include "http/listen_address.h"

namespace fp::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

struct RouteEntry {
  std::string method;
  std::string path;
  Handler handler;
  RouteOptions options;
};

// What the server keeps of each session: enough to close it on stop().
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  virtual void close() = 0;
  bool busy = false;  // a request is being read or handled
};

std::string json_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out;
}

}  // namespace

Response error_response(unsigned status, std::string_view message) {
  return Response{status, "application/json", "{\"error\":\"" + json_escape(message) + "\"}", {}};
}

struct HttpServer::State : std::enable_shared_from_this<HttpServer::State> {
  State(asio::io_context& io_context, ServerOptions opts)
      : io(io_context), acceptor(io_context), accept_backoff(io_context), options(std::move(opts)) {
    if (options.tls) {
      tls_context.emplace(ssl::context::tls_server);
      tls_context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                               ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                               ssl::context::no_tlsv1_1);
      boost::system::error_code ec;
      tls_context->use_certificate_chain_file(options.tls->cert_file, ec);
      if (ec) {
        throw std::runtime_error("cannot load TLS certificate " + options.tls->cert_file + ": " +
                                 ec.message());
      }
      tls_context->use_private_key_file(options.tls->key_file, ssl::context::pem, ec);
      if (ec) {
        throw std::runtime_error("cannot load TLS key " + options.tls->key_file + ": " +
                                 ec.message());
      }
    }
  }

  void accept();
  void finished_one() {
    --in_flight;
    if (draining && in_flight == 0) finish_drain();
  }
  void finish_drain() {
    auto done = std::move(drained);
    drained = nullptr;
    stop();
    if (done) done();
  }
  void stop() {
    if (stopped) return;
    stopped = true;
    beast::error_code ignored;
    acceptor.close(ignored);
    accept_backoff.cancel();
    const auto open = sessions;  // closing may unregister sessions
    for (SessionBase* session : open) session->close();
  }
  // The route for (method, path); `path_known` says whether another method has one.
  const RouteEntry* find(std::string_view method, std::string_view path, bool& path_known) const {
    path_known = false;
    for (const RouteEntry& r : routes) {
      if (r.path != path) continue;
      path_known = true;
      if (r.method == method) return &r;
    }
    return nullptr;
  }
  std::string allowed_methods(std::string_view path) const {
    std::string out;
    for (const RouteEntry& r : routes) {
      if (r.path != path) continue;
      if (!out.empty()) out += ", ";
      out += r.method;
    }
    return out;
  }

  asio::io_context& io;
  tcp::acceptor acceptor;
  asio::steady_timer accept_backoff;  // pause after a failed accept (e.g. EMFILE)
  ServerOptions options;
  std::optional<ssl::context> tls_context;
  std::vector<RouteEntry> routes;
  std::unordered_set<SessionBase*> sessions;
  std::size_t in_flight = 0;
  std::uint16_t port = 0;
  bool stopped = true;
  bool draining = false;
  std::function<void()> drained;
};

namespace {

using State = HttpServer::State;
using ResponsePtr = std::shared_ptr<bhttp::response<bhttp::string_body>>;

ResponsePtr make_response(Response r, unsigned version, bool keep_alive) {
  auto res = std::make_shared<bhttp::response<bhttp::string_body>>(
      static_cast<bhttp::status>(r.status), version);
  res->set(bhttp::field::server, "fieldpulse");
  res->set(bhttp::field::content_type, r.content_type);
  res->set(bhttp::field::cache_control, "no-store");
  for (auto& [name, value] : r.headers) res->set(name, value);
  res->keep_alive(keep_alive);
  res->body() = std::move(r.body);
  res->prepare_payload();
  return res;
}

std::string_view path_of(beast::string_view target) {
  const std::string_view t(target.data(), target.size());
  return t.substr(0, t.find('?'));
}

// One connection: [TLS handshake,] read a header, check it, read the body,
// hand the request to its handler, write the reply, repeat while keep-alive.
template <class Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(Stream stream, std::shared_ptr<State> state)
      : stream_(std::move(stream)), state_(std::move(state)) {
    state_->sessions.insert(this);
  }
  ~Session() override { state_->sessions.erase(this); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start() {
    if constexpr (kTls) {
      lowest().expires_after(state_->options.read_timeout);
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return self->close();
                                self->read_header();
                              });
    } else {
      read_header();
    }
  }

  void close() override {
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
    lowest().close();
  }

 private:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  void read_header() {
    busy = false;
    if (state_->stopped || state_->draining) return close();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(state_->options.max_header_bytes));
    // Checked per route once the header is in. Not boost::none: Boost 1.74's
    // parser compares the length with the optional, and anything exceeds none.
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    lowest().expires_after(state_->options.idle_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                               self->on_header(ec);
                             });
  }

  void on_header(beast::error_code ec) {
    if (ec == bhttp::error::header_limit) return refuse(error_response(431, "header too large"));
    if (ec) return malformed_or_gone(ec);
    busy = true;
    const auto& header = parser_->get();
    const std::string_view method(header.method_string().data(), header.method_string().size());
    const std::string_view path = path_of(header.target());
    bool path_known = false;
    route_ = state_->find(method, path, path_known);
    if (route_ == nullptr && path_known) {
      Response r = error_response(405, "method not allowed");
      r.headers.emplace_back("Allow", state_->allowed_methods(path));
      return answer_unrouted(std::move(r));
    }
    if (route_ == nullptr) return answer_unrouted(error_response(404, "no such resource"));
    const auto length = parser_->content_length();
    if (length && *length > route_->options.max_body_bytes) {
      return refuse(error_response(
          413,
          "request body larger than " + std::to_string(route_->options.max_body_bytes) + " bytes"));
    }
    if (route_->options.counted_in_flight && state_->in_flight >= state_->options.max_in_flight) {
      Response r = error_response(503, "too many requests in flight; retry later");
      r.headers.emplace_back("Retry-After",
                             std::to_string(state_->options.busy_retry_after.count()));
      return refuse(std::move(r));
    }
    parser_->body_limit(route_->options.max_body_bytes);  // chunked bodies
    if (beast::iequals(header[bhttp::field::expect], "100-continue")) {
      auto go_on = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_,
                                                                        header.version());
      lowest().expires_after(state_->options.write_timeout);
      return bhttp::async_write(
          stream_, *go_on,
          [self = this->shared_from_this(), go_on](beast::error_code wec, std::size_t) {
            if (wec) return self->close();
            self->read_body();
          });
    }
    read_body();
  }

  void read_body() {
    lowest().expires_after(state_->options.read_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                        self->on_body(ec);
                      });
  }

  void on_body(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      return refuse(error_response(
          413,
          "request body larger than " + std::to_string(route_->options.max_body_bytes) + " bytes"));
    }
    if (ec) return malformed_or_gone(ec);
    request_ = parser_->release();
    const bool counted = route_->options.counted_in_flight;
    if (counted) ++state_->in_flight;
    const bool keep_alive = request_.keep_alive();
    const unsigned version = request_.version();
    route_->handler(request_,
                    [self = this->shared_from_this(), counted, keep_alive, version](Response r) {
                      if (counted) self->state_->finished_one();
                      self->write(make_response(std::move(r), version, keep_alive));
                    });
  }

  // A request Beast could not parse gets a 400; anything else (the client
  // closed, a timeout, stop()) just ends the connection.
  void malformed_or_gone(beast::error_code ec) {
    const bool malformed =
        ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
        ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
    if (malformed && !state_->stopped) {
      return refuse(error_response(400, "malformed request: " + ec.message()));
    }
    close();
  }

  // Answers without reading (the rest of) the request, then closes.
  void refuse(Response r) { write(make_response(std::move(r), 11, false)); }

  // A 404 or 405: the connection stays open when the request has no body
  // (nothing left to read), as the client asked; otherwise refuse().
  void answer_unrouted(Response r) {
    if (!parser_->is_done()) return refuse(std::move(r));
    const auto& header = parser_->get();
    write(make_response(std::move(r), header.version(), header.keep_alive()));
  }

  void write(const ResponsePtr& response) {
    lowest().expires_after(state_->options.write_timeout);
    bhttp::async_write(
        stream_, *response,
        [self = this->shared_from_this(), response](beast::error_code ec, std::size_t) {
          if (ec || !response->keep_alive()) return self->close();
          self->read_header();
        });
  }

  Stream stream_;
  std::shared_ptr<State> state_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  const RouteEntry* route_ = nullptr;
  Request request_;
};

}  // namespace

void HttpServer::State::accept() {
  acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
    if (self->stopped || self->draining || ec == asio::error::operation_aborted) return;
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
    } else if (self->tls_context) {
      using TlsStream = beast::ssl_stream<beast::tcp_stream>;
      std::make_shared<Session<TlsStream>>(TlsStream(std::move(socket), *self->tls_context), self)
          ->start();
    } else {
      std::make_shared<Session<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)), self)
          ->start();
    }
    self->accept();
  });
}

HttpServer::HttpServer(asio::io_context& io, ServerOptions options)
    : state_(std::make_shared<State>(io, std::move(options))) {}

HttpServer::~HttpServer() { stop(); }

void HttpServer::route(std::string method, std::string path, Handler handler,
                       RouteOptions options) {
  state_->routes.push_back({std::move(method), std::move(path), std::move(handler), options});
}

void HttpServer::start() {
  std::string problem;
  const auto address = parse_listen_address(state_->options.listen, &problem);
  if (!address) {
    throw std::runtime_error("listen address \"" + state_->options.listen + "\": " + problem);
  }
  const std::string host = address->host == "localhost" ? "127.0.0.1" : address->host;
  const tcp::endpoint endpoint(asio::ip::make_address(host), address->port);
  beast::error_code ec;
  auto& acceptor = state_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    beast::error_code ignored;
    acceptor.close(ignored);
    throw std::runtime_error("cannot listen on " + state_->options.listen + ": " + ec.message());
  }
  state_->port = acceptor.local_endpoint().port();
  state_->stopped = false;
  state_->accept();
}

void HttpServer::drain(std::function<void()> done) {
  if (state_->stopped) {
    if (done) done();
    return;
  }
  state_->draining = true;
  state_->drained = std::move(done);
  beast::error_code ignored;
  state_->acceptor.close(ignored);
  const auto open = state_->sessions;
  for (SessionBase* session : open) {
    if (!session->busy) session->close();  // waiting for a request: nothing to finish
  }
  if (state_->in_flight == 0) state_->finish_drain();
}

void HttpServer::stop() {
  if (state_) state_->stop();
}

std::uint16_t HttpServer::port() const { return state_->port; }
std::size_t HttpServer::in_flight() const { return state_->in_flight; }
bool HttpServer::tls() const { return state_->tls_context.has_value(); }

}  // namespace fp::http
