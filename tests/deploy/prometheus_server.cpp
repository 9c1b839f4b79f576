#include "tests/deploy/prometheus_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <fstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace fp::test {

namespace {

// A port nothing listens on right now (the kernel's choice for an ephemeral bind).
std::uint16_t free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("bind to a loopback port failed");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace

std::optional<PlainReply> plain_get(std::uint16_t port, const std::string& target) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const std::string request = "GET " + target + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
          static_cast<ssize_t>(request.size())) {
    ::close(fd);
    return std::nullopt;
  }
  std::string response;
  char buffer[16384];
  for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) {
    response.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  const auto head_end = response.find("\r\n\r\n");
  if (response.rfind("HTTP/1.", 0) != 0 || head_end == std::string::npos) return std::nullopt;
  return PlainReply{std::stoi(response.substr(9, 3)), response.substr(head_end + 4)};
}

std::string url_encode(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

PrometheusServer::PrometheusServer(const std::string& config_yaml) {
  const std::string config = dir_.file("prometheus.yml");
  std::ofstream(config) << config_yaml;
  port_ = free_loopback_port();
  Subprocess::Options options;
  options.inherit_stderr = true;
  process_ = std::make_unique<Subprocess>(
      std::vector<std::string>{"/usr/bin/prometheus", "--config.file=" + config,
                               "--storage.tsdb.path=" + dir_.file("data"),
                               "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                               "--log.level=warn"},
      options);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto reply = plain_get(port_, "/-/ready"); reply && reply->status == 200) return;
    if (process_->wait_for_exit(std::chrono::milliseconds(200))) {
      throw std::runtime_error("prometheus exited at start");
    }
  }
  throw std::runtime_error("prometheus was not ready within 60 s");
}

std::optional<std::string> PrometheusServer::query(const std::string& expr) const {
  auto reply = plain_get(port_, "/api/v1/query?query=" + url_encode(expr));
  if (!reply || reply->status != 200) return std::nullopt;
  return std::move(reply->body);
}

}  // namespace fp::test
