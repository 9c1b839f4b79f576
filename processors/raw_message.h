// A raw message as it enters the processors: its bytes and where they came from.
#pragma once

#include <cstdint>
#include <string_view>

namespace fp {

// Bytes plus where they came from. Views stay valid for the batch only.
struct RawMessage {
  std::string_view payload;
  std::string_view key;
  std::string_view topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::int64_t timestamp_ms = 0;  // Kafka message timestamp (latency metric)
};

}  // namespace fp
