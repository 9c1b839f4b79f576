// Reads a topic from the beginning with librdkafka, for tests that check what reached Kafka.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace fp::test {

struct ConsumedMessage {
  std::optional<std::string> key;  // nullopt: the message had no key
  std::string payload;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
};

// No consumer group: each read() assigns every partition of the topic at the
// beginning, so reads are repeatable and commit nothing.
class KafkaTestConsumer {
 public:
  // `properties`: extra librdkafka settings, e.g. {"isolation.level", "read_uncommitted"}.
  explicit KafkaTestConsumer(std::string bootstrap,
                             std::vector<std::pair<std::string, std::string>> properties = {});

  // Messages of `topic` in arrival order (per partition in offset order) until
  // `count` have arrived or `timeout` passes; may return fewer than `count`.
  std::vector<ConsumedMessage> read(const std::string& topic, std::size_t count,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // Sum over partitions of (high watermark - low watermark): how many messages
  // the topic holds now. Throws on failure.
  std::int64_t message_count(const std::string& topic,
                             std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // The names of every topic the cluster has (a request for all topics, which
  // never creates one). Throws on failure.
  std::vector<std::string> topic_names(
      std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  std::string bootstrap_;
  std::vector<std::pair<std::string, std::string>> properties_;
};

}  // namespace fp::test
