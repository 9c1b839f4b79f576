// The dead-letter sink's declaration: always on, since the contract routes
// every rejected message there; made from its topic.
#pragma once

#include <memory>

#include "kafka/topic_name.h"
#include "sinks/dead_letter/dead_letter_sink.h"
#include "sinks/sink_declaration.h"

namespace fp {

inline constexpr SettingKey kDeadLetterTopic{
    .name = "kafka.topics.dlq",
    .type = SettingType::string,
    .default_value = "field-reports.dlq",
    .description = "Dead-letter topic: rejected reports with their reason.",
    .check = kafka::check_topic_name};

inline constexpr const SettingKey* kDeadLetterKeys[] = {&kDeadLetterTopic};

inline constexpr SinkDeclaration kDeadLetterSink{
    .name = "dead-letter",
    .keys = kDeadLetterKeys,
    .enabled = [](const Settings&) { return true; },
    .make = [](const Settings& s, SinkContext& c) -> std::unique_ptr<Sink> {
      return std::make_unique<DeadLetterSink>(c, s.text(kDeadLetterTopic.name));
    }};

}  // namespace fp
