// The PostgreSQL sink's declaration: on when a connection URI is set; made
// from it and the shared flush interval.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "sinks/postgres/postgres_sink.h"
#include "sinks/progress_settings.h"
#include "sinks/sink_declaration.h"

namespace fp {

// libpq takes a URI or "key=value" pairs; anything else is refused when it
// connects, after the pipeline started. The value is not echoed: it may hold a password.
inline std::optional<std::string> check_postgres_uri(std::string_view value) {
  if (value.empty() || value.starts_with("postgresql://") || value.starts_with("postgres://") ||
      value.find('=') != std::string_view::npos) {
    return std::nullopt;
  }
  return "expected a postgresql:// URI or key=value connection parameters";
}

inline constexpr SettingKey kPostgresUri{
    .name = "sinks.postgres.uri",
    .type = SettingType::string,
    .default_value = "",
    .description = "PostgreSQL connection URI for the progress table; empty: off.",
    .check = check_postgres_uri};

inline constexpr const SettingKey* kPostgresKeys[] = {&kPostgresUri, &kProgressFlushInterval};

inline constexpr SinkDeclaration kPostgresSink{
    .name = "postgres",
    .keys = kPostgresKeys,
    .enabled = [](const Settings& s) { return !s.text(kPostgresUri.name).empty(); },
    .make = [](const Settings& s, SinkContext& c) -> std::unique_ptr<Sink> {
      return std::make_unique<PostgresSink>(c, s.text(kPostgresUri.name),
                                            progress_flush_interval(s));
    }};

}  // namespace fp
