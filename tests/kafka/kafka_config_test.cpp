// Building librdkafka configurations: property scopes from librdkafka's own table.
#include <gtest/gtest.h>

#include "kafka/config.h"

namespace fp::kafka {
namespace {

TEST(PropertyScope, FollowsLibrdkafkasOwnTable) {
  EXPECT_EQ(property_scope("group.id"), PropertyScope::consumer);
  EXPECT_EQ(property_scope("queued.min.messages"), PropertyScope::consumer);
  EXPECT_EQ(property_scope("fetch.max.bytes"), PropertyScope::consumer);
  EXPECT_EQ(property_scope("linger.ms"), PropertyScope::producer);
  EXPECT_EQ(property_scope("compression.type"), PropertyScope::producer);
  EXPECT_EQ(property_scope("enable.idempotence"), PropertyScope::producer);
  EXPECT_EQ(property_scope("bootstrap.servers"), PropertyScope::any);
  EXPECT_EQ(property_scope("security.protocol"), PropertyScope::any);
  EXPECT_EQ(property_scope("no.such.property"), PropertyScope::any);
}

TEST(KafkaConfig, SetAllForSkipsOnlyTheOtherClientsProperties) {
  const std::vector<Property> shared = {
      {"client.id", "shared"}, {"linger.ms", "7"}, {"queued.min.messages", "1234"}};
  KafkaConfig producer;
  producer.set_all_for(RD_KAFKA_PRODUCER, shared);
  EXPECT_EQ(producer.get("client.id"), "shared");
  EXPECT_EQ(producer.get("linger.ms"), "7");
  EXPECT_EQ(producer.get("queued.min.messages"), "100000");  // librdkafka's default: not set

  KafkaConfig consumer;
  consumer.set_all_for(RD_KAFKA_CONSUMER, shared);
  EXPECT_EQ(consumer.get("client.id"), "shared");
  EXPECT_EQ(consumer.get("queued.min.messages"), "1234");
  EXPECT_EQ(consumer.get("linger.ms"), "5");  // librdkafka's default: not set
}

TEST(KafkaConfig, SetAllForStillNamesAnUnknownProperty) {
  KafkaConfig config;
  try {
    config.set_all_for(RD_KAFKA_PRODUCER, {{"no.such.property", "1"}});
    FAIL() << "an unknown property was accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "no.such.property");
  }
}

}  // namespace
}  // namespace fp::kafka
