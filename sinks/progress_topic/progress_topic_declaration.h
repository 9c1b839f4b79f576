// The field-progress sink's declaration: its keys, on unless turned off, made
// from the topic, the shared flush interval and the published levels.
#pragma once

#include <memory>

#include "kafka/topic_name.h"
#include "sinks/level_set.h"
#include "sinks/progress_settings.h"
#include "sinks/progress_topic/progress_topic_sink.h"
#include "sinks/sink_declaration.h"

namespace fp {

inline constexpr SettingKey kProgressTopic{
    .name = "kafka.topics.progress",
    .type = SettingType::string,
    .default_value = "field-progress",
    .description =
        "Compaction-friendly topic of progress rows, one per block, keyed by level, "
        "id, kind and window.",
    .check = kafka::check_topic_name};
inline constexpr SettingKey kProgressEnabled{
    .name = "sinks.progress.enabled",
    .type = SettingType::boolean,
    .default_value = "true",
    .description = "Publish progress rows to kafka.topics.progress."};
inline constexpr SettingKey kProgressLevels{
    .name = "sinks.progress.levels",
    .type = SettingType::list,
    .default_value = "city,county,town,village,cadre",
    .description = "Levels whose progress rows are published to kafka.topics.progress.",
    .min = 1,
    .check = check_level_name};

inline constexpr const SettingKey* kProgressTopicKeys[] = {
    &kProgressTopic, &kProgressEnabled, &kProgressFlushInterval, &kProgressLevels};

inline constexpr SinkDeclaration kProgressTopicSink{
    .name = "field-progress",
    .keys = kProgressTopicKeys,
    .enabled = [](const Settings& s) { return s.boolean(kProgressEnabled.name); },
    .make = [](const Settings& s, SinkContext& c) -> std::unique_ptr<Sink> {
      return std::make_unique<ProgressTopicSink>(c, s.text(kProgressTopic.name),
                                                 progress_flush_interval(s),
                                                 LevelSet::parse(s.list(kProgressLevels.name)));
    }};

}  // namespace fp
