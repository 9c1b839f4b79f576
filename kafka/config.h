// Builds a librdkafka configuration from key/value pairs, naming the offending key on error.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kafka/handles.h"

namespace fp::kafka {

// A property librdkafka refused: unknown key or invalid value. Callers turn it
// into exit code 2 (a configuration error); what() names the key.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string key, const std::string& reason);
  const std::string& key() const noexcept { return key_; }

 private:
  std::string key_;
};

using Property = std::pair<std::string, std::string>;

// Splits "key=value" (the form of kcat's -X). Throws ConfigError when there is
// no '=' or the key is empty.
Property parse_property(std::string_view text);

// Which clients a librdkafka property applies to, as librdkafka's own property
// table says (its "C/P" column). Unknown names are `any`: set() then names them.
enum class PropertyScope { any, consumer, producer };
PropertyScope property_scope(std::string_view name);

// Owns an rd_kafka_conf_t until it is handed to rd_kafka_new().
class KafkaConfig {
 public:
  KafkaConfig();
  KafkaConfig(const KafkaConfig& other);
  KafkaConfig& operator=(const KafkaConfig& other);
  KafkaConfig(KafkaConfig&&) noexcept = default;
  KafkaConfig& operator=(KafkaConfig&&) noexcept = default;
  ~KafkaConfig() = default;

  // Throws ConfigError naming `key` when librdkafka refuses it.
  KafkaConfig& set(const std::string& key, const std::string& value);
  KafkaConfig& set_all(const std::vector<Property>& properties);
  // set_all() without the properties that only the other kind of client takes,
  // so one shared list (kafka.properties) configures consumers and producers
  // alike without "ignored by this instance" warnings.
  KafkaConfig& set_all_for(rd_kafka_type_t client, const std::vector<Property>& properties);

  // The current value of a property, or an empty string when unset/unknown.
  std::string get(const std::string& key) const;

  rd_kafka_conf_t* raw() noexcept { return conf_.get(); }
  // Gives up ownership (rd_kafka_new() takes it on success).
  ConfHandle release() noexcept { return std::move(conf_); }

 private:
  ConfHandle conf_;
};

// Creates a client from `config`; throws std::runtime_error with librdkafka's
// reason when it cannot. The config is consumed either way.
KafkaHandle make_client(rd_kafka_type_t type, KafkaConfig config);

}  // namespace fp::kafka
