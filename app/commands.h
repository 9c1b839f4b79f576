// Each subcommand adds itself to the root CLI and reports its exit code.
#pragma once

#include <CLI/CLI.hpp>

namespace fp::app {

// Exit codes of the contract (section 7).
inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntime = 1;
inline constexpr int kExitUsage = 2;

// Each adder registers a subcommand whose callback runs it and stores its
// exit code in `exit_code`.
void add_broker_command(CLI::App& root, int& exit_code);
void add_produce_command(CLI::App& root, int& exit_code);
void add_simulate_command(CLI::App& root, int& exit_code);
void add_roster_command(CLI::App& root, int& exit_code);
void add_replay_command(CLI::App& root, int& exit_code);
void add_run_command(CLI::App& root, int& exit_code);
void add_demo_command(CLI::App& root, int& exit_code);
void add_gateway_command(CLI::App& root, int& exit_code);
void add_token_command(CLI::App& root, int& exit_code);

}  // namespace fp::app
