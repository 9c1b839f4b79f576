// Low and high watermarks of many partitions in two broker requests.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <map>
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

}  // namespace fp
