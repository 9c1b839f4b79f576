// The configuration of `fieldpulse run`/`demo`: every key declared once, read from a TOML
// file, flags and FIELDPULSE_* environment variables (each overriding the one before).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "processors/core_options.h"
#include "settings/settings.h"

namespace fp::app {

// A key that is unknown or whose value is malformed. what() names the key and
// where the value came from ("config.toml:12", "flag --http", "env FIELDPULSE_HTTP_LISTEN");
// callers exit with kExitUsage (2).
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string_view key, std::string source, const std::string& problem);
  [[nodiscard]] const std::string& key() const noexcept { return key_; }
  [[nodiscard]] const std::string& source() const noexcept { return source_; }

 private:
  std::string key_;
  std::string source_;
};

// The effective configuration. Values have no defaults here: the defaults live
// in the key declarations (config_keys()) and Config::defaults() applies them.
// The process's own keys are members; the keys the pipeline's components
// declare in their folders (pipeline/components.h) are in `components`.
struct Config {
  struct Topics {
    std::string reports, state;
  };
  struct Kafka {
    std::vector<std::string> brokers;  // "host:port" each
    std::string group;
    std::int64_t stall_after_ms = 0;
    Topics topics;
    std::int64_t batch_max_messages = 0;  // per rd_kafka_consume_batch_queue call
    // [kafka.properties]: librdkafka properties passed through, in the order
    // they were given; checked against librdkafka at load.
    std::vector<std::pair<std::string, std::string>> properties;
  };
  struct Http {
    std::string listen;  // "host:port"; port 0 = any free port
  };
  struct Sinks {
    std::int64_t max_unacknowledged = 0;
  };
  struct Validation {
    std::int64_t future_skew_hours = 0;
    std::string programme_start;  // RFC 3339, checked at load
  };
  struct Dedupe {
    std::int64_t horizon_days = 0;
  };
  struct Interval {
    std::int64_t interval_ms = 0;
  };
  struct Log {
    std::string level;  // trace, debug, info, warn, error, off
  };

  Kafka kafka;
  std::string roster;   // path of the roster JSON
  std::string catalog;  // path of the catalog TOML
  Http http;
  Sinks sinks;
  Validation validation;
  Dedupe dedupe;
  Interval checkpoint;
  Log log;
  // The values of the source's and the sinks' keys, by key name.
  Settings components;

  // Where each key's value came from, by key name: "default", "FILE:LINE",
  // "flag --brokers", "flag --set", "env FIELDPULSE_...". Filled by load_config().
  std::vector<std::pair<std::string, std::string>> origins;

  // Every key at its declared default.
  static Config defaults();

  // validation.programme_start as UTC epoch milliseconds.
  [[nodiscard]] std::int64_t programme_start_ms() const;
  // The validation and dedupe settings as the processing core takes them.
  [[nodiscard]] CoreOptions core_options() const;
  // librdkafka properties for any client: bootstrap.servers from kafka.brokers,
  // then [kafka.properties] (which may override it).
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> kafka_client_properties() const;
  // The report consumer's: the same plus group.id, queued.min.messages,
  // fetch.wait.max.ms and group.instance.id from their keys
  // (kafka_source_properties()); [kafka.properties] still comes last and wins.
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> kafka_consumer_properties() const;
  // The origin of `key` ("default" when never set).
  [[nodiscard]] std::string_view origin(std::string_view key) const;
};

using ConfigType = SettingType;

// A pointer to the Config member a key sets.
using ConfigField = std::variant<std::string*, std::int64_t*, bool*, std::vector<std::string>*>;

// One key of the table: its declaration and where its value is kept.
struct ConfigKey : SettingKey {
  // The process's own keys: the Config member it sets. nullptr: a component's
  // key, kept in Config::components.
  ConfigField (*field)(Config&) = nullptr;
};

// Every key, the process's own and the components', grouped by TOML table
// (the order of documentation and --print-config).
std::span<const ConfigKey> config_keys();
const ConfigKey* find_config_key(std::string_view name);

// The sub-table whose entries pass through to librdkafka.
inline constexpr std::string_view kKafkaPropertiesTable = "kafka.properties";
// Environment variable prefix; FIELDPULSE_KAFKA_PROPERTY_SASL_PASSWORD sets the
// librdkafka property "sasl.password" ('_' becomes '.').
inline constexpr std::string_view kEnvPrefix = "FIELDPULSE_";
inline constexpr std::string_view kEnvPropertyPrefix = "FIELDPULSE_KAFKA_PROPERTY_";

// The environment variable of a key: "http.listen" -> "FIELDPULSE_HTTP_LISTEN".
std::string env_name(std::string_view key);

// One override from the command line, kept in the order given.
struct ConfigOverride {
  std::string key;
  std::string value;
  std::string source;  // "flag --brokers", "flag --set"
};

// What the run flags collected; filled by add_config_flags() during parsing.
struct ConfigFlags {
  std::string config_file;  // --config; empty = none
  std::vector<ConfigOverride> overrides;
  bool print_config = false;  // --print-config
};

// Binds the run flags of contract section 7 onto `cmd`: --config, --brokers,
// --roster, --catalog, --http, --group, --postgres, --jsonl, --set key=value
// (repeatable) and --print-config.
void add_config_flags(CLI::App& cmd, ConfigFlags& flags);
// The flags that shape the processing core only, for commands without Kafka
// (`replay`): --config, --roster, --catalog, --set and --print-config.
void add_core_config_flags(CLI::App& cmd, ConfigFlags& flags);

using Environment = std::vector<std::pair<std::string, std::string>>;
// The process environment's FIELDPULSE_* variables.
Environment fieldpulse_environment();

// defaults <- file <- flags <- environment, each value checked as it is set
// and [kafka.properties] against librdkafka at the end
// (check_kafka_properties()). Throws ConfigError.
Config load_config(const ConfigFlags& flags, const Environment& environment);
// The same from TOML text (for tests and tools); `source_name` is used in messages.
Config load_config_text(std::string_view toml, std::string_view source_name,
                        const ConfigFlags& flags, const Environment& environment);

// The files the configuration names are there: roster and catalog, and the
// directory sinks.jsonl.path would be created in. Throws ConfigError naming
// the key and where its value came from.
void check_paths(const Config& config);

// The effective configuration as TOML, each value followed by a comment saying
// where it came from. Secrets (passwords, keys; see app/secrets.h) are printed
// as "<redacted>"; loading the output gives the same configuration otherwise.
std::string render_config(const Config& config);

// The configuration reference (docs/configuration.md's key table), from the declaration.
std::string render_config_reference();

}  // namespace fp::app
