// read_latest_checkpoints against a Kafka-protocol broker (the in-process mock
// cluster): records of both key layouts, and state topics it must refuse.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "ingest/checkpoint_store.h"
#include "kafka/config.h"
#include "kafka/handles.h"
#include "kafka/mock_cluster.h"

namespace fp {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;

constexpr std::chrono::milliseconds kTimeout = seconds(20);

struct Record {
  std::int32_t partition = 0;
  std::string key;
  std::string header;
  std::string value;
};

// Produces every record in order and waits until all are acknowledged.
void produce(const std::string& bootstrap, const std::string& topic,
             const std::vector<Record>& records) {
  kafka::KafkaConfig config;
  config.set("bootstrap.servers", bootstrap).set("enable.idempotence", "true");
  auto producer = kafka::make_client(RD_KAFKA_PRODUCER, std::move(config));
  for (const auto& r : records) {
    const auto err = rd_kafka_producev(
        producer.get(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(r.partition),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(r.key.data(), r.key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(r.value.data()), r.value.size()),
        RD_KAFKA_V_HEADER(kCheckpointHeader.data(), r.header.data(),
                          static_cast<ssize_t>(r.header.size())),
        RD_KAFKA_V_END);
    ASSERT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(err);
  }
  ASSERT_EQ(rd_kafka_flush(producer.get(), 30000), RD_KAFKA_RESP_ERR_NO_ERROR);
}

// The records of a checkpoint as this layout writes them, or (`earlier`) with
// every chunk keyed with the checkpoint key, as the layout before it did.
std::vector<Record> records(std::string_view group, std::string_view topic, std::int32_t partition,
                            std::int64_t through, const std::string& snapshot,
                            std::uint64_t generation, bool earlier = false) {
  std::vector<Record> out;
  for (const auto& c : checkpoint_chunks(group, topic, partition, through, snapshot, generation)) {
    out.push_back({partition, earlier ? checkpoint_key(group, topic, partition) : c.key, c.header,
                   std::string(c.value)});
  }
  return out;
}

std::string patterned(std::size_t size, int seed) {
  std::string s(size, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    s[i] = static_cast<char>(i * 13 + static_cast<std::size_t>(seed));
  }
  return s;
}

std::map<std::int32_t, Checkpoint> read(const kafka::MockCluster& cluster, const std::string& topic,
                                        const std::vector<std::int32_t>& partitions,
                                        const std::string& group = "g") {
  return read_latest_checkpoints({{"bootstrap.servers", cluster.bootstrap()}}, topic, group,
                                 "field-reports", partitions, kTimeout);
}

TEST(ReadLatestCheckpoints, RestoresMultiChunkCheckpointsOfBothKeyLayouts) {
  kafka::MockCluster cluster(1);
  cluster.create_topic("state", 3);
  const std::string old_a = patterned(kCheckpointChunkBytes * 2 + 5, 1);
  const std::string old_b = patterned(kCheckpointChunkBytes + 9, 2);
  const std::string new_b = patterned(kCheckpointChunkBytes * 2 + 1, 3);
  const std::string new_c = patterned(kCheckpointChunkBytes + 2, 4);
  std::vector<Record> all;
  // Partition 0: only checkpoints of the earlier layout; the newest is read.
  for (auto r : records("g", "field-reports", 0, 10, patterned(40, 9), 1, true)) all.push_back(r);
  for (auto r : records("g", "field-reports", 0, 20, old_a, 2, true)) all.push_back(r);
  // Partition 1: the earlier layout, then this one.
  for (auto r : records("g", "field-reports", 1, 30, old_b, 3, true)) all.push_back(r);
  for (auto r : records("g", "field-reports", 1, 40, new_b, 4)) all.push_back(r);
  // Partition 2: this layout after a longer checkpoint of it.
  for (auto r : records("g", "field-reports", 2, 50, new_b, 5)) all.push_back(r);
  for (auto r : records("g", "field-reports", 2, 60, new_c, 6)) all.push_back(r);
  produce(cluster.bootstrap(), "state", all);

  const auto got = read(cluster, "state", {0, 1, 2});
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got.at(0).through_offset, 20);
  EXPECT_EQ(got.at(0).snapshot, old_a);
  EXPECT_EQ(got.at(1).through_offset, 40);
  EXPECT_EQ(got.at(1).snapshot, new_b);
  EXPECT_EQ(got.at(2).through_offset, 60);
  EXPECT_EQ(got.at(2).snapshot, new_c);
}

TEST(ReadLatestCheckpoints, GroupsSharingAStateTopicEachReadOnlyTheirOwn) {
  kafka::MockCluster cluster(1);
  cluster.create_topic("state", 2);
  const std::string ours_old = patterned(kCheckpointChunkBytes + 3, 1);
  const std::string ours = patterned(kCheckpointChunkBytes * 2 + 7, 2);
  const std::string theirs = patterned(kCheckpointChunkBytes * 2 + 1, 3);
  const auto a = records("g", "field-reports", 0, 10, ours_old, 1);
  const auto b = records("g", "field-reports", 0, 20, ours, 2);
  const auto c = records("other", "field-reports", 0, 99, theirs, 7);
  // Partition 0: our newer checkpoint's chunks interleaved with another
  // group's, whose records come last. Partition 1: only the other group's.
  std::vector<Record> all(a);
  all.push_back(b[0]);
  all.push_back(c[0]);
  all.push_back(b[1]);
  all.push_back(c[1]);
  all.push_back(b[2]);
  all.push_back(c[2]);
  for (auto r : records("other", "field-reports", 1, 5, patterned(10, 4), 8)) all.push_back(r);
  produce(cluster.bootstrap(), "state", all);

  const auto got = read(cluster, "state", {0, 1});
  ASSERT_EQ(got.size(), 1u);  // nothing of ours on partition 1: a fresh start there
  EXPECT_EQ(got.at(0).through_offset, 20);
  EXPECT_EQ(got.at(0).snapshot, ours);
  const auto other = read(cluster, "state", {0, 1}, "other");
  ASSERT_EQ(other.size(), 2u);
  EXPECT_EQ(other.at(0).through_offset, 99);
  EXPECT_EQ(other.at(0).snapshot, theirs);
  EXPECT_EQ(other.at(1).through_offset, 5);
}

TEST(ReadLatestCheckpoints, OurLastChunkAfterAnotherGroupsRecordsStillFindsItsStart) {
  kafka::MockCluster cluster(1);
  cluster.create_topic("state", 1);
  const std::string ours = patterned(kCheckpointChunkBytes * 2 + 7, 2);
  const auto b = records("g", "field-reports", 0, 20, ours, 2);
  const auto c = records("other", "field-reports", 0, 99, patterned(50, 3), 7);
  // Ours ends the partition, but another group's record sits between its chunks,
  // so "last chunk index back from the end" points past its first chunk.
  produce(cluster.bootstrap(), "state", {b[0], b[1], c[0], b[2]});
  const auto got = read(cluster, "state", {0});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got.at(0).through_offset, 20);
  EXPECT_EQ(got.at(0).snapshot, ours);
}

TEST(ReadLatestCheckpoints, RefusesAStateTopicWithFewerPartitionsThanAssigned) {
  kafka::MockCluster cluster(1);
  cluster.create_topic("small-state", 2);
  EXPECT_TRUE(read(cluster, "small-state", {0, 1}).empty());
  try {
    read(cluster, "small-state", {1, 4, 2});
    FAIL() << "partitions 2 and 4 have nowhere to keep their checkpoints";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("small-state has 2 partitions"));
    EXPECT_THAT(e.what(), HasSubstr("field-reports needs 5"));
    EXPECT_THAT(e.what(), HasSubstr("kafka.topics.state"));
  }
}

// A real broker answers a consumer's look-up of a missing topic with
// UNKNOWN_TOPIC_OR_PART (consumers do not ask it to create topics). Left to
// the first checkpoint, the broker would create it with its default partition
// count, so the instance stops at once and says how to create it.
TEST(ReadLatestCheckpoints, AStateTopicThatDoesNotExistIsRefusedSayingHowToCreateIt) {
  kafka::MockCluster cluster(1);
  rd_kafka_mock_topic_set_error(cluster.raw(), "gone-state",
                                RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
  try {
    read(cluster, "gone-state", {0, 7});
    FAIL() << "a missing state topic was taken for an empty one";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("the state topic gone-state does not exist"));
    EXPECT_THAT(e.what(), HasSubstr("8 or more"));
    EXPECT_THAT(e.what(), HasSubstr("kafka.topics.state"));
  }
}

// The embedded broker answers like a real one: the reader's look-up of a
// topic it does not have is refused, and creates nothing, so the topic is
// still missing when asked again.
TEST(ReadLatestCheckpoints, AStateTopicTheEmbeddedBrokerDoesNotHaveIsRefusedAndNotCreated) {
  kafka::MockCluster cluster(1);
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      read(cluster, "new-state", {0, 3});
      FAIL() << "attempt " << attempt << ": a missing state topic was taken for an empty one";
    } catch (const std::runtime_error& e) {
      EXPECT_THAT(e.what(), HasSubstr("the state topic new-state does not exist")) << attempt;
    }
  }
}

}  // namespace
}  // namespace fp
