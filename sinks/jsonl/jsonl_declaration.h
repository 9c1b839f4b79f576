// The JSON Lines sink's declaration: on when a path is set; made from the
// path, the shared flush interval and its levels.
#pragma once

#include <memory>

#include "sinks/jsonl/jsonl_sink.h"
#include "sinks/level_set.h"
#include "sinks/progress_settings.h"
#include "sinks/sink_declaration.h"

namespace fp {

inline constexpr SettingKey kJsonlPath{
    .name = "sinks.jsonl.path",
    .type = SettingType::string,
    .default_value = "",
    .description =
        "JSON Lines file that progress rows are appended to as they change; empty: off."};
inline constexpr SettingKey kJsonlLevels{
    .name = "sinks.jsonl.levels",
    .type = SettingType::list,
    .default_value = "city,county,town,village,cadre",
    .description = "Levels whose progress rows are appended to sinks.jsonl.path.",
    .min = 1,
    .check = check_level_name};

inline constexpr const SettingKey* kJsonlKeys[] = {&kJsonlPath, &kJsonlLevels,
                                                   &kProgressFlushInterval};

inline constexpr SinkDeclaration kJsonlSink{
    .name = "jsonl",
    .keys = kJsonlKeys,
    .enabled = [](const Settings& s) { return !s.text(kJsonlPath.name).empty(); },
    .make = [](const Settings& s, SinkContext& c) -> std::unique_ptr<Sink> {
      return std::make_unique<JsonlSink>(c, s.text(kJsonlPath.name), progress_flush_interval(s),
                                         LevelSet::parse(s.list(kJsonlLevels.name)));
    }};

}  // namespace fp
