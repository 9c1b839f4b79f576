// The sink registry: one list of declarations, each with its keys and defaults,
// turned on by its own settings and made under its declared name.
#include "sinks/registry.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "metrics/pipeline_probe.h"
#include "metrics/registry.h"
#include "tests/processors/core_fixture.h"
#include "tests/support/temp_dir.h"

namespace fp {
namespace {

std::vector<std::string_view> enabled_names(const Settings& settings) {
  std::vector<std::string_view> names;
  for (const SinkDeclaration* sink : sink_declarations()) {
    if (sink->enabled(settings)) names.push_back(sink->name);
  }
  return names;
}

TEST(SinkRegistry, NamesAreUniqueAndEveryDefaultPassesItsOwnCheck) {
  std::set<std::string_view> names;
  for (const SinkDeclaration* sink : sink_declarations()) {
    EXPECT_TRUE(names.insert(sink->name).second) << sink->name;
    EXPECT_FALSE(sink->keys.empty()) << sink->name;
    for (const SettingKey* key : sink->keys) {
      EXPECT_FALSE(key->description.empty()) << key->name;
      SettingValue value;
      EXPECT_EQ(parse_setting(*key, key->default_value, value), std::nullopt) << key->name;
      EXPECT_EQ(check_setting(*key, value), std::nullopt) << key->name;
    }
  }
}

TEST(SinkRegistry, EachSinkDecidesFromItsOwnKeysOnly) {
  // Settings hold only the sink's declared keys: reading any other throws.
  for (const SinkDeclaration* sink : sink_declarations()) {
    const Settings own = Settings::defaults(sink->keys);
    EXPECT_NO_THROW((void)sink->enabled(own)) << sink->name;
  }
  EXPECT_THROW((void)Settings{}.text("sinks.jsonl.path"), std::logic_error);
}

TEST(SinkRegistry, DefaultsTurnOnTheProgressTopicAndDeadLetterSinks) {
  Settings settings = Settings::defaults(sink_keys());
  EXPECT_EQ(enabled_names(settings),
            (std::vector<std::string_view>{"field-progress", "dead-letter"}));
  settings.set("sinks.jsonl.path", std::string("/tmp/rows.jsonl"));
  settings.set("sinks.postgres.uri", std::string("postgresql://db/fieldpulse"));
  settings.set("sinks.progress.enabled", false);
  EXPECT_EQ(enabled_names(settings),
            (std::vector<std::string_view>{"dead-letter", "jsonl", "postgres"}));
}

TEST(SinkRegistry, SharedKeysAreListedOnce) {
  const auto keys = sink_keys();
  std::set<std::string_view> names;
  for (const SettingKey* key : keys) EXPECT_TRUE(names.insert(key->name).second) << key->name;
  EXPECT_TRUE(names.contains("sinks.progress.flush_interval_ms"));
}

TEST(SinkRegistry, SinksAreMadeUnderTheirDeclaredNames) {
  test::TempDir dir;
  boost::asio::io_context io;
  auto core = core_test::make_core();
  MetricsRegistry registry;
  PipelineProbe probe(registry, *core);
  std::vector<std::string> errors;
  // No broker is needed to create the Kafka sinks' producers.
  SinkContext context{io,
                      *core,
                      probe,
                      {{"bootstrap.servers", "127.0.0.1:1"}},
                      [] { return core_test::kNowMs; },
                      nullptr,
                      [&errors](const std::string& e) { errors.push_back(e); }};
  Settings settings = Settings::defaults(sink_keys());
  settings.set("sinks.jsonl.path", dir.file("rows.jsonl"));
  const auto sinks = make_sinks(settings, context);
  ASSERT_EQ(sinks.size(), 3U);
  EXPECT_EQ(sinks[0]->name(), "field-progress");
  EXPECT_EQ(sinks[1]->name(), "dead-letter");
  EXPECT_EQ(sinks[2]->name(), "jsonl");
  EXPECT_THROW(make_sink("console", settings, context), std::invalid_argument);
  EXPECT_TRUE(errors.empty());
}

}  // namespace
}  // namespace fp
