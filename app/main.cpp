// fieldpulse: one executable, one subcommand per task (contract section 7).
#include <exception>
#include <iostream>

#include "app/commands.h"

int main(int argc, char** argv) {
  CLI::App root{
      "fieldpulse: exact, live progress of a rural-revitalisation programme's field reports,\n"
      "from Kafka to dashboards, Prometheus, Kafka, PostgreSQL and files."};
  root.require_subcommand(1);
  int exit_code = fp::app::kExitOk;
  fp::app::add_broker_command(root, exit_code);
  fp::app::add_produce_command(root, exit_code);
  fp::app::add_simulate_command(root, exit_code);
  fp::app::add_roster_command(root, exit_code);
  fp::app::add_replay_command(root, exit_code);
  fp::app::add_run_command(root, exit_code);
  fp::app::add_demo_command(root, exit_code);
  fp::app::add_gateway_command(root, exit_code);
  fp::app::add_token_command(root, exit_code);
  try {
    root.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help is a "success" parse error; every other one is a usage error.
    const int code = root.exit(e);
    return code == 0 ? fp::app::kExitOk : fp::app::kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "fieldpulse: " << e.what() << '\n';
    return fp::app::kExitRuntime;
  }
  return exit_code;
}
