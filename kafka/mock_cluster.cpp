#include "kafka/mock_cluster.h"

#include <algorithm>
#include <cstdint>
#include <stdexcept>

#include "kafka/config.h"

namespace fp::kafka {
namespace {

void check(rd_kafka_resp_err_t err, const std::string& what) {
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error(what + ": " + rd_kafka_err2str(err));
  }
}

// The Kafka protocol's key of the Metadata request.
constexpr std::int16_t kMetadataApiKey = 3;
// Metadata v4 is the first with AllowAutoTopicCreation. librdkafka 2.0.2's mock
// cluster announces only v0-v2, whose requests it treats as allowing it: any
// client asking about a missing topic (a consumer, the state reader) had it
// created with 4 partitions. Its handler implements v4 (librdkafka 2.1.0
// announces up to v9 with the same handling of these fields), so announcing it
// makes the cluster create a topic only for a client that allows it, as a
// real broker does.
constexpr std::int16_t kMetadataMaxVersion = 4;

}  // namespace

MockCluster::MockCluster(int brokers) : brokers_(brokers) {
  if (brokers < 1 || brokers > 16) throw std::invalid_argument("broker count must be in 1..16");
  KafkaConfig config;
  // The owning handle never connects anywhere; keep it quiet about that.
  config.set("log_level", "3");
  owner_ = make_client(RD_KAFKA_PRODUCER, std::move(config));
  cluster_ = rd_kafka_mock_cluster_new(owner_.get(), brokers);
  if (cluster_ == nullptr) throw std::runtime_error("cannot start the mock Kafka cluster");
  check(rd_kafka_mock_set_apiversion(cluster_, kMetadataApiKey, 0, kMetadataMaxVersion),
        "cannot set the mock cluster's Metadata versions");
  bootstrap_ = rd_kafka_mock_cluster_bootstraps(cluster_);
}

MockCluster::~MockCluster() {
  if (cluster_ != nullptr) rd_kafka_mock_cluster_destroy(cluster_);
}

void MockCluster::create_topic(const std::string& name, int partitions) {
  check(rd_kafka_mock_topic_create(cluster_, name.c_str(), partitions, std::min(3, brokers_)),
        "cannot create topic " + name);
}

void MockCluster::set_broker_down(int broker_id) {
  check(rd_kafka_mock_broker_set_down(cluster_, broker_id), "broker down");
}

void MockCluster::set_broker_up(int broker_id) {
  check(rd_kafka_mock_broker_set_up(cluster_, broker_id), "broker up");
}

void MockCluster::set_broker_rtt(int broker_id, int rtt_ms) {
  check(rd_kafka_mock_broker_set_rtt(cluster_, broker_id, rtt_ms), "broker rtt");
}

std::vector<MockCluster::TopicSpec> MockCluster::default_topics(int partitions) {
  return {{"field-reports", partitions},
          {"field-reports.dlq", partitions},
          {"field-progress", partitions},
          {"fieldpulse.state", partitions}};
}

}  // namespace fp::kafka
