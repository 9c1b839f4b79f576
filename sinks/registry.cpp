#include "sinks/registry.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "kafka/producer.h"
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

std::unique_ptr<kafka::Producer> make_sink_writer(SinkContext& context, const std::string& name,
                                                  SinkProbe& probe,
                                                  std::function<void()> on_sink_acked) {
  // The acknowledgement callback needs the producer it belongs to.
  struct Acked {
    kafka::Producer* writer = nullptr;
    std::uint64_t reported = 0;  // acknowledged records already counted
  };
  auto acked = std::make_shared<Acked>();
  kafka::Producer::Options options{name, context.kafka_properties, nullptr, nullptr};
  // A failed record never becomes durable, so nothing after it is committed.
  options.on_delivery = [&probe, name, on_error = context.on_error](std::uint64_t sequence,
                                                                    rd_kafka_resp_err_t error) {
    if (error == RD_KAFKA_RESP_ERR_NO_ERROR) return;
    spdlog::error("{}: record {} not delivered: {}", name, sequence, rd_kafka_err2str(error));
    probe.failed();
    if (on_error) on_error(name + ": " + rd_kafka_err2str(error));
  };
  options.on_served = [acked, &probe, on_sink_acked = std::move(on_sink_acked),
                       on_acked = context.on_acked] {
    const auto durable = acked->writer->durable_through();
    if (durable > acked->reported) probe.wrote(durable - acked->reported);
    acked->reported = durable;
    if (on_sink_acked) on_sink_acked();
    if (on_acked) on_acked();
  };
  auto writer = std::make_unique<kafka::Producer>(context.io, std::move(options));
  acked->writer = writer.get();
  return writer;
}

}  // namespace fp
