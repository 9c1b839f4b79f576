// Parsing of "host:port" listen addresses.
#include "http/listen_address.h"

#include <boost/asio/ip/address.hpp>
#include <charconv>

namespace fp::http {

std::optional<ListenAddress> parse_listen_address(std::string_view text, std::string* problem) {
  auto fail = [problem](std::string message) -> std::optional<ListenAddress> {
    if (problem) *problem = std::move(message);
    return std::nullopt;
  };
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return fail("expected host:port, e.g. 127.0.0.1:8080");
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);  // [::1]:8080
  }
  if (host.empty()) return fail("missing host in \"" + std::string(text) + "\"");
  if (host != "localhost") {
    boost::system::error_code ec;
    boost::asio::ip::make_address(std::string(host), ec);
    if (ec) return fail("host \"" + std::string(host) + "\" is not an IP address or localhost");
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc{} || end != port_text.data() + port_text.size() ||
      port > 65535) {
    return fail("port \"" + std::string(port_text) + "\" is not a number from 0 to 65535");
  }
  return ListenAddress{std::string(host), static_cast<std::uint16_t>(port)};
}

}  // namespace fp::http
