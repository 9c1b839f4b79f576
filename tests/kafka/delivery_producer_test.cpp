// DeliveryProducer: one report per accepted message with its token, on the documented thread.
#include "kafka/delivery_producer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

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

  DeliveryProducer::DeliveryCallback callback() {
    return [this](std::uint64_t token, rd_kafka_resp_err_t err) {
      std::lock_guard lock(mutex);
      (err == RD_KAFKA_RESP_ERR_NO_ERROR ? ok : failed).insert(token);
      threads.insert(std::this_thread::get_id());
    };
  }
};

std::multiset<std::uint64_t> tokens(std::uint64_t first, std::uint64_t last) {
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

TEST(DeliveryProducer, RefusesABadPropertyNamingIt) {
  try {
    DeliveryProducer producer({"127.0.0.1:1", {{"batch.size", "-5"}}, {}, {}});
    FAIL() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "batch.size");
  }
}

class DeliveryProducerAgainstBroker : public ::testing::Test {
 protected:
  test::BrokerProcess broker_{{"--partitions", "3", "--topic", "out:3"}};
};

TEST_F(DeliveryProducerAgainstBroker, CallerThreadGetsEveryTokenOnceOnFlush) {
  Acks acks;
  DeliveryProducer producer(
      {broker_.bootstrap(), {}, acks.callback(), DeliveryProducer::CallbackThread::kCaller});
  for (std::uint64_t t = 1; t <= 500; ++t) {
    ASSERT_EQ(producer.produce("out", "k" + std::to_string(t % 10), "v" + std::to_string(t), t),
              RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  ASSERT_TRUE(producer.flush(seconds(60)));
  const auto counts = producer.counts();
  EXPECT_EQ(counts.sent, 500u);
  EXPECT_EQ(counts.delivered, 500u);
  EXPECT_EQ(counts.failed, 0u);
  EXPECT_EQ(counts.in_flight(), 0u);
  EXPECT_EQ(acks.ok, tokens(1, 500));
  EXPECT_TRUE(acks.failed.empty());
  EXPECT_EQ(acks.threads, std::set<std::thread::id>{std::this_thread::get_id()});
  EXPECT_EQ(test::KafkaTestConsumer(broker_.bootstrap()).message_count("out"), 500);
}

TEST_F(DeliveryProducerAgainstBroker, BackgroundThreadGetsEveryTokenWithoutPolling) {
  Acks acks;
  DeliveryProducer producer(
      {broker_.bootstrap(), {}, acks.callback(), DeliveryProducer::CallbackThread::kBackground});
  for (std::uint64_t t = 1; t <= 300; ++t) {
    ASSERT_EQ(producer.produce("out", std::nullopt, "v" + std::to_string(t), t),
              RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  ASSERT_TRUE(producer.flush(seconds(60)));
  std::lock_guard lock(acks.mutex);
  EXPECT_EQ(acks.ok, tokens(1, 300));
  EXPECT_EQ(acks.threads.count(std::this_thread::get_id()), 0u);
  EXPECT_EQ(producer.counts().delivered, 300u);
}

TEST_F(DeliveryProducerAgainstBroker, WakesAnEventLoopWhenReportsAreReady) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  Acks acks;
  {
    DeliveryProducer producer(
        {broker_.bootstrap(), {}, acks.callback(), DeliveryProducer::CallbackThread::kCaller});
    producer.wake_on_report(fds[1]);
    ASSERT_EQ(producer.produce("out", "k", "v", 42), RD_KAFKA_RESP_ERR_NO_ERROR);
    pollfd readable{fds[0], POLLIN, 0};
    while (acks.ok.empty()) {
      ASSERT_EQ(::poll(&readable, 1, 30000), 1) << "no wake-up within 30 s";
      char drained[64];
      ASSERT_GT(::read(fds[0], drained, sizeof drained), 0);
      producer.poll(std::chrono::milliseconds(0));
    }
    EXPECT_EQ(acks.ok, tokens(42, 42));
  }
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST_F(DeliveryProducerAgainstBroker, RefusesAnOversizedMessageWithoutCallback) {
  Acks acks;
  DeliveryProducer producer({broker_.bootstrap(),
                             {{"message.max.bytes", "10000"}},
                             acks.callback(),
                             DeliveryProducer::CallbackThread::kCaller});
  EXPECT_EQ(producer.produce("out", std::nullopt, std::string(20000, 'x'), 1),
            RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
  ASSERT_TRUE(producer.flush(seconds(10)));
  EXPECT_EQ(producer.counts().sent, 0u);
  EXPECT_EQ(producer.counts().failed, 1u);
  EXPECT_TRUE(acks.ok.empty());
  EXPECT_TRUE(acks.failed.empty());
}

TEST(DeliveryProducerUnreachable, ReportsEveryTokenAsFailed) {
  Acks acks;
  DeliveryProducer producer({"127.0.0.1:1",
                             {{"message.timeout.ms", "1000"}, {"log_level", "0"}},
                             acks.callback(),
                             DeliveryProducer::CallbackThread::kCaller});
  for (std::uint64_t t = 10; t <= 14; ++t) producer.produce("out", "k", "v", t);
  ASSERT_TRUE(producer.flush(seconds(30)));
  EXPECT_EQ(acks.failed, tokens(10, 14));
  EXPECT_EQ(producer.counts().failed, 5u);
  EXPECT_EQ(producer.counts().delivered, 0u);
}

TEST(MockCluster, ServesAProducerInProcessAndCreatesTopics) {
  MockCluster cluster(2);
  EXPECT_EQ(cluster.broker_count(), 2);
  for (const auto& t : MockCluster::default_topics(2)) cluster.create_topic(t.name, t.partitions);
  EXPECT_THROW(cluster.create_topic("field-reports", 2), std::runtime_error);
  DeliveryProducer producer({cluster.bootstrap(), {}, {}, {}});
  producer.produce("field-reports", "440823105201", "payload", 0);
  ASSERT_TRUE(producer.flush(seconds(30)));
  EXPECT_EQ(producer.counts().delivered, 1u);
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
