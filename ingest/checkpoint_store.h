// Per-partition state checkpoints in a Kafka topic (`fieldpulse.state`): how a
// snapshot is cut into records, and how the latest complete one is read back.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fp {

// A source partition's state as of `through_offset` (the next offset to
// process: every message before it is reflected in `snapshot`, none after).
struct Checkpoint {
  std::int64_t through_offset = 0;
  std::string snapshot;
};

// Record layout. Checkpoint of source partition P goes to state partition P
// as `count` records (chunks of at most kCheckpointChunkBytes) carrying the
// header "fp.checkpoint" = "1 <generation> <index> <count> <through_offset>".
// Chunk 0 is keyed "<group>/<source topic>/<P>" (the checkpoint key), chunk
// i > 0 "<group>/<source topic>/<P>/<i>" (the checkpoint key, '/', i in
// decimal). One key per chunk index lets the topic be compacted: compaction
// keeps the latest record of each key, so every chunk of the newest
// checkpoint survives, and as one writer wrote them in a row they stay
// contiguous (chunks of an older, longer checkpoint may also survive, at lower
// offsets, and are never read as part of it). Records of the earlier layout,
// every chunk keyed with the checkpoint key, are still read. A checkpoint is
// self-contained: restore needs only its own chunks, never older records
// (the embedded broker never compacts and keeps ~5 MiB per partition).
inline constexpr std::string_view kCheckpointHeader = "fp.checkpoint";
inline constexpr std::size_t kCheckpointChunkBytes = 512 * 1024UL;

struct CheckpointChunk {
  std::string key;
  std::string header;
  std::string_view value;  // a view into the snapshot
};

// The record key of a checkpoint: whose state it is (consumer group, source topic, partition).
std::string checkpoint_key(std::string_view group, std::string_view source_topic,
                           std::int32_t partition);

// The record key of chunk `index` of a checkpoint keyed `checkpoint_key`.
std::string checkpoint_chunk_key(std::string_view checkpoint_key, std::uint32_t index);

// Cuts a snapshot into records; `generation` tells one checkpoint's chunks from another's.
std::vector<CheckpointChunk> checkpoint_chunks(std::string_view group,
                                               std::string_view source_topic,
                                               std::int32_t partition, std::int64_t through_offset,
                                               std::string_view snapshot, std::uint64_t generation);

struct ChunkHeader {
  std::uint64_t generation = 0;
  std::uint32_t index = 0;
  std::uint32_t count = 0;
  std::int64_t through_offset = 0;
};
std::optional<ChunkHeader> parse_chunk_header(std::string_view text);

// Joins the checkpoint records of one state partition, fed in offset order,
// into the newest complete checkpoint among them. Chunks of a torn checkpoint
// (its start expired, or its end never came) are dropped.
class CheckpointAssembly {
 public:
  CheckpointAssembly() = default;
  // `key`: checkpoint_key() of the source partition whose checkpoints these are.
  explicit CheckpointAssembly(std::string key) : key_(std::move(key)) {}

  // One record with an "fp.checkpoint" header. A record keyed for another
  // group, topic or partition is not used, only remembered (foreign_key()).
  void add(std::string_view key, std::string_view header, std::string_view value);

  const std::string& key() const noexcept { return key_; }
  // The newest checkpoint completed so far.
  std::optional<Checkpoint>& complete() noexcept { return complete_; }
  // The header of the last chunk of ours that was added.
  const std::optional<ChunkHeader>& last_seen() const noexcept { return last_seen_; }
  // The key of the last record that was another's, if any was.
  const std::optional<std::string>& foreign_key() const noexcept { return foreign_key_; }

 private:
  void add_chunk(const ChunkHeader& h, std::string_view value);

  std::string key_;
  std::optional<ChunkHeader> current_;
  std::string buffer_;
  std::optional<Checkpoint> complete_;
  std::optional<ChunkHeader> last_seen_;
  std::optional<std::string> foreign_key_;
};

// Reads the newest complete checkpoint of each partition with a short-lived
// consumer of its own (assign, no group membership, no commits). Partitions
// with none are absent from the result. Several consumer groups may share the
// state topic (contract section 6, 1.1): records keyed for another group are
// skipped, never used. Blocking; throws std::runtime_error when the state
// topic cannot be read within `timeout`, when it has fewer partitions than the
// highest of `partitions` + 1 (checkpoint of P goes to state partition P), and
// when it does not exist (the first checkpoint would have the broker create it
// with its default partition count).
std::map<std::int32_t, Checkpoint> read_latest_checkpoints(
    const std::vector<std::pair<std::string, std::string>>& properties,
    std::string_view state_topic, std::string_view group, std::string_view source_topic,
    std::span<const std::int32_t> partitions, std::chrono::milliseconds timeout);

}  // namespace fp
