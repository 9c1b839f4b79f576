#include "ingest/kafka_source_declaration.h"

namespace fp {

std::vector<std::pair<std::string, std::string>> kafka_source_properties(
    const std::vector<std::pair<std::string, std::string>>& client, const std::string& group,
    const Settings& settings) {
  // librdkafka 2.0.2 counts queued.min.messages against the whole consumer queue
  // (every partition's queue forwards into it) and, once it is passed, stops
  // fetching until woken; KafkaSource wakes it (docs/operations.md, "Throughput").
  std::vector<std::pair<std::string, std::string>> own{
      {"group.id", group},
      {"queued.min.messages", std::to_string(settings.integer(kKafkaQueuedMinMessages.name))},
      {"fetch.wait.max.ms", std::to_string(settings.integer(kKafkaFetchWaitMax.name))}};
  if (const std::string& id = settings.text(kKafkaInstanceId.name); !id.empty()) {
    own.emplace_back("group.instance.id", id);
  }
  auto out = client;
  const bool bootstrap_first = !out.empty() && out.front().first == "bootstrap.servers";
  out.insert(out.begin() + (bootstrap_first ? 1 : 0), own.begin(), own.end());
  return out;
}

}  // namespace fp
