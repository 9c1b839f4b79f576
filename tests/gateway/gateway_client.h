// A blocking HTTP/1.1 client over one keep-alive connection, plain or TLS, for the gateway tests.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace fp::test {

struct GatewayReply {
  unsigned status = 0;
  std::string body;
  std::string retry_after;
  std::string content_type;
};

class GatewayClient {
 public:
  // With `ca_file`, speaks TLS and verifies the server against that certificate.
  explicit GatewayClient(std::uint16_t port, std::optional<std::string> ca_file = std::nullopt)
      : port_(port), ca_file_(std::move(ca_file)) {
    connect();
  }

  GatewayReply post(std::string_view target, std::string_view token, std::string_view body,
                    std::string_view content_type = "application/x-ndjson") {
    namespace http = boost::beast::http;
    http::request<http::string_body> req{http::verb::post, std::string(target), 11};
    req.set(http::field::host, "127.0.0.1");
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + std::string(token));
    req.set(http::field::content_type, std::string(content_type));
    req.body() = std::string(body);
    req.prepare_payload();
    return exchange(req);
  }

  GatewayReply get(std::string_view target, std::string_view token = {}) {
    namespace http = boost::beast::http;
    http::request<http::string_body> req{http::verb::get, std::string(target), 11};
    req.set(http::field::host, "127.0.0.1");
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + std::string(token));
    return exchange(req);
  }

  // Sends bytes as they are (a partial request, a slow client).
  void send_raw(std::string_view bytes) {
    if (tls_) {
      boost::asio::write(*tls_, boost::asio::buffer(bytes));
    } else {
      boost::asio::write(*plain_, boost::asio::buffer(bytes));
    }
  }

  // Reads one reply (after send_raw).
  GatewayReply read_reply() {
    namespace http = boost::beast::http;
    http::response<http::string_body> res;
    if (tls_) {
      http::read(*tls_, buffer_, res);
    } else {
      http::read(*plain_, buffer_, res);
    }
    return GatewayReply{res.result_int(), res.body(), std::string(res[http::field::retry_after]),
                        std::string(res[http::field::content_type])};
  }

  // True once the server has closed the connection (a read sees its end).
  bool closed_by_server() {
    char byte = 0;
    boost::system::error_code ec;
    if (tls_) {
      tls_->read_some(boost::asio::buffer(&byte, 1), ec);
    } else {
      plain_->read_some(boost::asio::buffer(&byte, 1), ec);
    }
    return ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset ||
           ec == boost::asio::ssl::error::stream_truncated;
  }

  void reconnect() {
    tls_.reset();
    plain_.reset();
    buffer_.clear();
    connect();
  }

 private:
  void connect() {
    const boost::asio::ip::tcp::endpoint at(boost::asio::ip::make_address("127.0.0.1"), port_);
    if (ca_file_) {
      ssl_ = std::make_unique<boost::asio::ssl::context>(boost::asio::ssl::context::tls_client);
      ssl_->load_verify_file(*ca_file_);
      ssl_->set_verify_mode(boost::asio::ssl::verify_peer);
      tls_ = std::make_unique<boost::beast::ssl_stream<boost::asio::ip::tcp::socket>>(io_, *ssl_);
      tls_->next_layer().connect(at);
      tls_->handshake(boost::asio::ssl::stream_base::client);
    } else {
      plain_ = std::make_unique<boost::asio::ip::tcp::socket>(io_);
      plain_->connect(at);
    }
  }

  template <class Request>
  GatewayReply exchange(Request& req) {
    if (tls_) {
      boost::beast::http::write(*tls_, req);
    } else {
      boost::beast::http::write(*plain_, req);
    }
    return read_reply();
  }

  std::uint16_t port_;
  std::optional<std::string> ca_file_;
  boost::asio::io_context io_;
  std::unique_ptr<boost::asio::ssl::context> ssl_;
  std::unique_ptr<boost::beast::ssl_stream<boost::asio::ip::tcp::socket>> tls_;
  std::unique_ptr<boost::asio::ip::tcp::socket> plain_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace fp::test
