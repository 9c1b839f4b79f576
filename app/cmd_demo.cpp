// `fieldpulse demo` (contract section 7): the embedded broker, simulated cadres,
// the pipeline and the dashboard in one process.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <iostream>
#include <memory>

#include "app/commands.h"
#include "app/config.h"
#include "app/demo_gateway.h"
#include "app/pipeline_process.h"
#include "kafka/mock_cluster.h"
#include "kafka/producer.h"
#include "model/catalog.h"
#include "model/roster.h"
#include "processors/core.h"
#include "simulate/report_generator.h"

namespace fp::app {

namespace {

struct DemoFlags {
  std::string roster;
  std::string http = "127.0.0.1:8080";
  std::string gateway = "127.0.0.1:8081";
  double rate = 200;
  int partitions = 4;
  std::uint64_t seed = 0;  // 0: from the clock
};

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Simulated cadres reporting at a steady rate, paced by a timer on the io_context.
class SimulatedCadres {
 public:
  SimulatedCadres(boost::asio::io_context& io, const ProcessingCore& core, std::string brokers,
                  std::string topic, double rate, std::uint64_t seed)
      : topic_(std::move(topic)), rate_(rate), timer_(io) {
    SimulationOptions options;
    options.seed = seed;
    options.now_ms = now_ms();
    options.step_us = 0;
    options.bad_ppm = 10000;  // 1% malformed
    options.dup_ppm = 10000;  // 1% resent
    generator_ = std::make_unique<ReportGenerator>(core.catalog(), core.roster(), options);
    writer_ = std::make_unique<kafka::Producer>(
        io, kafka::Producer::Options{
                "simulator", {{"bootstrap.servers", std::move(brokers)}}, nullptr, nullptr});
    start_ = std::chrono::steady_clock::now();
    tick();
  }
  ~SimulatedCadres() { timer_.cancel(); }
  SimulatedCadres(const SimulatedCadres&) = delete;
  SimulatedCadres& operator=(const SimulatedCadres&) = delete;

  // Stops reporting; reports already handed to librdkafka are delivered first,
  // so the pipeline's drain sees every report the simulator sent.
  void stop() {
    stopped_ = true;
    timer_.cancel();
    writer_->flush(std::chrono::seconds(2));
  }

 private:
  void tick() {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const auto due = static_cast<std::uint64_t>(elapsed * rate_);
    generator_->set_now(now_ms());
    for (; sent_ < due; ++sent_) {
      generator_->next(line_, meta_);
      writer_->produce({.topic = topic_, .key = meta_.key, .value = line_});
    }
    timer_.expires_after(std::chrono::milliseconds(20));
    timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec && !stopped_) tick();
    });
  }

  std::string topic_;
  double rate_;
  boost::asio::steady_timer timer_;
  std::unique_ptr<ReportGenerator> generator_;
  std::unique_ptr<kafka::Producer> writer_;
  std::chrono::steady_clock::time_point start_;
  std::uint64_t sent_ = 0;
  bool stopped_ = false;
  std::string line_;
  ReportMeta meta_;
};

int run_demo(const DemoFlags& flags) {
  ConfigFlags config_flags;
  if (!flags.roster.empty()) {
    config_flags.overrides.push_back({"roster", flags.roster, "flag --roster"});
  }
  config_flags.overrides.push_back({"http.listen", flags.http, "flag --http"});
  config_flags.overrides.push_back({"kafka.group", "fieldpulse-demo", "demo"});
  config_flags.overrides.push_back({"checkpoint.interval_ms", "5000", "demo"});
  Config config;
  try {
    config = load_config(config_flags, {});
    check_paths(config);
  } catch (const ConfigError& e) {
    std::cerr << "fieldpulse demo: " << e.what() << '\n';
    return kExitUsage;
  }
  std::unique_ptr<kafka::MockCluster> cluster;
  try {
    cluster = std::make_unique<kafka::MockCluster>(1);
    for (const auto& topic : kafka::MockCluster::default_topics(flags.partitions)) {
      cluster->create_topic(topic.name, topic.partitions);
    }
  } catch (const std::exception& e) {
    std::cerr << "fieldpulse demo: cannot start the embedded broker: " << e.what() << '\n';
    return kExitRuntime;
  }
  config.kafka.brokers = {cluster->bootstrap()};

  // Owned by run_pipeline_process (destroyed before its io_context); seen here.
  std::weak_ptr<SimulatedCadres> cadres;
  ProcessHooks hooks;
  hooks.started = [&](boost::asio::io_context& io, const ProcessingCore& core,
                      std::uint16_t port) -> std::shared_ptr<void> {
    auto simulated = std::make_shared<SimulatedCadres>(
        io, core, cluster->bootstrap(), config.kafka.topics.reports, flags.rate,
        flags.seed != 0 ? flags.seed : static_cast<std::uint64_t>(now_ms()));
    cadres = simulated;
    const std::string base = "http://127.0.0.1:" + std::to_string(port);
    std::cout << "fieldpulse demo: " << flags.rate
              << " simulated reports/s into an embedded broker (" << cluster->bootstrap() << ")\n"
              << "  dashboard:  " << base << "/\n"
              << "  try:        curl " << base << "/v1/summary\n"
              << "              curl '" << base
              << "/v1/progress?level=county&metric=funds_raised.yuan'\n"
              << "              curl " << base << "/metrics\n"
              << "  Ctrl-C stops it.\n"
              << std::flush;
    auto gateway = start_demo_gateway(io, config, cluster->bootstrap(), flags.gateway, std::cout);
    return std::make_shared<std::pair<std::shared_ptr<void>, std::shared_ptr<void>>>(simulated,
                                                                                     gateway);
  };
  hooks.stopping = [&] {
    if (auto simulated = cadres.lock()) simulated->stop();
  };
  return run_pipeline_process(config, hooks);
}

}  // namespace

void add_demo_command(CLI::App& root, int& exit_code) {
  auto* cmd = root.add_subcommand(
      "demo",
      "The whole system on one machine: an embedded Kafka-protocol broker, simulated cadres "
      "from the demo roster, the pipeline and the dashboard on http://127.0.0.1:8080");
  auto flags = std::make_shared<DemoFlags>();
  cmd->add_option("--roster", flags->roster, "roster JSON file (default: the shipped demo roster)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--http", flags->http, "HTTP listen address ADDR:PORT (port 0: any free port)")
      ->capture_default_str();
  cmd->add_option("--gateway", flags->gateway,
                  "report gateway and field form listen address ADDR:PORT (port 0: any free port)")
      ->capture_default_str();
  cmd->add_option("--rate", flags->rate, "simulated reports per second")
      ->check(CLI::Range(0.1, 100000.0))
      ->capture_default_str();
  cmd->add_option("--partitions", flags->partitions, "partitions of the embedded topics")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cmd->add_option("--seed", flags->seed, "simulation seed (default: from the clock)");
  cmd->callback([&exit_code, flags] { exit_code = run_demo(*flags); });
}

}  // namespace fp::app
