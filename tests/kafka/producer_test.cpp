// Producer: one delivery result per accepted record with its sequence number, on the
// documented thread; the durable prefix; refusals.
#include "kafka/producer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "kafka/mock_cluster.h"
#include "tests/support/broker_process.h"
#include "tests/support/kafka_test_consumer.h"

namespace fp::kafka {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;

struct Acks {
  std::mutex mutex;
  std::multiset<std::uint64_t> ok;
  std::multiset<std::uint64_t> failed;
  std::set<std::thread::id> threads;

  Producer::OnDelivery callback() {
    return [this](std::uint64_t sequence, rd_kafka_resp_err_t err) {
      std::lock_guard lock(mutex);
      (err == RD_KAFKA_RESP_ERR_NO_ERROR ? ok : failed).insert(sequence);
      threads.insert(std::this_thread::get_id());
    };
  }
};

std::multiset<std::uint64_t> sequences(std::uint64_t first, std::uint64_t last) {
  std::multiset<std::uint64_t> out;
  for (auto t = first; t <= last; ++t) out.insert(t);
  return out;
}

TEST(KafkaConfig, NamesTheRefusedKey) {
  KafkaConfig config;
  try {
    config.set("no.such.key", "1");
    FAIL() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "no.such.key");
    EXPECT_THAT(e.what(), HasSubstr("no.such.key"));
  }
  EXPECT_THROW(config.set("acks", "sometimes"), ConfigError);
  config.set("linger.ms", "7");
  EXPECT_EQ(config.get("linger.ms"), "7");
}

TEST(KafkaConfig, ParsesKeyValue) {
  EXPECT_EQ(parse_property("a.b=c=d"), (Property{"a.b", "c=d"}));
  EXPECT_EQ(parse_property("k="), (Property{"k", ""}));
  EXPECT_THROW(parse_property("novalue"), ConfigError);
  EXPECT_THROW(parse_property("=v"), ConfigError);
}

TEST(Producer, RefusesABadPropertyNamingIt) {
  try {
    Producer producer({"test", {{"bootstrap.servers", "127.0.0.1:1"}, {"batch.size", "-5"}}});
    FAIL() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "batch.size");
  }
}

class ProducerAgainstBroker : public ::testing::Test {
 protected:
  std::vector<Property> properties() const { return {{"bootstrap.servers", broker_.bootstrap()}}; }
  test::BrokerProcess broker_{{"--partitions", "3", "--topic", "out:3"}};
};

TEST_F(ProducerAgainstBroker, CallerThreadGetsEverySequenceOnceOnFlush) {
  Acks acks;
  Producer producer({"test", properties(), acks.callback()});
  for (std::uint64_t n = 1; n <= 500; ++n) {
    const std::string key = "k" + std::to_string(n % 10);
    const std::string value = "v" + std::to_string(n);
    ASSERT_EQ(producer.produce({.topic = "out", .key = key, .value = value}), n);
  }
  ASSERT_TRUE(producer.flush(seconds(60)));
  EXPECT_EQ(producer.produced(), 500U);
  EXPECT_EQ(producer.delivered(), 500U);
  EXPECT_EQ(producer.failed(), 0U);
  EXPECT_EQ(producer.in_flight(), 0U);
  EXPECT_EQ(producer.durable_through(), 500U);
  EXPECT_EQ(acks.ok, sequences(1, 500));
  EXPECT_TRUE(acks.failed.empty());
  EXPECT_EQ(acks.threads, std::set<std::thread::id>{std::this_thread::get_id()});
  EXPECT_EQ(test::KafkaTestConsumer(broker_.bootstrap()).message_count("out"), 500);
}

TEST_F(ProducerAgainstBroker, AnIoContextServesResultsOnItsThreadWithoutPolling) {
  boost::asio::io_context io;
  Acks acks;
  int served = 0;
  Producer producer(io, {"test", properties(), acks.callback(), [&served] { ++served; }});
  for (std::uint64_t n = 1; n <= 300; ++n) {
    producer.produce({.topic = "out", .value = "v" + std::to_string(n)});
  }
  const auto deadline = std::chrono::steady_clock::now() + seconds(60);
  while (producer.durable_through() < 300 && std::chrono::steady_clock::now() < deadline) {
    io.run_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(producer.durable_through(), 300U);
  EXPECT_GT(served, 0);
  std::lock_guard lock(acks.mutex);
  EXPECT_EQ(acks.ok, sequences(1, 300));
  EXPECT_EQ(acks.threads, std::set<std::thread::id>{std::this_thread::get_id()});
}

TEST_F(ProducerAgainstBroker, WritesHeadersToTheGivenPartitionFromABorrowedValue) {
  Producer producer({"test", properties()});
  const std::string value(100'000, 'x');
  const std::array headers{Header{"fp.checkpoint", "1/1"}};
  producer.produce({.topic = "out",
                    .key = "k",
                    .value = value,
                    .partition = 2,
                    .headers = headers,
                    .borrowed = true});
  ASSERT_TRUE(producer.flush(seconds(60)));
  EXPECT_EQ(producer.durable_through(), 1U);
  const auto got = test::KafkaTestConsumer(broker_.bootstrap()).read("out", 1);
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0].partition, 2);
  EXPECT_EQ(got[0].payload, value);
}

TEST_F(ProducerAgainstBroker, RefusesAnOversizedRecordWithoutCallback) {
  Acks acks;
  auto props = properties();
  props.emplace_back("message.max.bytes", "10000");
  Producer producer({"test", props, acks.callback()});
  try {
    producer.produce({.topic = "out", .value = std::string(20000, 'x')});
    FAIL() << "no ProduceError";
  } catch (const ProduceError& e) {
    EXPECT_EQ(e.code(), RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
    EXPECT_THAT(e.what(), HasSubstr("test: cannot produce to out"));
  }
  ASSERT_TRUE(producer.flush(seconds(10)));
  EXPECT_EQ(producer.produced(), 0U);
  EXPECT_TRUE(acks.ok.empty());
  EXPECT_TRUE(acks.failed.empty());
}

TEST(ProducerUnreachable, ReportsEveryRecordAsFailedAndNoneAsDurable) {
  Acks acks;
  Producer producer(
      {"test",
       {{"bootstrap.servers", "127.0.0.1:1"}, {"message.timeout.ms", "1000"}, {"log_level", "0"}},
       acks.callback()});
  for (int n = 1; n <= 5; ++n) producer.produce({.topic = "out", .key = "k", .value = "v"});
  ASSERT_TRUE(producer.flush(seconds(30)));
  EXPECT_EQ(acks.failed, sequences(1, 5));
  EXPECT_EQ(producer.failed(), 5U);
  EXPECT_EQ(producer.delivered(), 0U);
  EXPECT_EQ(producer.durable_through(), 0U);
}

TEST(MockCluster, ServesAProducerInProcessAndCreatesTopics) {
  MockCluster cluster(2);
  EXPECT_EQ(cluster.broker_count(), 2);
  for (const auto& t : MockCluster::default_topics(2)) cluster.create_topic(t.name, t.partitions);
  EXPECT_THROW(cluster.create_topic("field-reports", 2), std::runtime_error);
  Producer producer({"test", {{"bootstrap.servers", cluster.bootstrap()}}});
  producer.produce({.topic = "field-reports", .key = "440823105201", .value = "payload"});
  ASSERT_TRUE(producer.flush(seconds(30)));
  EXPECT_EQ(producer.delivered(), 1U);
  const auto got = test::KafkaTestConsumer(cluster.bootstrap()).read("field-reports", 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].payload, "payload");
  EXPECT_EQ(got[0].key, "440823105201");
}

TEST(MockCluster, RejectsABadBrokerCount) {
  EXPECT_THROW(MockCluster(0), std::invalid_argument);
  EXPECT_THROW(MockCluster(17), std::invalid_argument);
}

}  // namespace
}  // namespace fp::kafka
