// `fieldpulse run` (contract section 7): the pipeline against any Kafka cluster.
#include <iostream>
#include <memory>

#include "app/commands.h"
#include "app/config.h"
#include "app/pipeline_process.h"

namespace fp::app {

void add_run_command(CLI::App& root, int& exit_code) {
  auto* cmd = root.add_subcommand(
      "run",
      "Run the pipeline against a Kafka cluster: consume field reports, serve the HTTP API "
      "and metrics, write progress, dead letters and state checkpoints to Kafka.\n"
      "Flags override the config file; FIELDPULSE_* environment variables override both.");
  auto flags = std::make_shared<ConfigFlags>();
  add_config_flags(*cmd, *flags);
  cmd->callback([&exit_code, flags] {
    Config config;
    try {
      config = load_config(*flags, fieldpulse_environment());
      check_paths(config);
    } catch (const ConfigError& e) {
      std::cerr << "fieldpulse run: " << e.what() << '\n';
      exit_code = kExitUsage;
      return;
    }
    if (flags->print_config) {
      std::cout << render_config(config);
      exit_code = kExitOk;
      return;
    }
    exit_code = run_pipeline_process(config);
  });
}

}  // namespace fp::app
