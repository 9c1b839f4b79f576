// Runs a program as a child process (no shell) with its output in pipes, for component tests.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace fp::test {

// A child started with posix_spawn. stdout is always a pipe; stderr is a pipe
// unless `inherit_stderr` (then it goes to the test's own stderr, which suits
// long-running children nobody reads). stdin is /dev/null, a file, or a pipe.
//
// Output is collected as it is read: read_stdout_line() and wait_for_exit()
// both drain the pipes, so a child never blocks on a full pipe while waited for.
// The destructor SIGKILLs and reaps a child that is still running.
// Not thread-safe: use one Subprocess from one thread.
class Subprocess {
 public:
  struct Options {
    bool inherit_stderr = false;
    std::optional<std::string> stdin_file;  // read stdin from this file
    bool stdin_pipe = false;                // write_stdin()/close_stdin()
  };

  // argv[0] is the program path (not searched in PATH). Throws on failure.
  explicit Subprocess(std::vector<std::string> argv);
  Subprocess(std::vector<std::string> argv, Options options);
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  pid_t pid() const noexcept { return pid_; }

  // The next line of stdout without its '\n', or nullopt when the timeout
  // passes or stdout ends first.
  std::optional<std::string> read_stdout_line(std::chrono::milliseconds timeout);

  // Writes to the child's stdin (Options::stdin_pipe); closing signals EOF.
  void write_stdin(const std::string& data);
  void close_stdin();

  void send_signal(int signal_number);

  // Exit status once the child ends: its exit code, or 128 + signal number if
  // a signal killed it (as a shell reports it). nullopt if still running at
  // the timeout. Drains stdout/stderr meanwhile.
  std::optional<int> wait_for_exit(std::chrono::milliseconds timeout);

  bool running() const noexcept { return !exit_status_.has_value(); }

  // Everything read so far (stdout minus lines returned by read_stdout_line).
  const std::string& stdout_text() const noexcept { return stdout_buffer_; }
  const std::string& stderr_text() const noexcept { return stderr_buffer_; }

 private:
  // Reads whatever arrives within `timeout` into the buffers.
  void pump(std::chrono::milliseconds timeout);
  bool reap();

  std::vector<std::string> argv_;
  pid_t pid_ = -1;
  int pidfd_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  int stdin_fd_ = -1;
  std::string stdout_buffer_;
  std::string stderr_buffer_;
  std::optional<int> exit_status_;
};

}  // namespace fp::test
