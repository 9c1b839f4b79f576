#include "pipeline/components.h"

#include "ingest/kafka_source_declaration.h"
#include "sinks/registry.h"

namespace fp {

std::vector<const SettingKey*> component_keys() {
  std::vector<const SettingKey*> keys(std::begin(kKafkaSourceKeys), std::end(kKafkaSourceKeys));
  const auto sinks = sink_keys();
  keys.insert(keys.end(), sinks.begin(), sinks.end());
  return keys;
}

Settings component_defaults() { return Settings::defaults(component_keys()); }

}  // namespace fp
