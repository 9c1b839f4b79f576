// Creates the pipeline's sinks from configuration by name.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/clock.h"
#include "sinks/level_set.h"
#include "sinks/sink.h"

namespace boost::asio {
class io_context;
}

namespace fp {

class KafkaWriter;
class PipelineProbe;
class ProcessingCore;
class SinkProbe;

// What every sink may need from the process around it.
struct SinkContext {
  boost::asio::io_context& io;
  const ProcessingCore& core;
  PipelineProbe& probe;
  std::vector<std::pair<std::string, std::string>> kafka_properties;  // bootstrap.servers, ...
  Clock clock;
  std::function<void()> on_acked;                    // some output became durable
  std::function<void(const std::string&)> on_error;  // an output was lost: stop
};

struct SinkSettings {
  bool progress_enabled = true;
  std::string progress_topic = "field-progress";
  std::chrono::milliseconds progress_flush_interval{200};  // also the JSON Lines sink's
  LevelSet progress_levels = LevelSet::all();
  std::string dlq_topic = "field-reports.dlq";
  std::string jsonl_path;  // empty: no JSON Lines sink
  LevelSet jsonl_levels = LevelSet::all();
  std::string postgres_uri;  // empty: no PostgreSQL sink
};

// A KafkaWriter for a Kafka-backed sink: acknowledged records and failures are
// counted on `probe`, then `on_sink_acked` (the sink itself) and the pipeline
// (context.on_acked/on_error) hear of them.
std::unique_ptr<KafkaWriter> make_sink_writer(SinkContext& context, const std::string& name,
                                              SinkProbe& probe,
                                              std::function<void()> on_sink_acked = nullptr);

// The names make_sink() knows: "field-progress", "dead-letter", "jsonl", "postgres".
std::span<const std::string_view> sink_names();

// The sinks `settings` turn on, in creation order. The dead-letter sink is
// always on: the contract routes every rejected message there.
std::vector<std::string_view> enabled_sinks(const SinkSettings& settings);

// Throws std::invalid_argument for an unknown name, std::runtime_error when
// the sink cannot start (e.g. the JSON Lines file cannot be opened).
std::unique_ptr<Sink> make_sink(std::string_view name, const SinkSettings& settings,
                                SinkContext& context);

}  // namespace fp
