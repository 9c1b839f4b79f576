#include "tests/support/broker_process.h"

#include <chrono>
#include <memory>
#include <stdexcept>

namespace fp::test {

const char* fieldpulse_binary() { return FP_BINARY; }

BrokerProcess::BrokerProcess(std::vector<std::string> extra_args,
                             std::chrono::milliseconds startup_timeout)
    : bootstrap_file_(dir_.file("bootstrap")) {
  std::vector<std::string> argv = {fieldpulse_binary(), "broker", "--bootstrap-file",
                                   bootstrap_file_};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  Subprocess::Options options;
  options.inherit_stderr = true;
  options.stdin_pipe = true;  // fault commands
  process_ = std::make_unique<Subprocess>(std::move(argv), options);
  auto line = process_->read_stdout_line(startup_timeout);
  if (!line || line->empty()) {
    throw std::runtime_error("fieldpulse broker printed no bootstrap line within the deadline");
  }
  bootstrap_ = *line;
}

std::string BrokerProcess::command(const std::string& line, std::chrono::milliseconds timeout) {
  process_->write_stdin(line + "\n");
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    auto answer = process_->read_stdout_line(left);
    if (!answer) break;
    if (answer->rfind("done ", 0) == 0) {
      ended_.push_back(answer->substr(5));
      continue;
    }
    return *answer;
  }
  return {};
}

int BrokerProcess::stop(int signal_number, std::chrono::milliseconds timeout) {
  process_->send_signal(signal_number);
  return process_->wait_for_exit(timeout).value_or(-1);
}

}  // namespace fp::test
