// Parses "host:port" listen addresses for the HTTP servers' flags and keys.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fp::http {

// The host is an IPv4/IPv6 literal (IPv6 may be bracketed) or "localhost"; the
// port 0..65535 (0 = any free port).
struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
};

// The parts, or nullopt with the problem in `problem` when malformed.
std::optional<ListenAddress> parse_listen_address(std::string_view text, std::string* problem);

}  // namespace fp::http
