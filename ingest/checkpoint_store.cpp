#include "ingest/checkpoint_store.h"

#include <charconv>
#include <stdexcept>

#include "ingest/watermarks.h"
#include "kafka/config.h"

namespace fp {

namespace {

template <typename T>
bool parse_number(std::string_view& text, T& out) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc{} || end == text.data()) return false;
  text.remove_prefix(static_cast<std::size_t>(end - text.data()));
  return true;
}

// Assembles consecutive chunks of one partition, remembering the last complete checkpoint.
struct Assembly {
  std::int64_t end = 0;  // read up to (excluding) this offset
  bool done = false;
  std::optional<ChunkHeader> current;
  std::string buffer;
  std::optional<Checkpoint> complete;
  std::optional<ChunkHeader> last_seen;
  std::string key;          // the records this partition's checkpoints carry
  std::string foreign_key;  // a checkpoint record with another key was read

  void add(const ChunkHeader& h, std::string_view value) {
    last_seen = h;
    if (h.index == 0) {
      current = h;
      buffer.assign(value);
    } else if (current && current->generation == h.generation && h.index == current->index + 1) {
      current->index = h.index;
      buffer.append(value);
    } else {
      current.reset();  // a torn checkpoint: its start expired or its end never came
      buffer.clear();
      return;
    }
    if (h.index + 1 == h.count) {
      complete = Checkpoint{h.through_offset, std::move(buffer)};
      buffer.clear();
      current.reset();
    }
  }
};

class StateReader {
 public:
  StateReader(const std::vector<std::pair<std::string, std::string>>& properties,
              std::string_view state_topic)
      : topic_(state_topic) {
    kafka::KafkaConfig config;
    config.set_all_for(RD_KAFKA_CONSUMER, properties);
    // assign() needs a group name, but this reader never joins or commits.
    config.set("group.id", "fieldpulse.state-reader").set("enable.auto.commit", "false");
    config.set("enable.partition.eof", "true").set("auto.offset.reset", "earliest");
    consumer_ = kafka::make_client(RD_KAFKA_CONSUMER, std::move(config));
    rd_kafka_poll_set_consumer(consumer_.get());
  }
  ~StateReader() { rd_kafka_consumer_close(consumer_.get()); }

  std::map<std::int32_t, Watermarks> watermarks(std::span<const std::int32_t> partitions,
                                                int timeout_ms) {
    return query_watermarks(consumer_.get(), topic_, partitions, timeout_ms);
  }

  // Reads [start, end) of each partition in `ranges`, feeding every chunk to its assembly.
  void read(std::map<std::int32_t, Assembly>& assemblies,
            const std::map<std::int32_t, std::int64_t>& starts,
            std::chrono::steady_clock::time_point deadline) {
    if (starts.empty()) return;
    kafka::PartitionListHandle list(
        rd_kafka_topic_partition_list_new(static_cast<int>(starts.size())));
    for (const auto& [p, start] : starts) {
      rd_kafka_topic_partition_list_add(list.get(), topic_.c_str(), p)->offset = start;
      assemblies[p].done = false;
    }
    if (const auto err = rd_kafka_assign(consumer_.get(), list.get()); err) {
      throw std::runtime_error(std::string("cannot read the state topic: ") +
                               rd_kafka_err2str(err));
    }
    std::size_t remaining = starts.size();
    while (remaining > 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        throw std::runtime_error("timed out reading state checkpoints from " + topic_);
      }
      kafka::MessageHandle m(rd_kafka_consumer_poll(consumer_.get(), 100));
      if (!m) continue;
      auto it = assemblies.find(m->partition);
      if (it == assemblies.end() || it->second.done) continue;
      Assembly& a = it->second;
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        a.done = true;
        --remaining;
        continue;
      }
      if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        throw std::runtime_error("cannot read the state topic: " +
                                 std::string(rd_kafka_message_errstr(m.get())));
      }
      if (m->offset >= a.end) {
        a.done = true;
        --remaining;
        continue;
      }
      rd_kafka_headers_t* headers = nullptr;
      const void* value = nullptr;
      std::size_t size = 0;
      if (rd_kafka_message_headers(m.get(), &headers) == RD_KAFKA_RESP_ERR_NO_ERROR &&
          rd_kafka_header_get_last(headers, kCheckpointHeader.data(), &value, &size) ==
              RD_KAFKA_RESP_ERR_NO_ERROR) {
        const std::string_view key =
            m->key == nullptr ? std::string_view{}
                              : std::string_view{static_cast<const char*>(m->key), m->key_len};
        if (key != a.key) {
          a.foreign_key = key;
        } else if (auto h = parse_chunk_header({static_cast<const char*>(value), size})) {
          a.add(*h, {static_cast<const char*>(m->payload), m->len});
        }
      }
      if (m->offset + 1 >= a.end) {
        a.done = true;
        --remaining;
      }
    }
    rd_kafka_assign(consumer_.get(), nullptr);
  }

 private:
  std::string topic_;
  kafka::KafkaHandle consumer_;
};

}  // namespace

std::string checkpoint_key(std::string_view group, std::string_view source_topic,
                           std::int32_t partition) {
  return std::string(group) + "/" + std::string(source_topic) + "/" + std::to_string(partition);
}

std::vector<CheckpointChunk> checkpoint_chunks(std::string_view group,
                                               std::string_view source_topic,
                                               std::int32_t partition, std::int64_t through_offset,
                                               std::string_view snapshot,
                                               std::uint64_t generation) {
  const std::size_t count =
      snapshot.empty() ? 1 : (snapshot.size() + kCheckpointChunkBytes - 1) / kCheckpointChunkBytes;
  std::vector<CheckpointChunk> chunks;
  chunks.reserve(count);
  const std::string key = checkpoint_key(group, source_topic, partition);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t begin = i * kCheckpointChunkBytes;
    const std::size_t size =
        std::min(kCheckpointChunkBytes, snapshot.size() - std::min(begin, snapshot.size()));
    chunks.push_back({key,
                      "1 " + std::to_string(generation) + " " + std::to_string(i) + " " +
                          std::to_string(count) + " " + std::to_string(through_offset),
                      snapshot.substr(std::min(begin, snapshot.size()), size)});
  }
  return chunks;
}

std::optional<ChunkHeader> parse_chunk_header(std::string_view text) {
  int version = 0;
  ChunkHeader h;
  if (!parse_number(text, version) || version != 1 || !parse_number(text, h.generation) ||
      !parse_number(text, h.index) || !parse_number(text, h.count) ||
      !parse_number(text, h.through_offset) || h.count == 0 || h.index >= h.count ||
      h.through_offset < 0 || !text.empty()) {
    return std::nullopt;
  }
  return h;
}

std::map<std::int32_t, Checkpoint> read_latest_checkpoints(
    const std::vector<std::pair<std::string, std::string>>& properties,
    std::string_view state_topic, std::string_view group, std::string_view source_topic,
    std::span<const std::int32_t> partitions, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const int query_ms = static_cast<int>(std::max<std::int64_t>(timeout.count() / 2, 1000));
  StateReader reader(properties, state_topic);
  std::map<std::int32_t, Assembly> assemblies;
  std::map<std::int32_t, std::pair<std::int64_t, std::int64_t>> marks;
  for (const auto& [p, wm] : reader.watermarks(partitions, query_ms)) {
    if (wm.high > wm.low) marks[p] = {wm.low, wm.high};
  }
  // Pass 1: the newest record. Normally the last chunk of the newest checkpoint,
  // which says where that checkpoint starts.
  std::map<std::int32_t, std::int64_t> starts;
  for (const auto& [p, wm] : marks) {
    starts[p] = wm.second - 1;
    assemblies[p].end = wm.second;
  }
  std::map<std::int32_t, Assembly> last;
  for (const auto& [p, wm] : marks) {
    last[p].end = wm.second;
    last[p].key = assemblies[p].key = checkpoint_key(group, source_topic, p);
  }
  reader.read(last, starts, deadline);
  starts.clear();
  for (const auto& [p, wm] : marks) {
    const Assembly& a = last[p];
    if (!a.foreign_key.empty()) {
      throw std::runtime_error(
          std::string(state_topic) + "[" + std::to_string(p) + "] holds the checkpoints of '" +
          a.foreign_key + "', not of '" + a.key +
          "': give each consumer group its own state topic (kafka.topics.state)");
    }
    if (a.complete) {  // a single-chunk checkpoint
      assemblies[p].complete = a.complete;
      continue;
    }
    // Read from the first chunk of the newest checkpoint when its last chunk
    // says where that is; after a torn write, from the oldest retained record.
    starts[p] = wm.first;
    if (a.last_seen && a.last_seen->index + 1 == a.last_seen->count) {
      const std::int64_t first = wm.second - 1 - static_cast<std::int64_t>(a.last_seen->index);
      if (first >= wm.first) starts[p] = first;
    }
  }
  // Pass 2: whole checkpoints.
  reader.read(assemblies, starts, deadline);
  std::map<std::int32_t, Checkpoint> result;
  for (auto& [p, a] : assemblies) {
    if (a.complete) result.emplace(p, std::move(*a.complete));
  }
  return result;
}

}  // namespace fp
