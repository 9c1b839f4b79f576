// Runs the real `fieldpulse gateway` and `fieldpulse token` for the gateway's component tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/broker_process.h"
#include "tests/support/subprocess.h"

namespace fp::test {

// The shipped roster's section cadre C0133 and the village they are stationed in.
inline constexpr const char* kCadre = "C0133";
inline constexpr const char* kVillage = "440823105201";
inline constexpr const char* kOtherCadre = "C0134";

// One report line of kCadre (or `cadre`), valid unless the arguments make it otherwise.
std::string report_line(const std::string& report_id, const std::string& cadre = kCadre,
                        const std::string& values = R"({"households":2})");

// `fieldpulse token add --tokens FILE --cadre CADRE --device DEVICE`: the printed token.
std::string issue_token(const std::string& tokens_file, const std::string& cadre,
                        const std::string& device);
// `fieldpulse ARGS...` to completion: its exit status, stdout and stderr.
struct CommandResult {
  int status = -1;
  std::string out;
  std::string err;
};
CommandResult run_fieldpulse(const std::vector<std::string>& args);

// `fieldpulse gateway --brokers B --tokens F --http 127.0.0.1:0 EXTRA...`; the
// constructor returns once it printed where it serves.
class GatewayProcess {
 public:
  GatewayProcess(const std::string& brokers, const std::string& tokens_file,
                 const std::vector<std::string>& extra = {});
  [[nodiscard]] std::uint16_t port() const { return port_; }
  Subprocess& process() { return *process_; }

 private:
  std::unique_ptr<Subprocess> process_;
  std::uint16_t port_ = 0;
};

// Polls `condition` every 20 ms until it holds or `deadline` passes.
template <class Condition>
bool eventually(Condition condition,
                std::chrono::milliseconds deadline = std::chrono::seconds(20)) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (condition()) return true;
    ::usleep(20'000);
  }
  return condition();
}

}  // namespace fp::test
