// The checkpoint record layout: chunking, headers, and what counts as a valid header.
#include "ingest/checkpoint_store.h"

#include <gtest/gtest.h>

#include <string>

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
  for (const auto& chunk :
       checkpoint_chunks("g", "t", 12, 0, std::string(kCheckpointChunkBytes + 1, 'x'), 2)) {
    EXPECT_EQ(chunk.key, "g/t/12");
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
