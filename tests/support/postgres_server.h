// Starts a real PostgreSQL 15 server in a temporary directory for tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace fp::test {

// initdb into a fresh temporary directory, then `postgres` listening on a free
// loopback port (trust authentication, user "postgres") with its unix socket in
// that directory. PostgreSQL refuses to run as root, so as root both run as the
// `postgres` system user (via runuser) and the directory is handed to it.
// The constructor returns once the server accepts connections, or throws after
// `startup_timeout`. The destructor stops it (SIGINT: fast shutdown) and waits.
class PostgresServer {
 public:
  explicit PostgresServer(std::chrono::milliseconds startup_timeout = std::chrono::seconds(60));
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  // postgresql://postgres@127.0.0.1:PORT/postgres
  std::string uri() const;

 private:
  // Argv running `program` as the postgres user when this process is root.
  std::vector<std::string> as_server_user(std::vector<std::string> argv) const;
  bool accepts_connections() const;

  TempDir dir_;
  std::string data_dir_;
  std::uint16_t port_ = 0;
  std::unique_ptr<Subprocess> server_;
};

}  // namespace fp::test
