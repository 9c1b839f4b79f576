#include "ingest/checkpoint_store.h"

#include <algorithm>
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

// The chunk index a record's key names: 0 for the checkpoint key itself (chunk 0,
// or any chunk of the earlier layout), i for "<checkpoint key>/<i>"; nullopt
// when the key is not one of this checkpoint's.
std::optional<std::uint32_t> key_index(std::string_view key, std::string_view checkpoint_key) {
  if (!key.starts_with(checkpoint_key)) return std::nullopt;
  key.remove_prefix(checkpoint_key.size());
  if (key.empty()) return 0;
  if (key.front() != '/') return std::nullopt;
  key.remove_prefix(1);
  std::uint32_t index = 0;
  if (key.empty() || key.front() == '0' || key.find_first_not_of("0123456789") != key.npos ||
      !parse_number(key, index)) {
    return std::nullopt;
  }
  return index;
}

// One partition being read: its assembly and how far to read.
struct PartitionRead {
  CheckpointAssembly assembly;
  std::int64_t end = 0;  // read up to (excluding) this offset
  bool done = false;
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
    // Asking about a missing state topic must not have the broker create it.
    config.set("allow.auto.create.topics", "false");
    consumer_ = kafka::make_client(RD_KAFKA_CONSUMER, std::move(config));
    rd_kafka_poll_set_consumer(consumer_.get());
  }
  ~StateReader() { rd_kafka_consumer_close(consumer_.get()); }

  // The state topic's partition count; nullopt when the topic does not exist.
  std::optional<int> partition_count(std::chrono::steady_clock::time_point deadline) {
    return topic_partition_count(consumer_.get(), topic_, deadline);
  }

  std::map<std::int32_t, Watermarks> watermarks(std::span<const std::int32_t> partitions,
                                                int timeout_ms) {
    return query_watermarks(consumer_.get(), topic_, partitions, timeout_ms);
  }

  // Reads [start, end) of each partition in `starts`, feeding every checkpoint
  // record to its assembly.
  void read(std::map<std::int32_t, PartitionRead>& reads,
            const std::map<std::int32_t, std::int64_t>& starts,
            std::chrono::steady_clock::time_point deadline) {
    if (starts.empty()) return;
    kafka::PartitionListHandle list(
        rd_kafka_topic_partition_list_new(static_cast<int>(starts.size())));
    for (const auto& [p, start] : starts) {
      rd_kafka_topic_partition_list_add(list.get(), topic_.c_str(), p)->offset = start;
      reads[p].done = false;
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
      auto it = reads.find(m->partition);
      if (it == reads.end() || it->second.done) continue;
      PartitionRead& a = it->second;
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
        a.assembly.add(key, {static_cast<const char*>(value), size},
                       {static_cast<const char*>(m->payload), m->len});
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

std::string checkpoint_chunk_key(std::string_view checkpoint_key, std::uint32_t index) {
  std::string key(checkpoint_key);
  if (index > 0) key += "/" + std::to_string(index);
  return key;
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
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::size_t begin = i * kCheckpointChunkBytes;
    const std::size_t size =
        std::min(kCheckpointChunkBytes, snapshot.size() - std::min(begin, snapshot.size()));
    chunks.push_back({checkpoint_chunk_key(key, i),
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

void CheckpointAssembly::add(std::string_view key, std::string_view header,
                             std::string_view value) {
  const auto index = key_index(key, key_);
  if (!index) {
    foreign_key_ = std::string(key);
    return;
  }
  const auto h = parse_chunk_header(header);
  // Chunk i > 0 of this layout names its index in the key; the earlier layout
  // keyed every chunk with the checkpoint key.
  if (!h || (*index != 0 && *index != h->index)) {
    current_.reset();
    buffer_.clear();
    return;
  }
  add_chunk(*h, value);
}

void CheckpointAssembly::add_chunk(const ChunkHeader& h, std::string_view value) {
  last_seen_ = h;
  if (h.index == 0) {
    current_ = h;
    buffer_.assign(value);
  } else if (current_ && current_->generation == h.generation && current_->count == h.count &&
             h.index == current_->index + 1) {
    current_->index = h.index;
    buffer_.append(value);
  } else {
    current_.reset();  // a torn checkpoint: its start expired or its end never came
    buffer_.clear();
    return;
  }
  if (h.index + 1 == h.count) {
    complete_ = Checkpoint{h.through_offset, std::move(buffer_)};
    buffer_.clear();
    current_.reset();
  }
}

std::map<std::int32_t, Checkpoint> read_latest_checkpoints(
    const std::vector<std::pair<std::string, std::string>>& properties,
    std::string_view state_topic, std::string_view group, std::string_view source_topic,
    std::span<const std::int32_t> partitions, std::chrono::milliseconds timeout) {
  std::map<std::int32_t, Checkpoint> result;
  if (partitions.empty()) return result;
  const auto now = std::chrono::steady_clock::now();
  const auto deadline = now + timeout;
  const int query_ms = static_cast<int>(std::max<std::int64_t>(timeout.count() / 2, 1000));
  StateReader reader(properties, state_topic);
  // Checkpoint of source partition P goes to state partition P: a state topic
  // with too few partitions could neither give back nor take those checkpoints.
  const std::int32_t needed = *std::max_element(partitions.begin(), partitions.end()) + 1;
  const auto have = reader.partition_count(now + std::chrono::milliseconds(query_ms));
  if (!have) {
    // Left to the first checkpoint, the producer would have the broker create
    // it with its default partition count, and the instance would fail then.
    throw std::runtime_error("the state topic " + std::string(state_topic) +
                             " does not exist: create it with at least as many partitions as " +
                             std::string(source_topic) + " (" + std::to_string(needed) +
                             " or more; deploy/kafka/create-topics.sh) or name another one with "
                             "kafka.topics.state");
  }
  if (*have < needed) {
    throw std::runtime_error(
        "the state topic " + std::string(state_topic) + " has " + std::to_string(*have) +
        " partitions, but " + std::string(source_topic) + " needs " + std::to_string(needed) +
        " (this instance was assigned its partition " + std::to_string(needed - 1) +
        ", whose checkpoints go to state partition " + std::to_string(needed - 1) +
        "): the state topic needs at least as many partitions as the reports "
        "topic; add partitions to it or name another one with kafka.topics.state");
  }
  std::map<std::int32_t, std::pair<std::int64_t, std::int64_t>> marks;
  for (const auto& [p, wm] : reader.watermarks(partitions, query_ms)) {
    if (wm.high > wm.low) marks[p] = {wm.low, wm.high};
  }
  // Pass 1: the newest record. Normally the last chunk of this group's newest
  // checkpoint, which says where that checkpoint starts.
  std::map<std::int32_t, std::int64_t> starts;
  std::map<std::int32_t, PartitionRead> last;
  for (const auto& [p, wm] : marks) {
    starts[p] = wm.second - 1;
    last[p] = {CheckpointAssembly(checkpoint_key(group, source_topic, p)), wm.second};
  }
  reader.read(last, starts, deadline);
  starts.clear();
  for (const auto& [p, wm] : marks) {
    CheckpointAssembly& a = last[p].assembly;
    if (a.complete()) {  // a single-chunk checkpoint
      result.emplace(p, std::move(*a.complete()));
      continue;
    }
    // Read from the first chunk of the newest checkpoint when its last chunk
    // says where that is. Otherwise (the newest record is another consumer
    // group's, as when several groups share the state topic, or a write was
    // torn) from the oldest retained record.
    starts[p] = wm.first;
    if (a.last_seen() && a.last_seen()->index + 1 == a.last_seen()->count) {
      const std::int64_t first = wm.second - 1 - static_cast<std::int64_t>(a.last_seen()->index);
      if (first >= wm.first) starts[p] = first;
    }
  }
  // Pass 2: whole checkpoints; pass 3, from the oldest record, where pass 2
  // started later and found none complete (another group's records can sit
  // between the chunks of ours).
  for (int pass = 2; pass <= 3 && !starts.empty(); ++pass) {
    std::map<std::int32_t, PartitionRead> whole;
    for (const auto& [p, start] : starts) {
      whole[p] = {CheckpointAssembly(checkpoint_key(group, source_topic, p)), marks[p].second};
    }
    reader.read(whole, starts, deadline);
    std::map<std::int32_t, std::int64_t> again;
    for (auto& [p, r] : whole) {
      if (r.assembly.complete()) {
        result.emplace(p, std::move(*r.assembly.complete()));
      } else if (starts[p] > marks[p].first) {
        again[p] = marks[p].first;
      }
    }
    starts = std::move(again);
  }
  return result;
}

}  // namespace fp
