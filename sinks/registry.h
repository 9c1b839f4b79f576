// The one list of the pipeline's sinks (each declared in its own folder), and
// what every sink may need from the process around it.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/clock.h"
#include "settings/settings.h"
#include "sinks/level_set.h"
#include "sinks/sink.h"
#include "sinks/sink_declaration.h"

namespace boost::asio {
class io_context;
}

namespace fp {

namespace kafka {
class Producer;
}
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

// A producer for a Kafka-backed sink, served on context.io: acknowledged records
// and failures are counted on `probe`, then `on_sink_acked` (the sink itself) and
// the pipeline (context.on_acked/on_error) hear of them.
std::unique_ptr<kafka::Producer> make_sink_writer(SinkContext& context, const std::string& name,
                                                  SinkProbe& probe,
                                                  std::function<void()> on_sink_acked = nullptr);

// Every sink, in creation order (sinks/registry.cpp: one line each).
std::span<const SinkDeclaration* const> sink_declarations();

// Every key the sinks declare, each once, in declaration order.
std::vector<const SettingKey*> sink_keys();

// The sinks `settings` turn on, made in creation order. Throws
// std::runtime_error when one cannot start.
std::vector<std::unique_ptr<Sink>> make_sinks(const Settings& settings, SinkContext& context);

// The sink declared as `name`, whether or not `settings` turn it on. Throws
// std::invalid_argument for an unknown name, std::runtime_error when the sink
// cannot start.
std::unique_ptr<Sink> make_sink(std::string_view name, const Settings& settings,
                                SinkContext& context);

}  // namespace fp
