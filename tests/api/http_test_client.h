// A blocking HTTP/1.1 client over one keep-alive connection, for the HTTP API tests.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace fp::testing {

struct HttpReply {
  unsigned status = 0;
  std::string content_type;
  std::string allow;
  std::string body;
  bool keep_alive = false;
};

class HttpTestClient {
 public:
  explicit HttpTestClient(std::uint16_t port) : socket_(io_) {
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  }

  HttpReply request(boost::beast::http::verb verb, std::string_view target,
                    bool keep_alive = true) {
    namespace http = boost::beast::http;
    http::request<http::empty_body> req{verb, std::string(target), 11};
    req.set(http::field::host, "127.0.0.1");
    req.keep_alive(keep_alive);
    http::write(socket_, req);
    return read_reply();
  }

  HttpReply get(std::string_view target) { return request(boost::beast::http::verb::get, target); }

  // Sends bytes as they are (for malformed and oversized requests).
  void send_raw(std::string_view bytes) { boost::asio::write(socket_, boost::asio::buffer(bytes)); }

  HttpReply read_reply() {
    namespace http = boost::beast::http;
    http::response<http::string_body> res;
    http::read(socket_, buffer_, res);
    HttpReply reply;
    reply.status = res.result_int();
    reply.content_type = std::string(res[http::field::content_type]);
    reply.allow = std::string(res[http::field::allow]);
    reply.body = res.body();
    reply.keep_alive = res.keep_alive();
    return reply;
  }

  // True when the server has closed the connection (a read sees end of stream).
  bool closed_by_server() {
    char byte = 0;
    boost::system::error_code ec;
    boost::asio::read(socket_, boost::asio::buffer(&byte, 1), ec);
    return ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset;
  }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace fp::testing
