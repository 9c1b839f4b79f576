// `fieldpulse broker`: starts, announces its bootstrap list, serves Kafka clients, stops cleanly.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <stdexcept>
#include <string>

#include "tests/support/broker_process.h"
#include "tests/support/kafka_test_consumer.h"
#include "tests/support/subprocess.h"

namespace fp::test {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

TEST(BrokerCommand, PrintsBootstrapLineAndWritesTheFile) {
  BrokerProcess broker({"--brokers", "2"});
  EXPECT_THAT(broker.bootstrap(), MatchesRegex(R"(127\.0\.0\.1:[0-9]+,127\.0\.0\.1:[0-9]+)"));
  EXPECT_EQ(read_file(broker.bootstrap_file()), broker.bootstrap());
  EXPECT_EQ(broker.stop(SIGTERM), 0);
}

TEST(BrokerCommand, CreatesDefaultAndExtraTopicsEmpty) {
  BrokerProcess broker({"--partitions", "3", "--topic", "extra-topic:2", "--topic", "plain"});
  KafkaTestConsumer consumer(broker.bootstrap());
  for (const char* topic : {"field-reports", "field-reports.dlq", "field-progress",
                            "fieldpulse.state", "extra-topic", "plain"}) {
    EXPECT_EQ(consumer.message_count(topic), 0) << topic;
  }
  EXPECT_EQ(broker.stop(SIGTERM), 0);
}

TEST(BrokerCommand, ExitsZeroOnSigterm) {
  BrokerProcess broker;
  EXPECT_EQ(broker.stop(SIGTERM), 0);
}

TEST(BrokerCommand, ExitsZeroOnSigint) {
  BrokerProcess broker;
  EXPECT_EQ(broker.stop(SIGINT), 0);
}

struct BadFlag {
  std::vector<std::string> args;
  std::string named;
};

class BrokerBadFlag : public ::testing::TestWithParam<BadFlag> {};

TEST_P(BrokerBadFlag, ExitsTwoNamingTheFlag) {
  std::vector<std::string> argv = {fieldpulse_binary(), "broker"};
  argv.insert(argv.end(), GetParam().args.begin(), GetParam().args.end());
  Subprocess cli(argv);
  EXPECT_EQ(cli.wait_for_exit(seconds(30)), 2);
  EXPECT_THAT(cli.stderr_text() + cli.stdout_text(), HasSubstr(GetParam().named));
}

INSTANTIATE_TEST_SUITE_P(Flags, BrokerBadFlag,
                         ::testing::Values(BadFlag{{"--brokers", "0"}, "--brokers"},
                                           BadFlag{{"--brokers", "17"}, "--brokers"},
                                           BadFlag{{"--brokers", "three"}, "--brokers"},
                                           BadFlag{{"--partitions", "0"}, "--partitions"},
                                           BadFlag{{"--partitions", "1001"}, "--partitions"},
                                           BadFlag{{"--topic", "bad name"}, "--topic"},
                                           BadFlag{{"--topic", "t:0"}, "--topic"},
                                           BadFlag{{"--topic", "t:x"}, "--topic"},
                                           BadFlag{{"--no-such-flag"}, "--no-such-flag"}));

// As on a real broker, a Metadata request creates a missing topic only when
// the client allows it (librdkafka consumers do not by default).
TEST(BrokerCommand, AConsumerAskingForAMissingTopicDoesNotCreateIt) {
  BrokerProcess broker({"--brokers", "1"});
  KafkaTestConsumer consumer(broker.bootstrap());
  EXPECT_THROW(consumer.message_count("absent-topic", seconds(1)), std::runtime_error);
  const auto topics = consumer.topic_names();
  EXPECT_THAT(topics, ::testing::Contains("fieldpulse.state"));
  EXPECT_THAT(topics, ::testing::Not(::testing::Contains("absent-topic")));

  KafkaTestConsumer allowing(broker.bootstrap(), {{"allow.auto.create.topics", "true"}});
  EXPECT_EQ(allowing.message_count("allowed-topic"), 0);
  EXPECT_THAT(consumer.topic_names(), ::testing::Contains("allowed-topic"));
  EXPECT_EQ(broker.stop(SIGTERM), 0);
}

TEST(BrokerCommand, HelpSaysWhatItIsNot) {
  Subprocess cli({fieldpulse_binary(), "broker", "--help"});
  EXPECT_EQ(cli.wait_for_exit(seconds(30)), 0);
  EXPECT_THAT(cli.stdout_text(), HasSubstr("NOT a production broker"));
  EXPECT_THAT(cli.stdout_text(), HasSubstr("5 MiB"));
}

}  // namespace
}  // namespace fp::test
