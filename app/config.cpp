// The configuration key table and the layered loading: defaults, file, flags, environment.
#include "app/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <type_traits>

#include "app/kafka_properties_check.h"
#include "app/secrets.h"
#include "http/listen_address.h"
#include "ingest/kafka_source_declaration.h"
#include "kafka/topic_name.h"
#include "model/civil_time.h"
#include "pipeline/components.h"

extern char** environ;  // POSIX

namespace fp::app {
namespace {

std::optional<std::string> check_listen(std::string_view value) {
  std::string problem;
  if (http::parse_listen_address(value, &problem)) return std::nullopt;
  return problem;
}

std::optional<std::string> check_timestamp(std::string_view value) {
  if (parse_rfc3339(value)) return std::nullopt;
  return "expected an RFC 3339 timestamp with offset, e.g. 2018-05-01T00:00:00+08:00";
}

std::optional<std::string> check_log_level(std::string_view value) {
  for (std::string_view level : {"trace", "debug", "info", "warn", "error", "off"}) {
    if (value == level) return std::nullopt;
  }
  return "expected one of trace, debug, info, warn, error, off";
}

std::optional<std::string> check_not_empty(std::string_view value) {
  if (!value.empty()) return std::nullopt;
  return "must not be empty";
}

// "host:port", "[v6 address]:port"; the port 1-65535.
std::optional<std::string> check_host_port(std::string_view value) {
  const auto colon = value.rfind(':');
  const std::string problem =
      "expected host:port with a port from 1 to 65535, got \"" + std::string(value) + "\"";
  if (colon == std::string_view::npos || colon == 0) return problem;
  const std::string_view port = value.substr(colon + 1);
  int number = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (ec != std::errc{} || end != port.data() + port.size() || number < 1 || number > 65535) {
    return problem;
  }
  return std::nullopt;
}

constexpr std::int64_t kHour = 3'600'000;

// The process's own keys; the components declare theirs (pipeline/components.h).
// A default is written as a flag value would be.
const std::array kProcessKeys = {
    ConfigKey{{"kafka.brokers", ConfigType::list, "",
               "Kafka bootstrap servers, host:port, comma-separated (required by `run`).", 0, 0,
               check_host_port},
              [](Config& c) -> ConfigField { return &c.kafka.brokers; }},
    ConfigKey{{"kafka.group", ConfigType::string, "fieldpulse",
               "Consumer group id; instances with the same group split the partitions.", 0, 0,
               check_not_empty},
              [](Config& c) -> ConfigField { return &c.kafka.group; }},
    ConfigKey{{"kafka.stall_after_ms", ConfigType::integer, "30000",
               "A partition with lag whose position has not moved for this long is reported "
               "stalled (log, /readyz, fieldpulse_partition_stalled).",
               1000, 24 * kHour},
              [](Config& c) -> ConfigField { return &c.kafka.stall_after_ms; }},
    ConfigKey{{"kafka.batch_max_messages", ConfigType::integer, "10000",
               "Most messages taken from the consumer queue per processing batch.", 1, 1'000'000},
              [](Config& c) -> ConfigField { return &c.kafka.batch_max_messages; }},
    ConfigKey{{"kafka.topics.reports", ConfigType::string, "field-reports",
               "Topic the field reports are consumed from.", 0, 0, kafka::check_topic_name},
              [](Config& c) -> ConfigField { return &c.kafka.topics.reports; }},
    ConfigKey{
        {"kafka.topics.state", ConfigType::string, "fieldpulse.state",
         "Compacted topic of per-partition state checkpoints.", 0, 0, kafka::check_topic_name},
        [](Config& c) -> ConfigField { return &c.kafka.topics.state; }},
    ConfigKey{{"roster", ConfigType::string, FP_DATA_DIR "/zhanjiang-roster.json",
               "Roster JSON file: regions and cadres (contract section 2).", 0, 0, check_not_empty},
              [](Config& c) -> ConfigField { return &c.roster; }},
    ConfigKey{{"catalog", ConfigType::string, FP_DATA_DIR "/catalog.toml",
               "Catalog TOML file: report kinds and their value fields.", 0, 0, check_not_empty},
              [](Config& c) -> ConfigField { return &c.catalog; }},
    ConfigKey{{"http.listen", ConfigType::string, "127.0.0.1:8080",
               "Address of the HTTP API, metrics and dashboard, host:port (port 0: any free).", 0,
               0, check_listen},
              [](Config& c) -> ConfigField { return &c.http.listen; }},
    ConfigKey{{"sinks.max_unacknowledged", ConfigType::integer, "500000",
               "Backpressure: fetching pauses while the sinks hold more unacknowledged outputs.", 1,
               100'000'000},
              [](Config& c) -> ConfigField { return &c.sinks.max_unacknowledged; }},
    ConfigKey{
        {"validation.future_skew_hours", ConfigType::integer, "24",
         "Reports more than this far ahead of the clock are rejected (future_timestamp).", 0, 8760},
        [](Config& c) -> ConfigField { return &c.validation.future_skew_hours; }},
    ConfigKey{{"validation.programme_start", ConfigType::string, "2018-05-01T00:00:00+08:00",
               "Reports before this RFC 3339 time are rejected (too_old).", 0, 0, check_timestamp},
              [](Config& c) -> ConfigField { return &c.validation.programme_start; }},
    ConfigKey{{"dedupe.horizon_days", ConfigType::integer, "0",
               "0: every report id is remembered for the programme's life. N: ids more than N "
               "days older than a partition's newest report may be forgotten, and such reports "
               "are rejected as too_old.",
               0, 36'500},
              [](Config& c) -> ConfigField { return &c.dedupe.horizon_days; }},
    ConfigKey{{"checkpoint.interval_ms", ConfigType::integer, "10000",
               "How often per-partition state is checkpointed to kafka.topics.state; offsets "
               "are committed once a checkpoint and every output before it are acknowledged.",
               100, 24 * kHour},
              [](Config& c) -> ConfigField { return &c.checkpoint.interval_ms; }},
    ConfigKey{{"log.level", ConfigType::string, "info",
               "Log level: trace, debug, info, warn, error or off.", 0, 0, check_log_level},
              [](Config& c) -> ConfigField { return &c.log.level; }},
};

// "kafka.topics.dlq" -> "kafka"; "roster" -> "roster".
std::string_view section_of(std::string_view key) { return key.substr(0, key.find('.')); }

// "kafka.topics.dlq" -> "kafka.topics"; "roster" -> "".
std::string_view table_of(std::string_view key) {
  const auto dot = key.rfind('.');
  return dot == std::string_view::npos ? std::string_view() : key.substr(0, dot);
}

// The process's keys and the components', grouped by section ("kafka", "sinks",
// ...) and then by table, each where it first appears; keys keep their
// declared order within a table. TOML needs a table's keys together.
std::vector<ConfigKey> assemble_keys() {
  std::vector<ConfigKey> declared(kProcessKeys.begin(), kProcessKeys.end());
  for (const SettingKey* k : component_keys()) declared.push_back(ConfigKey{*k});
  const auto first = [&declared](std::string_view (*part)(std::string_view), const ConfigKey& k) {
    return std::find_if(declared.begin(), declared.end(),
                        [&](const ConfigKey& o) { return part(o.name) == part(k.name); }) -
           declared.begin();
  };
  std::vector<ConfigKey> keys = declared;
  std::stable_sort(keys.begin(), keys.end(), [&](const ConfigKey& a, const ConfigKey& b) {
    return std::pair(first(section_of, a), first(table_of, a)) <
           std::pair(first(section_of, b), first(table_of, b));
  });
  return keys;
}

const std::vector<ConfigKey>& all_keys() {
  static const std::vector<ConfigKey> keys = assemble_keys();
  return keys;
}

class ConfigBuilder {
 public:
  explicit ConfigBuilder(Config& config) : config_(config) {}

  // Stores `text` (flag syntax) as `key`'s value.
  void set_text(std::string_view key, std::string_view text, const std::string& source) {
    if (key.starts_with(std::string(kKafkaPropertiesTable) + ".")) {
      set_property(key.substr(kKafkaPropertiesTable.size() + 1), std::string(text), source);
      return;
    }
    const ConfigKey& k = lookup(key, source);
    SettingValue value;
    if (auto problem = parse_setting(k, text, value)) throw ConfigError(k.name, source, *problem);
    store(k, std::move(value), source);
  }

  void store(const ConfigKey& k, SettingValue value, const std::string& source) {
    if (auto problem = check_setting(k, value)) throw ConfigError(k.name, source, *problem);
    if (k.field) {
      std::visit(
          [&value](auto* field) { *field = std::get<std::decay_t<decltype(*field)>>(value); },
          k.field(config_));
    } else {
      config_.components.set(k.name, std::move(value));
    }
    set_origin(std::string(k.name), source);
  }

  void set_property(std::string_view name, std::string value, const std::string& source) {
    const std::string full = std::string(kKafkaPropertiesTable) + "." + std::string(name);
    if (name.empty()) throw ConfigError(full, source, "empty librdkafka property name");
    auto& props = config_.kafka.properties;
    auto it =
        std::find_if(props.begin(), props.end(), [&](const auto& p) { return p.first == name; });
    if (it == props.end()) {
      props.emplace_back(std::string(name), std::move(value));
    } else {
      it->second = std::move(value);
    }
    set_origin(full, source);
  }

  const ConfigKey& lookup(std::string_view key, const std::string& source) const {
    const ConfigKey* k = find_config_key(key);
    if (!k) throw ConfigError(std::string(key), source, "unknown configuration key");
    return *k;
  }

 private:
  void set_origin(const std::string& key, const std::string& source) {
    auto& origins = config_.origins;
    auto it =
        std::find_if(origins.begin(), origins.end(), [&](const auto& o) { return o.first == key; });
    if (it == origins.end()) {
      origins.emplace_back(key, source);
    } else {
      it->second = source;
    }
  }

  Config& config_;
};

bool is_table_prefix(std::string_view path) {
  const std::string prefix = std::string(path) + ".";
  return std::any_of(all_keys().begin(), all_keys().end(),
                     [&](const ConfigKey& k) { return k.name.starts_with(prefix); });
}

std::string where(std::string_view source_name, const toml::source_region& region) {
  return std::string(source_name) + ":" + std::to_string(region.begin.line);
}

void apply_toml_table(ConfigBuilder& builder, const toml::table& table, const std::string& path,
                      std::string_view source_name) {
  for (auto&& [key, node] : table) {
    const std::string name =
        path.empty() ? std::string(key.str()) : path + "." + std::string(key.str());
    const std::string source =
        where(source_name, node.source().begin.line ? node.source() : key.source());
    if (name == kKafkaPropertiesTable) {
      const toml::table* props = node.as_table();
      if (!props) throw ConfigError(name, source, "expected a table of librdkafka properties");
      // In file order (the table itself iterates by name), so the last
      // occurrence of a property is the one that counts, as in librdkafka.
      std::vector<std::pair<const toml::key*, const toml::node*>> entries;
      for (auto&& [pkey, pnode] : *props) entries.emplace_back(&pkey, &pnode);
      std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
        const auto& pa = a.first->source().begin;
        const auto& pb = b.first->source().begin;
        return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
      });
      for (const auto& [pkey_ptr, pnode_ptr] : entries) {
        const toml::key& pkey = *pkey_ptr;
        const toml::node& pnode = *pnode_ptr;
        const std::string psource = where(source_name, pnode.source());
        std::string value;
        if (auto s = pnode.value_exact<std::string>()) {
          value = *s;
        } else if (auto i = pnode.value_exact<std::int64_t>()) {
          value = std::to_string(*i);
        } else if (auto b = pnode.value_exact<bool>()) {
          value = *b ? "true" : "false";
        } else {
          throw ConfigError(name + "." + std::string(pkey.str()), psource,
                            "expected a string, integer or boolean");
        }
        builder.set_property(pkey.str(), std::move(value), psource);
      }
      continue;
    }
    if (const toml::table* sub = node.as_table()) {
      if (!is_table_prefix(name)) throw ConfigError(name, source, "unknown configuration table");
      apply_toml_table(builder, *sub, name, source_name);
      continue;
    }
    const ConfigKey& k = builder.lookup(name, source);
    switch (k.type) {
      case ConfigType::string:
        if (auto s = node.value_exact<std::string>()) {
          builder.store(k, *s, source);
        } else {
          throw ConfigError(name, source, "expected a string");
        }
        break;
      case ConfigType::integer:
        if (auto i = node.value_exact<std::int64_t>()) {
          builder.store(k, *i, source);
        } else {
          throw ConfigError(name, source, "expected an integer");
        }
        break;
      case ConfigType::boolean:
        if (auto b = node.value_exact<bool>()) {
          builder.store(k, *b, source);
        } else {
          throw ConfigError(name, source, "expected true or false");
        }
        break;
      case ConfigType::list:
        if (auto s = node.value_exact<std::string>()) {
          builder.set_text(name, *s, source);  // "a:1,b:2"
        } else if (const toml::array* arr = node.as_array()) {
          std::vector<std::string> items;
          for (const toml::node& item : *arr) {
            auto s2 = item.value_exact<std::string>();
            if (!s2 || s2->empty()) {
              throw ConfigError(name, where(source_name, item.source()),
                                "expected a list of non-empty strings");
            }
            items.push_back(*s2);
          }
          builder.store(k, std::move(items), source);
        } else {
          throw ConfigError(name, source, "expected a list of strings");
        }
        break;
    }
  }
}

void apply_toml(ConfigBuilder& builder, std::string_view text, std::string_view source_name) {
  toml::table table;
  try {
    table = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    throw ConfigError("", where(source_name, e.source()),
                      "not valid TOML: " + std::string(e.description()));
  }
  apply_toml_table(builder, table, "", source_name);
}

void apply_overrides(ConfigBuilder& builder, const ConfigFlags& flags) {
  for (const ConfigOverride& o : flags.overrides) builder.set_text(o.key, o.value, o.source);
}

void apply_environment(ConfigBuilder& builder, const Environment& environment) {
  for (const auto& [name, value] : environment) {
    if (!name.starts_with(kEnvPrefix)) continue;
    const std::string source = "env " + name;
    if (name.starts_with(kEnvPropertyPrefix)) {
      std::string property = name.substr(kEnvPropertyPrefix.size());
      for (char& ch : property) {
        ch = ch == '_' ? '.' : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      }
      builder.set_property(property, value, source);
      continue;
    }
    const auto& keys = all_keys();
    const auto key = std::find_if(keys.begin(), keys.end(), [&variable = name](const ConfigKey& k) {
      return env_name(k.name) == variable;
    });
    if (key == keys.end()) {
      throw ConfigError(name, source, "unknown environment variable (no such configuration key)");
    }
    builder.set_text(key->name, value, source);
  }
}

// Keys that name files: relative in a config file, they are relative to it.
constexpr std::array<std::string_view, 3> kPathKeys = {"roster", "catalog", "sinks.jsonl.path"};

// Makes the relative file paths `config` took from a config file in
// `directory` relative to that directory instead of the working directory
// (under systemd that is /). Flags and environment come later, unchanged.
void resolve_against(Config& config, const std::filesystem::path& directory) {
  for (const std::string_view key : kPathKeys) {
    std::string* field = key == "roster"    ? &config.roster
                         : key == "catalog" ? &config.catalog
                                            : nullptr;
    const std::string value = field ? *field : config.components.text(key);
    if (config.origin(key) == "default" || value.empty() ||
        std::filesystem::path(value).is_absolute()) {
      continue;
    }
    const std::string resolved = (directory / value).lexically_normal().string();
    if (field) {
      *field = resolved;
    } else {
      config.components.set(key, resolved);
    }
  }
}

Config load(std::optional<std::pair<std::string_view, std::string_view>> file,
            const ConfigFlags& flags, const Environment& environment,
            const std::optional<std::filesystem::path>& file_directory = std::nullopt) {
  Config config = Config::defaults();
  ConfigBuilder builder(config);
  if (file) apply_toml(builder, file->first, file->second);
  if (file_directory) resolve_against(config, *file_directory);
  apply_overrides(builder, flags);
  apply_environment(builder, environment);
  check_kafka_properties(config);
  return config;
}

void append_toml_string(std::string& out, std::string_view s) {
  out += '"';
  for (char ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += ch;
    }
  }
  out += '"';
}

// The value `k` has in `config` (ConfigKey::field hands out mutable pointers).
SettingValue value_of(Config& config, const ConfigKey& k) {
  if (!k.field) return *config.components.find(k.name);
  return std::visit([](auto* field) -> SettingValue { return *field; }, k.field(config));
}

std::string render_value(Config& config, const ConfigKey& k) {
  std::string out;
  std::visit(
      [&out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          append_toml_string(out, v);
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          out += std::to_string(v);
        } else if constexpr (std::is_same_v<T, bool>) {
          out += v ? "true" : "false";
        } else {
          out += '[';
          for (std::size_t i = 0; i < v.size(); ++i) {
            if (i) out += ", ";
            append_toml_string(out, v[i]);
          }
          out += ']';
        }
      },
      value_of(config, k));
  return out;
}

}  // namespace

ConfigError::ConfigError(std::string_view key, std::string source, const std::string& problem)
    : std::runtime_error(
          (source.empty() ? std::string() : source + ": ") +
          // "env FIELDPULSE_X" already names the key.
          (key.empty() || source.ends_with(key) ? std::string() : std::string(key) + ": ") +
          problem),
      key_(key),
      source_(std::move(source)) {}

Config Config::defaults() {
  Config config;
  ConfigBuilder builder(config);
  for (const ConfigKey& k : all_keys()) builder.set_text(k.name, k.default_value, "default");
  config.origins.clear();
  return config;
}

std::int64_t Config::programme_start_ms() const {
  // Checked when stored, so the parse succeeds.
  return parse_rfc3339(validation.programme_start).value_or(0);
}

CoreOptions Config::core_options() const {
  CoreOptions options;
  options.programme_start_ms = programme_start_ms();
  options.future_skew_ms = validation.future_skew_hours * 3'600'000;
  options.dedupe_horizon_days = static_cast<std::int32_t>(dedupe.horizon_days);
  return options;
}

std::vector<std::pair<std::string, std::string>> Config::kafka_client_properties() const {
  std::string servers;
  for (const std::string& b : kafka.brokers) {
    if (!servers.empty()) servers += ',';
    servers += b;
  }
  std::vector<std::pair<std::string, std::string>> out{{"bootstrap.servers", servers}};
  out.insert(out.end(), kafka.properties.begin(), kafka.properties.end());
  return out;
}

std::vector<std::pair<std::string, std::string>> Config::kafka_consumer_properties() const {
  return kafka_source_properties(kafka_client_properties(), kafka.group, components);
}

std::string_view Config::origin(std::string_view key) const {
  for (const auto& [name, source] : origins) {
    if (name == key) return source;
  }
  return "default";
}

std::span<const ConfigKey> config_keys() { return all_keys(); }

const ConfigKey* find_config_key(std::string_view name) {
  for (const ConfigKey& k : all_keys()) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

std::string env_name(std::string_view key) {
  std::string out(kEnvPrefix);
  for (char ch : key) {
    out += ch == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  return out;
}

namespace {
struct Shortcut {
  const char* flag;
  const char* key;
  const char* help;
};

void add_shortcuts(CLI::App& cmd, ConfigFlags& flags, std::span<const Shortcut> shortcuts) {
  for (const Shortcut& s : shortcuts) {
    cmd.add_option_function<std::string>(
        s.flag,
        [&flags, s](const std::string& value) {
          flags.overrides.push_back({s.key, value, std::string("flag ") + s.flag});
        },
        s.help);
  }
}
}  // namespace

void add_config_flags(CLI::App& cmd, ConfigFlags& flags) {
  static constexpr Shortcut kShortcuts[] = {
      {"--brokers", "kafka.brokers", "Kafka bootstrap servers HOST:PORT[,..] (kafka.brokers)"},
      {"--http", "http.listen", "HTTP listen address ADDR:PORT (http.listen)"},
      {"--group", "kafka.group", "consumer group id (kafka.group)"},
      {"--postgres", "sinks.postgres.uri",
       "PostgreSQL URI of the progress sink (sinks.postgres.uri)"},
      {"--jsonl", "sinks.jsonl.path", "JSON Lines file of the progress sink (sinks.jsonl.path)"},
  };
  add_core_config_flags(cmd, flags);
  add_shortcuts(cmd, flags, kShortcuts);
}

void add_core_config_flags(CLI::App& cmd, ConfigFlags& flags) {
  cmd.add_option("--config", flags.config_file, "TOML configuration file (docs/configuration.md)")
      ->check(CLI::ExistingFile);
  static constexpr Shortcut kShortcuts[] = {
      {"--roster", "roster", "roster JSON file (roster)"},
      {"--catalog", "catalog", "catalog TOML file of report kinds (catalog)"},
  };
  add_shortcuts(cmd, flags, kShortcuts);
  cmd.add_option_function<std::vector<std::string>>(
         "--set",
         [&flags](const std::vector<std::string>& values) {
           for (const std::string& kv : values) {
             const auto eq = kv.find('=');
             if (eq == std::string::npos || eq == 0) {
               throw CLI::ValidationError("--set", "expected key=value, got \"" + kv + "\"");
             }
             flags.overrides.push_back({kv.substr(0, eq), kv.substr(eq + 1), "flag --set"});
           }
         },
         "set any configuration key, KEY=VALUE (repeatable; kafka.properties.NAME=V "
         "for librdkafka)")
      ->take_all()
      ->allow_extra_args(false);
  cmd.add_flag("--print-config", flags.print_config,
               "print the effective configuration (TOML, with each value's origin) and exit");
}

Environment fieldpulse_environment() {
  Environment out;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    if (!entry.starts_with(kEnvPrefix)) continue;
    const auto eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    out.emplace_back(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return out;
}

Config load_config(const ConfigFlags& flags, const Environment& environment) {
  if (flags.config_file.empty()) return load(std::nullopt, flags, environment);
  std::ifstream in(flags.config_file, std::ios::binary);
  if (!in) throw ConfigError("", "flag --config", "cannot read " + flags.config_file);
  std::ostringstream text;
  text << in.rdbuf();
  const std::string content = text.str();
  return load(std::pair<std::string_view, std::string_view>(content, flags.config_file), flags,
              environment, std::filesystem::absolute(flags.config_file).parent_path());
}

Config load_config_text(std::string_view toml, std::string_view source_name,
                        const ConfigFlags& flags, const Environment& environment) {
  return load(std::pair(toml, source_name), flags, environment);
}

void check_paths(const Config& config) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (const auto& [key, path] :
       {std::pair<std::string_view, const std::string&>{"roster", config.roster},
        {"catalog", config.catalog}}) {
    if (!fs::is_regular_file(path, ec)) {
      throw ConfigError(key, std::string(config.origin(key)), "no such file: " + path);
    }
  }
  const std::string& jsonl = config.components.text("sinks.jsonl.path");
  if (jsonl.empty()) return;
  const fs::path directory = fs::path(jsonl).parent_path();
  if (!fs::is_directory(directory.empty() ? fs::path(".") : directory, ec)) {
    throw ConfigError("sinks.jsonl.path", std::string(config.origin("sinks.jsonl.path")),
                      "no such directory: " + directory.string());
  }
}

std::string render_config(const Config& config) {
  Config copy = config;
  copy.components.set("sinks.postgres.uri",
                      redact_postgres_uri(copy.components.text("sinks.postgres.uri")));
  std::string out = "# fieldpulse effective configuration; each value's origin follows it.\n";
  auto line = [&](std::string_view leaf, const std::string& value, std::string_view key) {
    out += std::string(leaf) + " = " + value + "  # " + std::string(config.origin(key)) + "\n";
  };
  // Keys outside any table come first, as TOML requires.
  for (const ConfigKey& k : all_keys()) {
    if (k.name.find('.') == std::string_view::npos) line(k.name, render_value(copy, k), k.name);
  }
  std::string_view table;
  for (const ConfigKey& k : all_keys()) {
    const auto dot = k.name.rfind('.');
    if (dot == std::string_view::npos) continue;
    if (k.name.substr(0, dot) != table) {
      table = k.name.substr(0, dot);
      out += "\n[" + std::string(table) + "]\n";
    }
    line(k.name.substr(dot + 1), render_value(copy, k), k.name);
  }
  if (!copy.kafka.properties.empty()) {
    out += "\n[" + std::string(kKafkaPropertiesTable) + "]\n";
    for (const auto& [name, value] : copy.kafka.properties) {
      std::string quoted_name, quoted_value;
      append_toml_string(quoted_name, name);
      append_toml_string(quoted_value, is_secret_property(name) ? kRedacted : value);
      line(quoted_name, quoted_value, std::string(kKafkaPropertiesTable) + "." + name);
    }
  }
  return out;
}

std::string render_config_reference() {
  std::string out = "| key | type | default | environment | description |\n|---|---|---|---|---|\n";
  for (const ConfigKey& k : all_keys()) {
    std::string def(k.default_value);
    if (k.name == "roster" || k.name == "catalog") {
      def = "`<data dir>" + def.substr(def.rfind('/')) + "`";
    } else {
      def = def.empty() ? "(empty)" : "`" + def.append("`");
    }
    std::string type(to_string(k.type));
    if (k.type == ConfigType::integer) {
      type.append(" ").append(std::to_string(k.min)).append("–").append(std::to_string(k.max));
    }
    out.append("| `").append(k.name).append("` | ").append(type).append(" | ").append(def);
    out.append(" | `").append(env_name(k.name)).append("` | ").append(k.description).append(" |\n");
  }
  return out;
}

}  // namespace fp::app
