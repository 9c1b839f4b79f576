// The checkpoint record layout: chunking, headers, and what counts as a valid header.
#include "ingest/checkpoint_store.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace fp {
namespace {

TEST(CheckpointChunks, SmallSnapshotIsOneRecordWithItsThroughOffset) {
  const auto chunks = checkpoint_chunks("fieldpulse", "field-reports", 3, 1234, "state", 77);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].key, "fieldpulse/field-reports/3");
  EXPECT_EQ(chunks[0].value, "state");
  const auto h = parse_chunk_header(chunks[0].header);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->generation, 77u);
  EXPECT_EQ(h->index, 0u);
  EXPECT_EQ(h->count, 1u);
  EXPECT_EQ(h->through_offset, 1234);
}

TEST(CheckpointChunks, LargeSnapshotIsCutIntoBoundedChunksThatJoinBack) {
  std::string snapshot(kCheckpointChunkBytes * 2 + 10, '\0');
  for (std::size_t i = 0; i < snapshot.size(); ++i) snapshot[i] = static_cast<char>(i * 7);
  const auto chunks = checkpoint_chunks("g", "r", 0, 9, snapshot, 5);
  ASSERT_EQ(chunks.size(), 3u);
  std::string joined;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    EXPECT_LE(chunks[i].value.size(), kCheckpointChunkBytes);
    const auto h = parse_chunk_header(chunks[i].header);
    ASSERT_TRUE(h.has_value());
    EXPECT_EQ(h->index, i);
    EXPECT_EQ(h->count, 3u);
    joined += chunks[i].value;
  }
  EXPECT_EQ(joined, snapshot);
}

TEST(CheckpointChunks, EmptySnapshotStillRecordsTheOffset) {
  const auto chunks = checkpoint_chunks("g", "r", 1, 0, "", 1);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_TRUE(chunks[0].value.empty());
}

TEST(CheckpointChunks, KeyNamesTheGroupTopicAndPartition) {
  EXPECT_EQ(checkpoint_key("a", "t", 0), "a/t/0");
  EXPECT_NE(checkpoint_key("a", "t", 0), checkpoint_key("b", "t", 0));
}

// A compacted state topic keeps the latest record per key: every chunk of a
// checkpoint needs its own key, or only the last one survives.
TEST(CheckpointChunks, EachChunkHasItsOwnKeyChunkZeroTheCheckpointKey) {
  const auto chunks =
      checkpoint_chunks("g", "t", 12, 0, std::string(kCheckpointChunkBytes * 2 + 1, 'x'), 2);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].key, "g/t/12");
  EXPECT_EQ(chunks[1].key, "g/t/12/1");
  EXPECT_EQ(chunks[2].key, "g/t/12/2");
  for (std::uint32_t i = 0; i < chunks.size(); ++i) {
    EXPECT_EQ(chunks[i].key, checkpoint_chunk_key(checkpoint_key("g", "t", 12), i));
  }
  // A later checkpoint reuses the same keys, so compaction replaces the older one.
  const auto next =
      checkpoint_chunks("g", "t", 12, 5, std::string(kCheckpointChunkBytes + 1, 'y'), 3);
  ASSERT_EQ(next.size(), 2u);
  EXPECT_EQ(next[0].key, chunks[0].key);
  EXPECT_EQ(next[1].key, chunks[1].key);
}

std::string patterned(std::size_t size, int seed) {
  std::string s(size, '\0');
  for (std::size_t i = 0; i < size; ++i)
    s[i] = static_cast<char>(i * 7 + static_cast<std::size_t>(seed));
  return s;
}

void add_all(CheckpointAssembly& assembly, const std::vector<CheckpointChunk>& chunks) {
  for (const auto& c : chunks) assembly.add(c.key, c.header, c.value);
}

TEST(CheckpointAssembly, JoinsTheChunksOfACheckpoint) {
  const std::string snapshot = patterned(kCheckpointChunkBytes * 2 + 10, 1);
  CheckpointAssembly assembly(checkpoint_key("g", "t", 4));
  add_all(assembly, checkpoint_chunks("g", "t", 4, 321, snapshot, 8));
  ASSERT_TRUE(assembly.complete().has_value());
  EXPECT_EQ(assembly.complete()->through_offset, 321);
  EXPECT_EQ(assembly.complete()->snapshot, snapshot);
  EXPECT_FALSE(assembly.foreign_key().has_value());
  ASSERT_TRUE(assembly.last_seen().has_value());
  EXPECT_EQ(assembly.last_seen()->index, 2u);
}

// The earlier layout keyed every chunk with the checkpoint key; state topics
// written that way must still restore.
TEST(CheckpointAssembly, JoinsChunksOfTheEarlierLayoutAllKeyedWithTheCheckpointKey) {
  const std::string key = checkpoint_key("g", "t", 4);
  const std::string snapshot = patterned(kCheckpointChunkBytes * 2 + 10, 2);
  CheckpointAssembly assembly(key);
  for (const auto& c : checkpoint_chunks("g", "t", 4, 77, snapshot, 3)) {
    assembly.add(key, c.header, c.value);
  }
  ASSERT_TRUE(assembly.complete().has_value());
  EXPECT_EQ(assembly.complete()->through_offset, 77);
  EXPECT_EQ(assembly.complete()->snapshot, snapshot);
  EXPECT_FALSE(assembly.foreign_key().has_value());

  // A checkpoint of the new layout written after old ones is the newest.
  const std::string newer = patterned(kCheckpointChunkBytes + 3, 3);
  add_all(assembly, checkpoint_chunks("g", "t", 4, 90, newer, 1));
  ASSERT_TRUE(assembly.complete().has_value());
  EXPECT_EQ(assembly.complete()->through_offset, 90);
  EXPECT_EQ(assembly.complete()->snapshot, newer);
}

TEST(CheckpointAssembly, KeepsThePreviousCheckpointWhenTheNewestIsTorn) {
  const std::string snapshot = patterned(kCheckpointChunkBytes + 1, 4);
  CheckpointAssembly assembly(checkpoint_key("g", "t", 0));
  add_all(assembly, checkpoint_chunks("g", "t", 0, 10, snapshot, 1));
  const std::string newer = patterned(kCheckpointChunkBytes * 2 + 1, 5);
  auto torn = checkpoint_chunks("g", "t", 0, 20, newer, 2);
  torn.pop_back();  // its end never came
  add_all(assembly, torn);
  ASSERT_TRUE(assembly.complete().has_value());
  EXPECT_EQ(assembly.complete()->through_offset, 10);
  EXPECT_EQ(assembly.complete()->snapshot, snapshot);
}

TEST(CheckpointAssembly, SkipsChunksWhoseKeyAndHeaderDisagree) {
  const std::string snapshot = patterned(kCheckpointChunkBytes * 2 + 1, 6);
  auto chunks = checkpoint_chunks("g", "t", 0, 10, snapshot, 1);
  chunks[1].key = checkpoint_chunk_key(checkpoint_key("g", "t", 0), 2);  // says index 1
  CheckpointAssembly assembly(checkpoint_key("g", "t", 0));
  add_all(assembly, chunks);
  EXPECT_FALSE(assembly.complete().has_value());
  EXPECT_FALSE(assembly.foreign_key().has_value());
}

TEST(CheckpointAssembly, NamesRecordsOfAnotherGroupTopicOrPartitionAndIgnoresThem) {
  const std::string ours = checkpoint_key("g", "t", 1);
  for (const std::string& other :
       {checkpoint_key("h", "t", 1), checkpoint_chunk_key(checkpoint_key("h", "t", 1), 2),
        checkpoint_key("g", "u", 1), checkpoint_key("g", "t", 11), ours + "/x", ours + "/01",
        ours + "/", std::string()}) {
    CheckpointAssembly assembly(ours);
    const auto chunks = checkpoint_chunks("g", "t", 1, 5, "state", 1);
    assembly.add(other, chunks[0].header, chunks[0].value);
    EXPECT_FALSE(assembly.complete().has_value()) << other;
    EXPECT_EQ(assembly.foreign_key(), other);
  }
}

TEST(CheckpointHeader, RejectsMalformedHeaders) {
  for (const char* bad : {"", "2 1 0 1 5", "1 1 1 1 5", "1 1 0 0 5", "1 1 0 1 -5", "1 1 0 1",
                          "1 1 0 1 5 extra", "x"}) {
    EXPECT_FALSE(parse_chunk_header(bad).has_value()) << bad;
  }
  EXPECT_TRUE(parse_chunk_header("1 18446744073709551615 2 3 0").has_value());
}

}  // namespace
}  // namespace fp
