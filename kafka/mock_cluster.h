// An in-process Kafka-protocol cluster on loopback (librdkafka's mock cluster) for
// development, tests and `fieldpulse demo`.
#pragma once

#include <librdkafka/rdkafka.h>
// rdkafka_mock.h must come after rdkafka.h.
#include <librdkafka/rdkafka_mock.h>

#include <string>
#include <vector>

#include "kafka/handles.h"

namespace fp::kafka {

// What it is: N brokers listening on 127.0.0.1 ephemeral ports that speak the
// Kafka protocol well enough for any client (kcat, librdkafka, Java): produce,
// fetch, consumer groups, offset commits, idempotence and transactions.
//
// What it is not: a production broker. librdkafka 2.0.2's mock cluster keeps
// only the newest ~5 MiB (or 100,000 batches) of each partition, never
// compacts, and keeps nothing on disk: everything is gone when it stops.
// Offsets older than what it keeps fail with OFFSET_OUT_OF_RANGE. Like a real
// broker it creates a missing topic (with 4 partitions) only for a Metadata
// request that allows it (allow.auto.create.topics; consumers do not by default).
//
// Threads: the cluster runs on its own librdkafka thread; this object may be
// used from any one thread at a time.
class MockCluster {
 public:
  struct TopicSpec {
    std::string name;
    int partitions = 1;
  };

  // Starts `brokers` brokers (1..16). Throws std::runtime_error on failure.
  explicit MockCluster(int brokers);
  ~MockCluster();
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  // Creates a topic; replication factor is min(3, brokers). Throws on failure.
  void create_topic(const std::string& name, int partitions);

  // "127.0.0.1:port,127.0.0.1:port,..."
  const std::string& bootstrap() const noexcept { return bootstrap_; }
  int broker_count() const noexcept { return brokers_; }

  // Fault injection (rdkafka_mock.h): broker ids are 1..broker_count().
  void set_broker_down(int broker_id);
  void set_broker_up(int broker_id);
  void set_broker_rtt(int broker_id, int rtt_ms);
  rd_kafka_mock_cluster_t* raw() noexcept { return cluster_; }

  // The topics fieldpulse uses, each with `partitions` partitions:
  // field-reports, field-reports.dlq, field-progress, fieldpulse.state.
  static std::vector<TopicSpec> default_topics(int partitions);

 private:
  int brokers_;
  KafkaHandle owner_;  // the handle the mock cluster lives on
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  std::string bootstrap_;
};

}  // namespace fp::kafka
