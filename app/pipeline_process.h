// One pipeline process: configuration in, HTTP server, metrics, pipeline and
// signal-driven drain on one io_context, exit code out.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "app/config.h"

namespace boost::asio {
class io_context;
}

namespace fp {
class ProcessingCore;
struct PipelineOptions;
}  // namespace fp

namespace fp::app {

struct ProcessHooks {
  // After the HTTP server listens and the pipeline started (demo: the simulator).
  // What it returns is kept alive until just before the io_context goes.
  std::function<std::shared_ptr<void>(boost::asio::io_context&, const ProcessingCore&,
                                      std::uint16_t http_port)>
      started;
  // When a stop was asked for (signal), before the pipeline drains.
  std::function<void()> stopping;
};

// The engine's options from the configuration: the same client and consumer
// properties Config gives (kafka_client_properties(), and through the source's
// declaration kafka_consumer_properties()) and the components' settings.
PipelineOptions pipeline_options(const Config& config);

// Runs until SIGINT/SIGTERM (drain: exit 0 when everything was made durable)
// or a runtime failure (exit 1), reloading the roster and catalog on SIGHUP and
// when their files change (DataFileReload). Configuration or data-file errors exit 2.
// Messages go to stderr.
int run_pipeline_process(const Config& config, ProcessHooks hooks = {});

}  // namespace fp::app
