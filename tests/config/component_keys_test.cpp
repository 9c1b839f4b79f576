// The components' keys in the configuration: each declared once in its component's
// folder, loaded like the process's own, and handed to the engine by one path.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "app/config.h"
#include "app/pipeline_process.h"
#include "ingest/kafka_source_declaration.h"
#include "pipeline/components.h"
#include "pipeline/pipeline.h"
#include "sinks/registry.h"

namespace fp::app {
namespace {

using Property = std::pair<std::string, std::string>;

TEST(ComponentKeys, EachDeclaredKeyIsInTheTableOnceAndKeptWithTheComponents) {
  for (const SettingKey* declared : component_keys()) {
    const auto named = std::count_if(config_keys().begin(), config_keys().end(),
                                     [&](const ConfigKey& k) { return k.name == declared->name; });
    EXPECT_EQ(named, 1) << declared->name;
    const ConfigKey* k = find_config_key(declared->name);
    ASSERT_NE(k, nullptr) << declared->name;
    EXPECT_EQ(k->field, nullptr) << declared->name << " is also a Config member";
    EXPECT_EQ(k->default_value, declared->default_value) << declared->name;
  }
  for (const SinkDeclaration* sink : sink_declarations()) {
    for (const SettingKey* key : sink->keys) {
      EXPECT_NE(find_config_key(key->name), nullptr) << sink->name << ": " << key->name;
    }
  }
  const Config c = Config::defaults();
  EXPECT_EQ(c.components, component_defaults());
}

TEST(ComponentKeys, PrintConfigNamesEachTableOnce) {
  const std::string text = render_config(Config::defaults());
  for (const ConfigKey& k : config_keys()) {
    const auto dot = k.name.rfind('.');
    if (dot == std::string_view::npos) continue;
    const std::string header = "\n[" + std::string(k.name.substr(0, dot)) + "]\n";
    const auto first = text.find(header);
    ASSERT_NE(first, std::string::npos) << header;
    EXPECT_EQ(text.find(header, first + 1), std::string::npos) << header << " twice in\n" << text;
  }
}

TEST(ComponentKeys, TheEngineGetsTheConsumerPropertiesConfigGives) {
  const Environment env = {{"FIELDPULSE_KAFKA_BROKERS", "k1:9092"},
                           {"FIELDPULSE_KAFKA_INSTANCE_ID", "fp-1"},
                           {"FIELDPULSE_KAFKA_FETCH_WAIT_MAX_MS", "25"},
                           {"FIELDPULSE_KAFKA_PROPERTY_QUEUED_MIN_MESSAGES", "777"}};
  const Config c = load_config_text("", "fp.toml", {}, env);
  const PipelineOptions options = pipeline_options(c);

  const auto consumer =
      kafka_source_properties(options.kafka_properties, options.group, options.components);
  EXPECT_EQ(consumer, c.kafka_consumer_properties());
  EXPECT_EQ(consumer.front(), Property("bootstrap.servers", "k1:9092"));
  EXPECT_NE(std::find(consumer.begin(), consumer.end(), Property("group.instance.id", "fp-1")),
            consumer.end());
  EXPECT_NE(std::find(consumer.begin(), consumer.end(), Property("fetch.wait.max.ms", "25")),
            consumer.end());
  // [kafka.properties] comes last, so it overrides the key's value.
  EXPECT_EQ(consumer.back(), Property("queued.min.messages", "777"));
  EXPECT_EQ(options.kafka_properties, c.kafka_client_properties());
  EXPECT_EQ(options.components, c.components);
}

TEST(ComponentKeys, TheEngineDefaultsAreTheDeclaredOnes) {
  const PipelineOptions declared = pipeline_options(Config::defaults());
  const PipelineOptions engine;
  EXPECT_EQ(engine.components, declared.components);
  EXPECT_EQ(engine.group, declared.group);
  EXPECT_EQ(engine.reports_topic, declared.reports_topic);
  EXPECT_EQ(engine.state_topic, declared.state_topic);
  EXPECT_EQ(engine.batch_max, declared.batch_max);
  EXPECT_EQ(engine.checkpoint_interval, declared.checkpoint_interval);
  EXPECT_EQ(engine.stall_after, declared.stall_after);
  EXPECT_EQ(engine.max_unacknowledged, declared.max_unacknowledged);
  EXPECT_EQ(engine.components.integer("sinks.progress.flush_interval_ms"), 500);
}

}  // namespace
}  // namespace fp::app
