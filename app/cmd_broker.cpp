// `fieldpulse broker` (contract section 7): a standalone development broker on loopback.
#include <pthread.h>
#include <signal.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "app/commands.h"
#include "kafka/mock_cluster.h"

namespace fp::app {
namespace {

constexpr const char* kDescription =
    "A Kafka-protocol cluster on 127.0.0.1 (librdkafka's mock cluster) for development and\n"
    "tests. Any Kafka client (kcat, librdkafka, Java) can produce and consume against it.\n"
    "It creates field-reports, field-reports.dlq, field-progress and fieldpulse.state with\n"
    "--partitions partitions each, plus every --topic; any other topic only when a client\n"
    "allows it (librdkafka consumers do not). It prints its bootstrap list as the\n"
    "first line of stdout (and to --bootstrap-file), logs to stderr, and exits 0 on\n"
    "SIGTERM or SIGINT.\n"
    "It is NOT a production broker: librdkafka 2.0.2's mock cluster keeps only the newest\n"
    "~5 MiB (or 100,000 batches) of each partition, never compacts, and keeps nothing on\n"
    "disk.";

struct BrokerOptions {
  int brokers = 3;
  int partitions = 6;
  std::string bootstrap_file;
  std::vector<std::string> topics;
};

bool valid_topic_name(const std::string& name) {
  if (name.empty() || name.size() > 249 || name == "." || name == "..") return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// CLI11 validator for NAME[:PARTITIONS]; returns an error message or "".
std::string check_topic_spec(const std::string& spec) {
  const auto colon = spec.rfind(':');
  const std::string name = spec.substr(0, colon);
  if (!valid_topic_name(name)) {
    return "topic name '" + name + "' must be 1-249 characters of [A-Za-z0-9._-]";
  }
  if (colon != std::string::npos) {
    const std::string count = spec.substr(colon + 1);
    int value = 0;
    if (count.empty() || count.size() > 4 || count.find_first_not_of("0123456789") != count.npos ||
        (value = std::stoi(count)) < 1 || value > 1000) {
      return "partitions in '" + spec + "' must be an integer in 1..1000";
    }
  }
  return {};
}

// Writes atomically: readers see either no file or the whole line.
void write_bootstrap_file(const std::string& path, const std::string& bootstrap) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << bootstrap << '\n';
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw std::runtime_error("cannot rename " + tmp + " to " + path);
  }
}

int run_broker(const BrokerOptions& options) {
  auto log =
      std::make_shared<spdlog::logger>("broker", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  // Block the stop signals before librdkafka starts its threads (they inherit
  // the mask), so only sigwait() below ever receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::map<std::string, int> topics;
  for (const auto& spec : kafka::MockCluster::default_topics(options.partitions)) {
    topics[spec.name] = spec.partitions;
  }
  for (const auto& spec : options.topics) {
    const auto colon = spec.rfind(':');
    topics[spec.substr(0, colon)] =
        colon == std::string::npos ? options.partitions : std::stoi(spec.substr(colon + 1));
  }

  kafka::MockCluster cluster(options.brokers);
  for (const auto& [name, partitions] : topics) {
    cluster.create_topic(name, partitions);
    log->info("topic {} with {} partitions", name, partitions);
  }
  if (!options.bootstrap_file.empty()) {
    write_bootstrap_file(options.bootstrap_file, cluster.bootstrap());
  }
  std::fputs((cluster.bootstrap() + "\n").c_str(), stdout);
  std::fflush(stdout);
  log->info("{} brokers listening on {}", options.brokers, cluster.bootstrap());
  log->warn(
      "development broker: keeps only the newest ~5 MiB per partition, never compacts, "
      "nothing on disk");

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  log->info("{} received, stopping", signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
  return kExitOk;
}

}  // namespace

void add_broker_command(CLI::App& root, int& exit_code) {
  auto options = std::make_shared<BrokerOptions>();
  auto* cmd = root.add_subcommand("broker", "A development Kafka broker on loopback");
  cmd->footer(kDescription);
  cmd->add_option("--brokers", options->brokers, "number of brokers (1..16)")
      ->check(CLI::Range(1, 16))
      ->capture_default_str();
  cmd->add_option("--partitions", options->partitions, "partitions per default topic (1..1000)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--bootstrap-file", options->bootstrap_file,
                  "also write the bootstrap list to FILE (atomically)");
  cmd->add_option("--topic", options->topics,
                  "extra topic NAME[:PARTITIONS] (repeatable; default --partitions)")
      ->check(CLI::Validator(check_topic_spec, "NAME[:PARTITIONS]"))
      ->allow_extra_args(false);
  cmd->callback([options, &exit_code] {
    try {
      exit_code = run_broker(*options);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "fieldpulse broker: %s\n", e.what());
      exit_code = kExitRuntime;
    }
  });
}

}  // namespace fp::app
