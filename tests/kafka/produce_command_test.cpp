// `fieldpulse produce`: what reaches Kafka (payloads, keys), delivery failures and flag errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/support/broker_process.h"
#include "tests/support/kafka_test_consumer.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace fp::test {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAreArray;

std::string report(int i, const std::string& village) {
  return R"({"v":1,"report_id":"r-)" + std::to_string(i) + R"(","cadre_id":"C0001","village":")" +
         village +
         R"(","kind":"household_visit","at":"2019-07-28T09:30:00+08:00","values":{"households":1}})";
}

void write_lines(const std::string& path, const std::vector<std::string>& lines) {
  std::ofstream out(path);
  for (const auto& l : lines) out << l << '\n';
}

std::vector<std::string> produce_args(const std::string& brokers, std::vector<std::string> rest) {
  std::vector<std::string> argv = {fieldpulse_binary(), "produce", "--brokers", brokers};
  argv.insert(argv.end(), rest.begin(), rest.end());
  return argv;
}

class ProduceCommand : public ::testing::Test {
 protected:
  BrokerProcess broker_{{"--partitions", "4"}};
  TempDir dir_;
};

TEST_F(ProduceCommand, SendsEveryLineAsIsKeyedByVillage) {
  const std::vector<std::string> valid = {report(1, "440823105201"), report(2, "440823105202"),
                                          report(3, "440823105201")};
  const std::string not_json = R"(this is not json "village":"440823105201")";
  const std::string truncated = R"({"v":1,"village":"440823105203","kind":)";
  const std::string no_village = R"({"v":1,"report_id":"x"})";
  const std::string numeric_village = R"({"village":440823105201})";
  const std::string nested_village = R"({"tags":{"village":"440823105209"}})";
  write_lines(dir_.file("in.ndjson"), {valid[0], "", not_json, valid[1], "   ", truncated,
                                       no_village, valid[2], numeric_village, nested_village});

  Subprocess cli(produce_args(broker_.bootstrap(), {dir_.file("in.ndjson")}));
  ASSERT_EQ(cli.wait_for_exit(seconds(60)), 0) << cli.stderr_text();
  EXPECT_THAT(cli.stderr_text(), HasSubstr("sent 8, delivered 8, failed 0"));

  const auto messages = KafkaTestConsumer(broker_.bootstrap()).read("field-reports", 8);
  std::map<std::string, std::optional<std::string>> key_of;
  std::vector<std::string> payloads;
  for (const auto& m : messages) {
    payloads.push_back(m.payload);
    key_of[m.payload] = m.key;
  }
  EXPECT_THAT(payloads,
              UnorderedElementsAreArray({valid[0], valid[1], valid[2], not_json, truncated,
                                         no_village, numeric_village, nested_village}));
  EXPECT_EQ(key_of[valid[0]], "440823105201");
  EXPECT_EQ(key_of[valid[1]], "440823105202");
  EXPECT_EQ(key_of[valid[2]], "440823105201");
  for (const auto* unkeyed :
       {&not_json, &truncated, &no_village, &numeric_village, &nested_village}) {
    EXPECT_EQ(key_of[*unkeyed], std::nullopt) << *unkeyed;
  }
  EXPECT_EQ(KafkaTestConsumer(broker_.bootstrap()).message_count("field-reports"), 8);
}

TEST_F(ProduceCommand, SameVillageLandsOnOnePartition) {
  std::vector<std::string> lines;
  for (int i = 0; i < 200; ++i)
    lines.push_back(report(i, "4408231052" + std::to_string(10 + i % 7)));
  write_lines(dir_.file("in.ndjson"), lines);
  Subprocess cli(produce_args(broker_.bootstrap(), {dir_.file("in.ndjson")}));
  ASSERT_EQ(cli.wait_for_exit(seconds(60)), 0) << cli.stderr_text();

  const auto messages = KafkaTestConsumer(broker_.bootstrap()).read("field-reports", 200);
  ASSERT_EQ(messages.size(), 200u);
  std::map<std::string, std::set<int>> partitions_of;
  for (const auto& m : messages) partitions_of[m.key.value_or("")].insert(m.partition);
  EXPECT_EQ(partitions_of.size(), 7u);
  for (const auto& [village, partitions] : partitions_of) {
    EXPECT_EQ(partitions.size(), 1u) << village;
  }
}

TEST_F(ProduceCommand, ReadsStdinAndOtherTopic) {
  Subprocess::Options options;
  options.stdin_pipe = true;
  Subprocess cli(produce_args(broker_.bootstrap(), {"--topic", "field-progress", "-"}), options);
  cli.write_stdin(report(1, "440823105201") + "\n" + report(2, "440823105202") + "\r\n\n");
  cli.close_stdin();
  ASSERT_EQ(cli.wait_for_exit(seconds(60)), 0) << cli.stderr_text();
  const auto messages = KafkaTestConsumer(broker_.bootstrap()).read("field-progress", 2);
  std::vector<std::string> payloads;
  for (const auto& m : messages) payloads.push_back(m.payload);
  EXPECT_THAT(payloads,
              UnorderedElementsAreArray({report(1, "440823105201"), report(2, "440823105202")}));
  EXPECT_EQ(KafkaTestConsumer(broker_.bootstrap()).message_count("field-reports"), 0);
}

TEST_F(ProduceCommand, KcatReadsExactlyTheProducedCount) {
  constexpr int kCount = 1500;
  std::vector<std::string> lines;
  for (int i = 0; i < kCount; ++i)
    lines.push_back(report(i, "4408231052" + std::to_string(10 + i % 50)));
  write_lines(dir_.file("in.ndjson"), lines);
  Subprocess cli(produce_args(broker_.bootstrap(), {dir_.file("in.ndjson")}));
  ASSERT_EQ(cli.wait_for_exit(seconds(60)), 0) << cli.stderr_text();

  Subprocess kcat(
      {"/usr/bin/kcat", "-C", "-e", "-b", broker_.bootstrap(), "-t", "field-reports", "-q"});
  ASSERT_EQ(kcat.wait_for_exit(seconds(60)), 0) << kcat.stderr_text();
  std::multiset<std::string> got;
  std::string text = kcat.stdout_text();
  for (size_t start = 0, nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
    got.insert(text.substr(start, nl - start));
  }
  EXPECT_EQ(got.size(), static_cast<size_t>(kCount));
  EXPECT_EQ(got, std::multiset<std::string>(lines.begin(), lines.end()));
}

TEST(ProduceCommandFailure, ExitsOneWhenDeliveriesFail) {
  TempDir dir;
  write_lines(dir.file("in.ndjson"), {report(1, "440823105201"), report(2, "440823105202")});
  // Port 1 on loopback: nothing listens, so every message times out.
  Subprocess cli(produce_args("127.0.0.1:1", {"-X", "message.timeout.ms=2000", "-X", "log_level=0",
                                              dir.file("in.ndjson")}));
  EXPECT_EQ(cli.wait_for_exit(seconds(60)), 1);
  EXPECT_THAT(cli.stderr_text(), HasSubstr("sent 2, delivered 0, failed 2"));
}

struct BadFlag {
  std::vector<std::string> args;
  std::string named;
};

class ProduceBadFlag : public ::testing::TestWithParam<BadFlag> {};

TEST_P(ProduceBadFlag, ExitsTwoNamingTheFlag) {
  std::vector<std::string> argv = {fieldpulse_binary(), "produce"};
  argv.insert(argv.end(), GetParam().args.begin(), GetParam().args.end());
  Subprocess cli(argv);
  EXPECT_EQ(cli.wait_for_exit(seconds(30)), 2);
  EXPECT_THAT(cli.stderr_text() + cli.stdout_text(), HasSubstr(GetParam().named));
}

INSTANTIATE_TEST_SUITE_P(
    Flags, ProduceBadFlag,
    ::testing::Values(
        BadFlag{{"-"}, "--brokers"},
        BadFlag{{"--brokers", "127.0.0.1:1", "-X", "no.such.property=1", "-"}, "no.such.property"},
        BadFlag{{"--brokers", "127.0.0.1:1", "-X", "acks=sometimes", "-"}, "acks"},
        BadFlag{{"--brokers", "127.0.0.1:1", "-X", "novalue", "-"}, "novalue"},
        BadFlag{{"--brokers", "127.0.0.1:1", "--bogus"}, "--bogus"},
        BadFlag{{"--brokers", "127.0.0.1:1", "/no/such/file.ndjson"}, "/no/such/file.ndjson"}));

}  // namespace
}  // namespace fp::test
