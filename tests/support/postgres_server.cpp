#include "tests/support/postgres_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace fp::test {

namespace {

constexpr const char* kBin = "/usr/lib/postgresql/15/bin/";
constexpr const char* kServerUser = "postgres";

// A port nothing listens on right now (the kernel's choice for an ephemeral bind).
std::uint16_t free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("bind to a loopback port failed");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

// Gives `path` and everything below it to `user`.
void chown_tree(const std::filesystem::path& path, const char* user) {
  const passwd* pw = ::getpwnam(user);
  if (pw == nullptr) throw std::runtime_error(std::string("no system user ") + user);
  if (::chown(path.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
    throw std::runtime_error("chown " + path.string() + " failed");
  }
}

}  // namespace

std::vector<std::string> PostgresServer::as_server_user(std::vector<std::string> argv) const {
  if (::geteuid() != 0) return argv;
  std::vector<std::string> wrapped = {"/usr/sbin/runuser", "-u", kServerUser, "--"};
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  return wrapped;
}

PostgresServer::PostgresServer(std::chrono::milliseconds startup_timeout)
    : data_dir_(dir_.file("data")) {
  const auto deadline = std::chrono::steady_clock::now() + startup_timeout;
  auto left = [&] {
    return std::max(std::chrono::milliseconds(0),
                    std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now()));
  };
  if (::geteuid() == 0) chown_tree(dir_.path(), kServerUser);

  Subprocess initdb(
      as_server_user({std::string(kBin) + "initdb", "-D", data_dir_, "-U", kServerUser,
                      "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"}));
  const auto initialised = initdb.wait_for_exit(left());
  if (initialised != 0) {
    throw std::runtime_error("initdb failed: " + initdb.stderr_text() + initdb.stdout_text());
  }

  port_ = free_loopback_port();
  Subprocess::Options options;
  options.inherit_stderr = true;  // the server's log, which nobody reads here
  server_ = std::make_unique<Subprocess>(
      as_server_user({std::string(kBin) + "postgres", "-D", data_dir_, "-p", std::to_string(port_),
                      "-k", dir_.path().string(), "-c", "listen_addresses=127.0.0.1", "-c",
                      "fsync=off", "-c", "max_connections=20"}),
      options);
  // Ready once a connection succeeds; between attempts, wait on the server's
  // exit so that a server that fails to start is reported at once.
  while (!accepts_connections()) {
    if (server_->wait_for_exit(std::chrono::milliseconds(50)).has_value()) {
      throw std::runtime_error("postgres exited during startup with status " +
                               std::to_string(*server_->wait_for_exit(std::chrono::seconds(0))));
    }
    if (left().count() == 0)
      throw std::runtime_error("postgres did not accept connections in time");
  }
}

PostgresServer::~PostgresServer() {
  if (!server_ || !server_->running()) return;
  // runuser does not pass SIGINT on: signal the postmaster itself, whose pid
  // is the first line of postmaster.pid.
  pid_t postmaster = -1;
  {
    std::ifstream pid_file(data_dir_ + "/postmaster.pid");
    pid_file >> postmaster;
  }
  if (postmaster > 0) {
    ::kill(postmaster, SIGINT);
  } else {
    server_->send_signal(SIGINT);
  }
  server_->wait_for_exit(std::chrono::seconds(30));  // else ~Subprocess kills it
}

std::string PostgresServer::uri() const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/postgres";
}

bool PostgresServer::accepts_connections() const {
  Subprocess probe({std::string(kBin) + "pg_isready", "-q", "-h", "127.0.0.1", "-p",
                    std::to_string(port_), "-U", kServerUser, "-d", "postgres", "-t", "5"});
  return probe.wait_for_exit(std::chrono::seconds(10)) == 0;
}

}  // namespace fp::test
