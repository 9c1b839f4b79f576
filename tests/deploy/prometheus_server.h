// A real Prometheus server (Debian's /usr/bin/prometheus) for tests: its own
// data directory, a free loopback port, a throwaway configuration.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace fp::test {

// An HTTP/1.0 GET on the loopback interface (no chunked bodies to undo):
// status and body, or nullopt when the connection fails.
struct PlainReply {
  int status = 0;
  std::string body;
};
std::optional<PlainReply> plain_get(std::uint16_t port, const std::string& target);

// `s` with every byte outside [A-Za-z0-9-._~] percent-encoded.
std::string url_encode(const std::string& s);

// Starts Prometheus with `config_yaml` (prometheus.yml text). The constructor
// returns once GET /-/ready answers 200, or throws. The destructor SIGKILLs it.
class PrometheusServer {
 public:
  explicit PrometheusServer(const std::string& config_yaml);
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  // GET /api/v1/query?query=<expr>: the JSON body, or nullopt on a failed request.
  std::optional<std::string> query(const std::string& expr) const;

 private:
  TempDir dir_;
  std::uint16_t port_ = 0;
  std::unique_ptr<Subprocess> process_;
};

}  // namespace fp::test
