#include "ingest/watermarks.h"

#include <algorithm>
#include <stdexcept>
#include <thread>

#include "kafka/handles.h"

namespace fp {

namespace {

// ListOffsets timestamps with a special meaning (Kafka protocol).
constexpr std::int64_t kLatest = -1;
constexpr std::int64_t kEarliest = -2;

kafka::PartitionListHandle ask(rd_kafka_t* client, const std::string& topic,
                               std::span<const std::int32_t> partitions, std::int64_t which,
                               int timeout_ms) {
  kafka::PartitionListHandle list(
      rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (const auto p : partitions) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset = which;
  }
  const auto err = rd_kafka_offsets_for_times(client, list.get(), timeout_ms);
  if (err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC || err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
    return nullptr;
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error("cannot read the offsets of " + topic + ": " + rd_kafka_err2str(err));
  }
  return list;
}

}  // namespace

std::map<std::int32_t, Watermarks> query_watermarks(rd_kafka_t* client, const std::string& topic,
                                                    std::span<const std::int32_t> partitions,
                                                    int timeout_ms) {
  std::map<std::int32_t, Watermarks> result;
  if (partitions.empty()) return result;
  const auto low = ask(client, topic, partitions, kEarliest, timeout_ms);
  if (!low) return result;
  const auto high = ask(client, topic, partitions, kLatest, timeout_ms);
  if (!high) return result;
  const auto unknown = [](rd_kafka_resp_err_t e) {
    return e == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
           e == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION;
  };
  for (int i = 0; i < low->cnt; ++i) {
    const auto& l = low->elems[i];
    const auto* h = rd_kafka_topic_partition_list_find(high.get(), topic.c_str(), l.partition);
    const auto herr = h != nullptr ? h->err : RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION;
    if (unknown(l.err) || unknown(herr)) continue;
    if (l.err != RD_KAFKA_RESP_ERR_NO_ERROR || herr != RD_KAFKA_RESP_ERR_NO_ERROR) {
      throw std::runtime_error(
          "cannot read the offsets of " + topic + "[" + std::to_string(l.partition) +
          "]: " + rd_kafka_err2str(l.err != RD_KAFKA_RESP_ERR_NO_ERROR ? l.err : herr));
    }
    result[l.partition] = Watermarks{l.offset, h->offset};
  }
  return result;
}

}  // namespace fp

namespace fp {

std::optional<int> topic_partition_count(rd_kafka_t* client, const std::string& topic,
                                         std::chrono::steady_clock::time_point deadline) {
  while (true) {
    const int wait_ms = static_cast<int>(std::max<std::int64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                              std::chrono::steady_clock::now())
            .count(),
        1));
    rd_kafka_topic_t* handle = rd_kafka_topic_new(client, topic.c_str(), nullptr);
    const rd_kafka_metadata_t* raw = nullptr;
    const auto err = rd_kafka_metadata(client, 0, handle, &raw, wait_ms);
    rd_kafka_topic_destroy(handle);
    const kafka::MetadataHandle metadata(raw);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      throw std::runtime_error("cannot read the metadata of " + topic + ": " +
                               rd_kafka_err2str(err));
    }
    const auto topic_err =
        metadata->topic_cnt == 1 ? metadata->topics[0].err : RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC;
    if (topic_err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
        topic_err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC) {
      return std::nullopt;
    }
    if (metadata->topics[0].partition_cnt > 0) return metadata->topics[0].partition_cnt;
    // No partitions yet (e.g. LEADER_NOT_AVAILABLE while the topic is being created).
    if (std::chrono::steady_clock::now() >= deadline) {
      throw std::runtime_error("cannot read the metadata of " + topic + ": " +
                               rd_kafka_err2str(topic_err));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // retry backoff
  }
}

}  // namespace fp
