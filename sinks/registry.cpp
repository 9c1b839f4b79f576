#include "sinks/registry.h"

#include <array>
#include <stdexcept>

#include "kafka/kafka_writer.h"
#include "metrics/pipeline_probe.h"
#include "sinks/dead_letter/dead_letter_sink.h"
#include "sinks/jsonl/jsonl_sink.h"
#include "sinks/postgres/postgres_sink.h"
#include "sinks/progress_topic/progress_topic_sink.h"

namespace fp {

namespace {

using Factory = std::unique_ptr<Sink> (*)(const SinkSettings&, SinkContext&);

struct Entry {
  std::string_view name;
  Factory make;
};

constexpr std::array<Entry, 4> kSinks = {{
    {"field-progress",
     [](const SinkSettings& s, SinkContext& c) -> std::unique_ptr<Sink> {
       return std::make_unique<ProgressTopicSink>(c, s.progress_topic, s.progress_flush_interval,
                                                  s.progress_levels);
     }},
    {"dead-letter",
     [](const SinkSettings& s, SinkContext& c) -> std::unique_ptr<Sink> {
       return std::make_unique<DeadLetterSink>(c, s.dlq_topic);
     }},
    {"jsonl",
     [](const SinkSettings& s, SinkContext& c) -> std::unique_ptr<Sink> {
       return std::make_unique<JsonlSink>(c, s.jsonl_path, s.progress_flush_interval,
                                          s.jsonl_levels);
     }},
    {"postgres",
     [](const SinkSettings& s, SinkContext& c) -> std::unique_ptr<Sink> {
       return std::make_unique<PostgresSink>(c, s.postgres_uri, s.progress_flush_interval);
     }},
}};

constexpr std::array<std::string_view, 4> kNames = {"field-progress", "dead-letter", "jsonl",
                                                    "postgres"};

}  // namespace

std::span<const std::string_view> sink_names() { return kNames; }

std::vector<std::string_view> enabled_sinks(const SinkSettings& settings) {
  std::vector<std::string_view> names;
  if (settings.progress_enabled) names.push_back("field-progress");
  names.push_back("dead-letter");
  if (!settings.jsonl_path.empty()) names.push_back("jsonl");
  if (!settings.postgres_uri.empty()) names.push_back("postgres");
  return names;
}

std::unique_ptr<Sink> make_sink(std::string_view name, const SinkSettings& settings,
                                SinkContext& context) {
  for (const auto& entry : kSinks) {
    if (entry.name == name) return entry.make(settings, context);
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
