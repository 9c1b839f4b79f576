// [kafka.properties] checked against librdkafka itself at load.
#include "app/kafka_properties_check.h"

#include <array>
#include <cctype>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "kafka/config.h"

namespace fp::app {
namespace {

using Properties = std::vector<std::pair<std::string, std::string>>;

std::string property_key(const std::string& name) {
  return std::string(kKafkaPropertiesTable) + "." + name;
}

[[noreturn]] void blame(const Config& config, const std::string& name, const std::string& problem) {
  const std::string key = property_key(name);
  throw ConfigError(key, std::string(config.origin(key)), problem);
}

// Each property on a scratch configuration (whether a property suits a
// client kind only matters when the client is created, in check_clients()):
// librdkafka names an unknown property or a bad value.
void check_each(const Config& config) {
  for (const auto& [name, value] : config.kafka.properties) {
    const kafka::ConfHandle scratch(rd_kafka_conf_new());
    std::array<char, 512> errstr{};
    if (rd_kafka_conf_set(scratch.get(), name.c_str(), value.c_str(), errstr.data(),
                          errstr.size()) != RD_KAFKA_CONF_OK) {
      blame(config, name, std::string("librdkafka refuses it: ") + errstr.data());
    }
  }
}

// ssl.ca.location, ssl.key.location, ...: librdkafka reports a missing file
// only as an OpenSSL error code, so say it plainly first.
void check_locations(const Config& config) {
  for (const auto& [name, value] : config.kafka.properties) {
    if (!name.ends_with(".location") || value.empty() || value == "probe") continue;
    std::error_code ec;
    if (!std::filesystem::exists(value, ec)) blame(config, name, "no such file: " + value);
  }
}

// The user property a librdkafka consistency error is about: the one its
// reason names, else the one that chose the failing SASL or TLS feature.
std::string culprit(const Config& config, const std::string& reason) {
  const Properties& props = config.kafka.properties;
  std::string named;
  std::size_t named_at = std::string::npos;
  for (const auto& [name, value] : props) {
    const auto at = reason.find(name);
    if (at < named_at) {
      named = name;
      named_at = at;
    }
  }
  if (!named.empty()) return named;
  const auto has = [&](const std::string& n) {
    for (const auto& p : props) {
      if (p.first == n) return true;
    }
    return false;
  };
  std::string lower = reason;
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (lower.find("sasl") != std::string::npos && has("sasl.mechanism")) return "sasl.mechanism";
  if (has("security.protocol")) return "security.protocol";
  return props.back().first;
}

// Creates and destroys a client configured with `properties`; never connects
// (no bootstrap servers) and logs nothing. Returns librdkafka's reason on failure.
std::string try_client(rd_kafka_type_t type, const Properties& properties) {
  kafka::KafkaConfig scratch;
  scratch.set_all_for(type, properties);
  rd_kafka_conf_set_log_cb(scratch.raw(), [](const rd_kafka_t*, int, const char*, const char*) {});
  kafka::ConfHandle conf = scratch.release();
  std::array<char, 512> errstr{};
  rd_kafka_t* client = rd_kafka_new(type, conf.get(), errstr.data(), errstr.size());
  if (client == nullptr) return errstr.data();
  (void)conf.release();  // the client owns it now
  rd_kafka_destroy(client);
  return {};
}

// Scratch clients set up as fieldpulse's own: the consumer's group and fetch
// settings, the producers' idempotence (kafka/producer.cpp), then the
// user's properties, which win.
void check_clients(const Config& config) {
  if (config.kafka.properties.empty()) return;
  Properties consumer = config.kafka_consumer_properties();
  std::erase_if(consumer, [](const auto& p) { return p.first == "bootstrap.servers"; });
  Properties producer = {{"enable.idempotence", "true"}, {"acks", "all"}};
  producer.insert(producer.end(), config.kafka.properties.begin(), config.kafka.properties.end());
  std::erase_if(producer, [](const auto& p) { return p.first == "bootstrap.servers"; });
  for (const auto& [type, properties] :
       {std::pair{RD_KAFKA_CONSUMER, &consumer}, std::pair{RD_KAFKA_PRODUCER, &producer}}) {
    std::string reason = try_client(type, *properties);
    if (reason.empty()) continue;
    if (reason.find("kerberos") != std::string::npos &&
        config.origin(property_key("sasl.mechanism")) == "default") {
      reason += " (sasl.mechanism is GSSAPI, Kerberos, unless set)";
    }
    blame(config, culprit(config, reason),
          std::string("librdkafka cannot create a ") +
              (type == RD_KAFKA_CONSUMER ? "consumer" : "producer") +
              " with these properties: " + reason);
  }
}

}  // namespace

void check_kafka_properties(const Config& config) {
  check_each(config);
  check_locations(config);
  check_clients(config);
}

}  // namespace fp::app
