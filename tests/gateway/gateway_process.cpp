// The gateway and token commands as child processes.
#include "tests/gateway/gateway_process.h"

#include <stdexcept>

namespace fp::test {

std::string report_line(const std::string& report_id, const std::string& cadre,
                        const std::string& values) {
  return R"({"v":1,"report_id":")" + report_id + R"(","cadre_id":")" + cadre + R"(","village":")" +
         kVillage + R"(","kind":"household_visit","at":"2019-07-28T09:30:00+08:00","values":)" +
         values + "}";
}

CommandResult run_fieldpulse(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {fieldpulse_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  Subprocess p(argv);
  const auto status = p.wait_for_exit(std::chrono::seconds(60));
  return {status.value_or(-1), p.stdout_text(), p.stderr_text()};
}

std::string issue_token(const std::string& tokens_file, const std::string& cadre,
                        const std::string& device) {
  const auto r = run_fieldpulse(
      {"token", "add", "--tokens", tokens_file, "--cadre", cadre, "--device", device});
  if (r.status != 0) throw std::runtime_error("token add failed: " + r.err);
  return r.out.substr(0, r.out.find('\n'));
}

GatewayProcess::GatewayProcess(const std::string& brokers, const std::string& tokens_file,
                               const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {fieldpulse_binary(), "gateway",   "--brokers", brokers,
                                   "--tokens",          tokens_file, "--http",    "127.0.0.1:0"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  Subprocess::Options options;
  options.inherit_stderr = true;
  process_ = std::make_unique<Subprocess>(argv, options);
  const auto line = process_->read_stdout_line(std::chrono::seconds(60));
  if (!line) throw std::runtime_error("the gateway printed no address");
  port_ = static_cast<std::uint16_t>(std::stoi(line->substr(line->rfind(':') + 1)));
}

}  // namespace fp::test
