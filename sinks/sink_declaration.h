// What a sink says about itself, in its own folder: its name, the configuration
// keys it reads, when it runs and how it is made. sinks/registry.cpp lists them.
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "settings/setting_key.h"
#include "settings/settings.h"
#include "sinks/sink.h"

namespace fp {

struct SinkContext;

struct SinkDeclaration {
  std::string_view name;  // Sink::name(), as in sink_*_total{sink=...}
  // Every key the sink reads, keys it shares with other sinks included; each
  // key's default lives in its one declaration.
  std::span<const SettingKey* const> keys;
  bool (*enabled)(const Settings& settings);
  // Throws std::runtime_error when the sink cannot start (e.g. the JSON Lines
  // file cannot be opened).
  std::unique_ptr<Sink> (*make)(const Settings& settings, SinkContext& context);
};

}  // namespace fp
