#include "kafka/mock_cluster.h"

#include <algorithm>
#include <stdexcept>

#include "kafka/config.h"

namespace fp::kafka {
namespace {

void check(rd_kafka_resp_err_t err, const std::string& what) {
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error(what + ": " + rd_kafka_err2str(err));
  }
}

}  // namespace

MockCluster::MockCluster(int brokers) : brokers_(brokers) {
  if (brokers < 1 || brokers > 16) throw std::invalid_argument("broker count must be in 1..16");
  KafkaConfig config;
  // The owning handle never connects anywhere; keep it quiet about that.
  config.set("log_level", "3");
  owner_ = make_client(RD_KAFKA_PRODUCER, std::move(config));
  cluster_ = rd_kafka_mock_cluster_new(owner_.get(), brokers);
  if (cluster_ == nullptr) throw std::runtime_error("cannot start the mock Kafka cluster");
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
