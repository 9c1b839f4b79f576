// The configuration key every progress-row sink shares: how often it hands on
// the rows that changed.
#pragma once

#include <chrono>

#include "settings/settings.h"

namespace fp {

inline constexpr SettingKey kProgressFlushInterval{
    .name = "sinks.progress.flush_interval_ms",
    .type = SettingType::integer,
    .default_value = "500",
    .description =
        "How often changed progress rows are published (latest value per key); also "
        "the JSON Lines and PostgreSQL sinks' interval.",
    .min = 1,
    .max = 3'600'000};

inline std::chrono::milliseconds progress_flush_interval(const Settings& settings) {
  return std::chrono::milliseconds(settings.integer(kProgressFlushInterval.name));
}

}  // namespace fp
