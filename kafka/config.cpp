#include "kafka/config.h"

#include <array>

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
