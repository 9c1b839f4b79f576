#include "kafka/config.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>

namespace fp::kafka {

ConfigError::ConfigError(std::string key, const std::string& reason)
    : std::runtime_error("kafka property '" + key + "': " + reason), key_(std::move(key)) {}

Property parse_property(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    throw ConfigError(std::string(text), "expected key=value");
  }
  return {std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
}

namespace {

// Parses the table rd_kafka_conf_properties_show() prints: "name | C/P | ...".
std::unordered_map<std::string, PropertyScope> read_property_scopes() {
  std::unordered_map<std::string, PropertyScope> scopes;
  char* text = nullptr;
  std::size_t size = 0;
  FILE* out = open_memstream(&text, &size);
  if (out == nullptr) return scopes;
  rd_kafka_conf_properties_show(out);
  std::fclose(out);
  std::string_view rest(text, size);
  const auto trim = [](std::string_view v) {
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
    return v;
  };
  while (!rest.empty()) {
    const auto eol = rest.find('\n');
    const std::string_view line = rest.substr(0, eol);
    rest.remove_prefix(eol == std::string_view::npos ? rest.size() : eol + 1);
    const auto first = line.find('|');
    if (first == std::string_view::npos) continue;
    const auto second = line.find('|', first + 1);
    if (second == std::string_view::npos) continue;
    const std::string_view name = trim(line.substr(0, first));
    const std::string_view scope = trim(line.substr(first + 1, second - first - 1));
    if (scope == "C") scopes.emplace(name, PropertyScope::consumer);
    if (scope == "P") scopes.emplace(name, PropertyScope::producer);
  }
  std::free(text);
  return scopes;
}

}  // namespace

PropertyScope property_scope(std::string_view name) {
  static const auto scopes = read_property_scopes();
  const auto it = scopes.find(std::string(name));
  return it == scopes.end() ? PropertyScope::any : it->second;
}

KafkaConfig::KafkaConfig() : conf_(rd_kafka_conf_new()) {}

KafkaConfig::KafkaConfig(const KafkaConfig& other) : conf_(rd_kafka_conf_dup(other.conf_.get())) {}

KafkaConfig& KafkaConfig::operator=(const KafkaConfig& other) {
  if (this != &other) conf_.reset(rd_kafka_conf_dup(other.conf_.get()));
  return *this;
}

KafkaConfig& KafkaConfig::set(const std::string& key, const std::string& value) {
  std::array<char, 512> errstr{};
  if (rd_kafka_conf_set(conf_.get(), key.c_str(), value.c_str(), errstr.data(), errstr.size()) !=
      RD_KAFKA_CONF_OK) {
    throw ConfigError(key, errstr.data());
  }
  return *this;
}

KafkaConfig& KafkaConfig::set_all(const std::vector<Property>& properties) {
  for (const auto& [key, value] : properties) set(key, value);
  return *this;
}

KafkaConfig& KafkaConfig::set_all_for(rd_kafka_type_t client,
                                      const std::vector<Property>& properties) {
  const PropertyScope other =
      client == RD_KAFKA_CONSUMER ? PropertyScope::producer : PropertyScope::consumer;
  for (const auto& [key, value] : properties) {
    if (property_scope(key) != other) set(key, value);
  }
  return *this;
}

std::string KafkaConfig::get(const std::string& key) const {
  size_t size = 0;
  if (rd_kafka_conf_get(conf_.get(), key.c_str(), nullptr, &size) != RD_KAFKA_CONF_OK) return {};
  std::string value(size, '\0');
  if (rd_kafka_conf_get(conf_.get(), key.c_str(), value.data(), &size) != RD_KAFKA_CONF_OK) {
    return {};
  }
  if (!value.empty() && value.back() == '\0') value.pop_back();
  return value;
}

KafkaHandle make_client(rd_kafka_type_t type, KafkaConfig config) {
  std::array<char, 512> errstr{};
  ConfHandle conf = config.release();
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), errstr.data(), errstr.size());
  if (rk == nullptr) {
    throw std::runtime_error(std::string("cannot create kafka client: ") + errstr.data());
  }
  (void)conf.release();  // rd_kafka_new() owns it now
  return KafkaHandle(rk);
}

}  // namespace fp::kafka
