#include "tests/support/kafka_test_consumer.h"

#include <stdexcept>
#include <thread>

#include "kafka/config.h"
#include "kafka/handles.h"

namespace fp::test {
namespace {

using Clock = std::chrono::steady_clock;

kafka::KafkaHandle make_consumer(const std::string& bootstrap,
                                 const std::vector<std::pair<std::string, std::string>>& props) {
  kafka::KafkaConfig config;
  config.set("bootstrap.servers", bootstrap)
      .set("group.id", "fieldpulse-test-reader")  // required by the API, never joined
      .set("enable.auto.commit", "false")
      .set("enable.auto.offset.store", "false");
  config.set_all(props);
  return kafka::make_client(RD_KAFKA_CONSUMER, std::move(config));
}

int partition_count(rd_kafka_t* rk, const std::string& topic, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    rd_kafka_topic_t* t = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
    const rd_kafka_metadata_t* raw = nullptr;
    const auto err = rd_kafka_metadata(rk, 0, t, &raw, 5000);
    rd_kafka_topic_destroy(t);
    kafka::MetadataHandle metadata(raw);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR && metadata->topic_cnt == 1 &&
        metadata->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
        metadata->topics[0].partition_cnt > 0) {
      return metadata->topics[0].partition_cnt;
    }
    if (Clock::now() >= deadline) {
      throw std::runtime_error(
          "no metadata for topic " + topic + ": " +
          rd_kafka_err2str(err != RD_KAFKA_RESP_ERR_NO_ERROR ? err : metadata->topics[0].err));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // retry backoff
  }
}

}  // namespace

KafkaTestConsumer::KafkaTestConsumer(std::string bootstrap,
                                     std::vector<std::pair<std::string, std::string>> properties)
    : bootstrap_(std::move(bootstrap)), properties_(std::move(properties)) {}

std::vector<ConsumedMessage> KafkaTestConsumer::read(const std::string& topic, std::size_t count,
                                                     std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  auto rk = make_consumer(bootstrap_, properties_);
  const int partitions = partition_count(rk.get(), topic, timeout);
  kafka::PartitionListHandle assignment(rd_kafka_topic_partition_list_new(partitions));
  for (int p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(assignment.get(), topic.c_str(), p)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  if (const auto err = rd_kafka_assign(rk.get(), assignment.get())) {
    throw std::runtime_error(std::string("assign failed: ") + rd_kafka_err2str(err));
  }
  std::vector<ConsumedMessage> out;
  while (out.size() < count && Clock::now() < deadline) {
    kafka::MessageHandle msg(rd_kafka_consumer_poll(rk.get(), 100));
    if (!msg || msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    ConsumedMessage m;
    if (msg->key != nullptr) m.key.emplace(static_cast<const char*>(msg->key), msg->key_len);
    if (msg->payload != nullptr) m.payload.assign(static_cast<const char*>(msg->payload), msg->len);
    m.partition = msg->partition;
    m.offset = msg->offset;
    out.push_back(std::move(m));
  }
  rd_kafka_consumer_close(rk.get());
  return out;
}

std::int64_t KafkaTestConsumer::message_count(const std::string& topic,
                                              std::chrono::milliseconds timeout) {
  auto rk = make_consumer(bootstrap_, properties_);
  const int partitions = partition_count(rk.get(), topic, timeout);
  std::int64_t total = 0;
  for (int p = 0; p < partitions; ++p) {
    int64_t low = 0;
    int64_t high = 0;
    const auto err = rd_kafka_query_watermark_offsets(rk.get(), topic.c_str(), p, &low, &high,
                                                      static_cast<int>(timeout.count()));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      throw std::runtime_error("watermarks of " + topic + ": " + rd_kafka_err2str(err));
    }
    total += high - low;
  }
  return total;
}

std::vector<std::string> KafkaTestConsumer::topic_names(std::chrono::milliseconds timeout) {
  auto rk = make_consumer(bootstrap_, properties_);
  const rd_kafka_metadata_t* raw = nullptr;
  const auto err = rd_kafka_metadata(rk.get(), 1, nullptr, &raw, static_cast<int>(timeout.count()));
  kafka::MetadataHandle metadata(raw);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error(std::string("cluster metadata: ") + rd_kafka_err2str(err));
  }
  std::vector<std::string> names;
  for (int i = 0; i < metadata->topic_cnt; ++i) names.emplace_back(metadata->topics[i].topic);
  return names;
}

}  // namespace fp::test
