#include "tests/support/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

extern char** environ;

namespace fp::test {
namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + std::generic_category().message(errno));
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

}  // namespace

Subprocess::Subprocess(std::vector<std::string> argv) : Subprocess(std::move(argv), Options{}) {}

Subprocess::Subprocess(std::vector<std::string> argv, Options options) : argv_(std::move(argv)) {
  if (argv_.empty()) throw std::invalid_argument("Subprocess: empty argv");
  int out[2];
  int err[2] = {-1, -1};
  int in[2] = {-1, -1};
  if (::pipe2(out, O_CLOEXEC) != 0) fail("pipe");
  if (!options.inherit_stderr && ::pipe2(err, O_CLOEXEC) != 0) fail("pipe");
  if (options.stdin_pipe && ::pipe2(in, O_CLOEXEC) != 0) fail("pipe");

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (options.stdin_pipe) {
    posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO,
                                     options.stdin_file ? options.stdin_file->c_str() : "/dev/null",
                                     O_RDONLY, 0);
  }
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  if (!options.inherit_stderr) posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);

  // The child starts with default signal dispositions and an empty mask,
  // whatever the test process has blocked.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty;
  sigset_t all;
  sigemptyset(&empty);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> args;
  for (auto& a : argv_) args.push_back(a.data());
  args.push_back(nullptr);
  const int rc = ::posix_spawn(&pid_, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(out[1]);
  if (err[1] >= 0) ::close(err[1]);
  if (in[0] >= 0) ::close(in[0]);
  stdout_fd_ = out[0];
  stderr_fd_ = err[0];
  stdin_fd_ = in[1];
  if (rc != 0) {
    errno = rc;
    close_fd(stdout_fd_);
    close_fd(stderr_fd_);
    close_fd(stdin_fd_);
    fail("posix_spawn " + argv_[0]);
  }
  pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
  if (pidfd_ < 0) fail("pidfd_open");
}

Subprocess::~Subprocess() {
  if (running() && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  close_fd(pidfd_);
  close_fd(stdout_fd_);
  close_fd(stderr_fd_);
  close_fd(stdin_fd_);
}

void Subprocess::pump(std::chrono::milliseconds timeout) {
  pollfd fds[2];
  int n = 0;
  if (stdout_fd_ >= 0) fds[n++] = {stdout_fd_, POLLIN, 0};
  if (stderr_fd_ >= 0) fds[n++] = {stderr_fd_, POLLIN, 0};
  if (n == 0) return;
  if (::poll(fds, static_cast<nfds_t>(n), static_cast<int>(timeout.count())) <= 0) return;
  char chunk[65536];
  for (int i = 0; i < n; ++i) {
    if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
    const bool is_out = fds[i].fd == stdout_fd_;
    const ssize_t got = ::read(fds[i].fd, chunk, sizeof chunk);
    if (got > 0) {
      (is_out ? stdout_buffer_ : stderr_buffer_).append(chunk, static_cast<size_t>(got));
    } else if (got == 0 || errno != EINTR) {
      close_fd(is_out ? stdout_fd_ : stderr_fd_);
    }
  }
}

std::optional<std::string> Subprocess::read_stdout_line(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    const auto nl = stdout_buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = stdout_buffer_.substr(0, nl);
      stdout_buffer_.erase(0, nl + 1);
      return line;
    }
    if (stdout_fd_ < 0 || Clock::now() >= deadline) return std::nullopt;
    pump(std::chrono::milliseconds(remaining_ms(deadline)));
  }
}

void Subprocess::write_stdin(const std::string& data) {
  if (stdin_fd_ < 0) throw std::logic_error("Subprocess: stdin is not a pipe");
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(stdin_fd_, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write to child stdin");
    }
    done += static_cast<size_t>(n);
  }
}

void Subprocess::close_stdin() { close_fd(stdin_fd_); }

void Subprocess::send_signal(int signal_number) {
  if (running() && ::kill(pid_, signal_number) != 0) fail("kill");
}

bool Subprocess::reap() {
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r != pid_) return false;
  exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return true;
}

std::optional<int> Subprocess::wait_for_exit(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!exit_status_ && !reap()) {
    const int left = remaining_ms(deadline);
    if (left == 0) return std::nullopt;
    // Wake on output (drain it so the child cannot block) or on exit.
    pollfd fds[3];
    int n = 0;
    fds[n++] = {pidfd_, POLLIN, 0};
    if (stdout_fd_ >= 0) fds[n++] = {stdout_fd_, POLLIN, 0};
    if (stderr_fd_ >= 0) fds[n++] = {stderr_fd_, POLLIN, 0};
    ::poll(fds, static_cast<nfds_t>(n), left);
    pump(std::chrono::milliseconds(0));
  }
  // Collect what is still in the pipes (the child's descendants may hold them
  // open, so do not wait for EOF beyond a short grace).
  const auto drain_deadline = Clock::now() + std::chrono::milliseconds(500);
  while ((stdout_fd_ >= 0 || stderr_fd_ >= 0) && Clock::now() < drain_deadline) {
    pump(std::chrono::milliseconds(remaining_ms(drain_deadline)));
  }
  return exit_status_;
}

}  // namespace fp::test
