// The Kafka source's declaration: the keys only the report consumer reads
// (prefetch, fetch wait, static membership) and the librdkafka properties they make.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "settings/settings.h"

namespace fp {

inline constexpr SettingKey kKafkaInstanceId{
    .name = "kafka.instance_id",
    .type = SettingType::string,
    .default_value = "",
    .description =
        "Static group membership (group.instance.id), unique per instance: a "
        "restarted instance takes its partitions back at once; empty: dynamic "
        "membership."};
inline constexpr SettingKey kKafkaQueuedMinMessages{
    .name = "kafka.queued_min_messages",
    .type = SettingType::integer,
    .default_value = "100000",
    .description = "librdkafka queued.min.messages: messages prefetched, over all partitions.",
    .min = 1,
    .max = 10'000'000};
inline constexpr SettingKey kKafkaFetchWaitMax{
    .name = "kafka.fetch_wait_max_ms",
    .type = SettingType::integer,
    .default_value = "10",
    .description = "librdkafka fetch.wait.max.ms: longest a broker holds a fetch for more data.",
    .min = 0,
    .max = 300'000};

inline constexpr const SettingKey* kKafkaSourceKeys[] = {
    &kKafkaInstanceId, &kKafkaQueuedMinMessages, &kKafkaFetchWaitMax};

// The report consumer's librdkafka properties: `client` (bootstrap.servers
// first, then [kafka.properties]) with group.id and the source's settings put
// after bootstrap.servers, so [kafka.properties] still comes last and wins.
std::vector<std::pair<std::string, std::string>> kafka_source_properties(
    const std::vector<std::pair<std::string, std::string>>& client, const std::string& group,
    const Settings& settings);

}  // namespace fp
