// `fieldpulse simulate` (contract section 7).
#include <iostream>

#include "app/commands.h"

namespace fp::app {

void add_simulate_command(CLI::App& root, int& exit_code) {
  auto* cmd = root.add_subcommand("simulate", "(not built yet)");
  cmd->callback([&exit_code] {
    std::cerr << "fieldpulse simulate: not built yet\n";
    exit_code = kExitRuntime;
  });
}

}  // namespace fp::app
