#include "app/pipeline_process.h"

#include <malloc.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <csignal>
#include <iostream>
#include <memory>

#include "api/http_api.h"
#include "app/commands.h"
#include "app/data_file_reload.h"
#include "kafka/config.h"
#include "metrics/pipeline_probe.h"
#include "metrics/registry.h"
#include "model/catalog.h"
#include "model/roster.h"
#include "pipeline/pipeline.h"
#include "processors/core.h"

namespace fp::app {

namespace {

std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

PipelineOptions pipeline_options(const Config& config) {
  PipelineOptions o;
  o.kafka_properties = config.kafka_client_properties();
  o.group = config.kafka.group;
  o.reports_topic = config.kafka.topics.reports;
  o.state_topic = config.kafka.topics.state;
  o.batch_max = static_cast<std::size_t>(config.kafka.batch_max_messages);
  o.components = config.components;
  o.checkpoint_interval = std::chrono::milliseconds(config.checkpoint.interval_ms);
  o.stall_after = std::chrono::milliseconds(config.kafka.stall_after_ms);
  o.max_unacknowledged = static_cast<std::size_t>(config.sinks.max_unacknowledged);
  return o;
}

namespace {

// librdkafka allocates every fetch response and produce batch anew. With glibc's
// defaults the large ones are mmap()ed and unmapped each time, and their pages
// faulted in again: about a tenth of the process's time at full speed. A fixed
// mmap threshold at glibc's maximum and a high trim threshold keep them on the heap.
// Called once at start, before any thread exists (hence the NOLINTs).
void keep_large_buffers_on_heap() {
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);   // NOLINT(concurrency-mt-unsafe)
  mallopt(M_TRIM_THRESHOLD, 128 * 1024 * 1024);  // NOLINT(concurrency-mt-unsafe)
}

}  // namespace

int run_pipeline_process(const Config& config, ProcessHooks hooks) {
  keep_large_buffers_on_heap();
  // Logs go to stderr; stdout is for what a user asked to see (demo's URLs).
  auto logger = spdlog::get("fieldpulse");
  if (!logger) logger = spdlog::stderr_color_mt("fieldpulse");
  spdlog::set_default_logger(logger);
  if (auto level = spdlog::level::from_str(config.log.level);
      level != spdlog::level::off || config.log.level == "off") {
    spdlog::set_level(level);
  }
  if (config.kafka.brokers.empty()) {
    std::cerr << "fieldpulse: kafka.brokers: required (--brokers HOST:PORT or "
                 "FIELDPULSE_KAFKA_BROKERS)\n";
    return kExitUsage;
  }
  std::shared_ptr<const Catalog> catalog;
  std::shared_ptr<const Roster> roster;
  try {
    catalog = std::make_shared<const Catalog>(Catalog::load(config.catalog));
    roster = std::make_shared<const Roster>(Roster::load(config.roster));
  } catch (const DataFileError& e) {
    std::cerr << "fieldpulse: " << e.what() << '\n';
    return kExitUsage;
  }

  boost::asio::io_context io(1);
  int exit_code = kExitOk;
  try {
    ProcessingCore core(catalog, roster, config.core_options(), &system_now_ms);
    MetricsRegistry metrics;
    PipelineProbe probe(metrics, core);
    Pipeline pipeline(io, core, probe, pipeline_options(config), &system_now_ms);
    // Sampled when scraped, on the io thread that serves /metrics.
    metrics.before_render([&] { probe.set_ready(pipeline.readiness().ready); });
    HttpApiOptions http_options;
    http_options.listen = config.http.listen;
    http_options.clock = &system_now_ms;
    HttpApi http(
        io, core, metrics, [&pipeline] { return pipeline.readiness(); }, http_options);
    http.start();
    DataFileReload reload(io, core, probe, config.roster, config.catalog);
    reload.start();  // before the line below, so SIGHUP is handled once a caller can see it
    // The first line of stdout: where to reach it (tests read it when --http says port 0).
    std::cout << "fieldpulse: serving http://"
              << config.http.listen.substr(0, config.http.listen.rfind(':')) << ':' << http.port()
              << "/" << std::endl;

    bool stopping = false;
    auto finish = [&](int code) {
      exit_code = code;
      reload.stop();
      http.stop();
      io.stop();
    };
    pipeline.on_failure([&](const std::string& why) {
      std::cerr << "fieldpulse: " << why << '\n';
      finish(kExitRuntime);
    });
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code ec, int signal_number) {
      if (ec || stopping) return;
      stopping = true;
      spdlog::info("signal {}: draining", signal_number);
      if (hooks.stopping) hooks.stopping();
      reload.stop();
      pipeline.drain([&](int code) { finish(code); });
    });

    pipeline.start();
    std::shared_ptr<void> extras;
    if (hooks.started) extras = hooks.started(io, core, http.port());
    io.run();
    extras.reset();
  } catch (const kafka::ConfigError& e) {
    // Checked at load, so only a property fieldpulse's own settings conflict with.
    const std::string key = "kafka.properties." + e.key();
    std::cerr << "fieldpulse: " << config.origin(key) << ": " << key << ": " << e.what() << '\n';
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "fieldpulse: " << e.what() << '\n';
    return kExitRuntime;
  }
  return exit_code;
}

}  // namespace fp::app
