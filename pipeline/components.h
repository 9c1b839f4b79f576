// The components the engine runs, each declared in its own folder: the Kafka
// source and the registered sinks. Their keys join the process's own in app/config.
#pragma once

#include <vector>

#include "settings/settings.h"

namespace fp {

// The source's keys, then every sink's, each once.
std::vector<const SettingKey*> component_keys();

// Every component key at its declared default.
Settings component_defaults();

}  // namespace fp
