#include "sinks/registry.h"

#include <algorithm>
#include <array>
#include <stdexcept>

#include "kafka/kafka_writer.h"
#include "metrics/pipeline_probe.h"
#include "sinks/dead_letter/dead_letter_declaration.h"
#include "sinks/jsonl/jsonl_declaration.h"
#include "sinks/postgres/postgres_declaration.h"
#include "sinks/progress_topic/progress_topic_declaration.h"

namespace fp {

namespace {

// One line per sink; the declaration lives in the sink's folder.
constexpr std::array kSinks = {
    &kProgressTopicSink,
    &kDeadLetterSink,
    &kJsonlSink,
    &kPostgresSink,
};

}  // namespace

std::span<const SinkDeclaration* const> sink_declarations() { return kSinks; }

std::vector<const SettingKey*> sink_keys() {
  std::vector<const SettingKey*> keys;
  for (const SinkDeclaration* sink : kSinks) {
    for (const SettingKey* key : sink->keys) {
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
    }
  }
  return keys;
}

std::vector<std::unique_ptr<Sink>> make_sinks(const Settings& settings, SinkContext& context) {
  std::vector<std::unique_ptr<Sink>> sinks;
  for (const SinkDeclaration* sink : kSinks) {
    if (sink->enabled(settings)) sinks.push_back(sink->make(settings, context));
  }
  return sinks;
}

std::unique_ptr<Sink> make_sink(std::string_view name, const Settings& settings,
                                SinkContext& context) {
  for (const SinkDeclaration* sink : kSinks) {
    if (sink->name == name) return sink->make(settings, context);
  }
  throw std::invalid_argument("unknown sink '" + std::string(name) + "'");
}

std::unique_ptr<KafkaWriter> make_sink_writer(SinkContext& context, const std::string& name,
                                              SinkProbe& probe,
                                              std::function<void()> on_sink_acked) {
  // The acknowledgement callback needs the writer it belongs to.
  struct Acked {
    KafkaWriter* writer = nullptr;
    std::uint64_t reported = 0;  // acknowledged records already counted
  };
  auto acked = std::make_shared<Acked>();
  auto writer = std::make_unique<KafkaWriter>(
      context.io, KafkaWriter::Options{name, context.kafka_properties},
      [acked, &probe, on_sink_acked = std::move(on_sink_acked), on_acked = context.on_acked] {
        const auto durable = acked->writer->durable_through();
        if (durable > acked->reported) probe.wrote(durable - acked->reported);
        acked->reported = durable;
        if (on_sink_acked) on_sink_acked();
        if (on_acked) on_acked();
      },
      [&probe, on_error = context.on_error](const std::string& error) {
        probe.failed();
        if (on_error) on_error(error);
      });
  acked->writer = writer.get();
  return writer;
}

}  // namespace fp
