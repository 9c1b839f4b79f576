// The Kafka source's declaration: the keys only the report consumer reads
// (prefetch, fetch wait, static membership) and the librdkafka properties they make.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "settings/settings.h"

namespace fp {

inline constexpr SettingKey kKafkaInstanceId{
    "kafka.instance_id", SettingType::string, "",
    "Static group membership (group.instance.id), unique per instance: a restarted instance "
    "takes its partitions back at once; empty: dynamic membership."};
inline constexpr SettingKey kKafkaQueuedMinMessages{
    "kafka.queued_min_messages",
    SettingType::integer,
    "100000",
    "librdkafka queued.min.messages: messages prefetched, over all partitions.",
    1,
    10'000'000};
inline constexpr SettingKey kKafkaFetchWaitMax{
    "kafka.fetch_wait_max_ms",
    SettingType::integer,
    "10",
    "librdkafka fetch.wait.max.ms: longest a broker holds a fetch for more data.",
    0,
    300'000};

inline constexpr const SettingKey* kKafkaSourceKeys[] = {
    &kKafkaInstanceId, &kKafkaQueuedMinMessages, &kKafkaFetchWaitMax};

// The report consumer's librdkafka properties: `client` (bootstrap.servers
// first, then [kafka.properties]) with group.id and the source's settings put
// after bootstrap.servers, so [kafka.properties] still comes last and wins.
std::vector<std::pair<std::string, std::string>> kafka_source_properties(
    const std::vector<std::pair<std::string, std::string>>& client, const std::string& group,
    const Settings& settings);

}  // namespace fp
