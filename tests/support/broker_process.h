// Starts a real `fieldpulse broker` (librdkafka's mock cluster) as a child process for tests.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace fp::test {

// The path of the built fieldpulse executable (FP_BINARY at build time).
const char* fieldpulse_binary();

// `fieldpulse broker --bootstrap-file <temp> <extra_args...>`: the constructor
// returns once the broker printed its bootstrap line (or throws after
// `startup_timeout`). The broker's stderr goes to the test's stderr. The
// destructor SIGKILLs it if stop() was not called.
//
// Default topics (field-reports, field-reports.dlq, field-progress,
// fieldpulse.state) have 6 partitions unless extra_args say otherwise, e.g.
// {"--partitions", "2", "--topic", "my-topic:1"}. Keep each partition under
// ~5 MiB: the mock cluster drops older data.
class BrokerProcess {
 public:
  explicit BrokerProcess(std::vector<std::string> extra_args = {},
                         std::chrono::milliseconds startup_timeout = std::chrono::seconds(30));

  // "127.0.0.1:port,..." as printed on the broker's first stdout line.
  const std::string& bootstrap() const noexcept { return bootstrap_; }
  const std::string& bootstrap_file() const noexcept { return bootstrap_file_; }

  // Sends `signal_number` (SIGTERM by default) and returns the exit status, or
  // -1 if the broker did not exit within `timeout`.
  int stop(int signal_number = 15, std::chrono::milliseconds timeout = std::chrono::seconds(20));

  // Sends one fault command on the broker's stdin ("down 2 5000", see
  // `fieldpulse broker --help`) and returns its answer: "ok <command>" once
  // applied, or "error: ..."; "" if none came within `timeout`. Lines saying a
  // timed fault ended ("done up 2") are kept in ended().
  std::string command(const std::string& line,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));
  const std::vector<std::string>& ended() const noexcept { return ended_; }

  Subprocess& process() noexcept { return *process_; }

 private:
  TempDir dir_;
  std::string bootstrap_file_;
  std::unique_ptr<Subprocess> process_;
  std::string bootstrap_;
  std::vector<std::string> ended_;
};

}  // namespace fp::test
