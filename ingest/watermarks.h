// Low and high watermarks of many partitions in two broker requests.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>

namespace fp {

struct Watermarks {
  std::int64_t low = 0;   // oldest offset the broker still holds
  std::int64_t high = 0;  // next offset to be written
};

// Uses ListOffsets with the special timestamps "earliest" and "latest" for
// every partition at once (rd_kafka_query_watermark_offsets asks per
// partition, which is slow with many). Partitions the broker does not know are
// absent. Blocking; throws std::runtime_error on other failures.
std::map<std::int32_t, Watermarks> query_watermarks(rd_kafka_t* client, const std::string& topic,
                                                    std::span<const std::int32_t> partitions,
                                                    int timeout_ms);

// A topic's partition count from the brokers' metadata; nullopt when the topic
// does not exist. Retries while the topic has no partitions yet (being created)
// until `deadline`; throws std::runtime_error when the metadata cannot be read.
std::optional<int> topic_partition_count(rd_kafka_t* client, const std::string& topic,
                                         std::chrono::steady_clock::time_point deadline);

}  // namespace fp
