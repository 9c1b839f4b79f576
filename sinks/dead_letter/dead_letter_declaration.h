// The dead-letter sink's declaration: always on, since the contract routes
// every rejected message there; made from its topic.
#pragma once

#include <memory>

#include "kafka/topic_name.h"
#include "sinks/dead_letter/dead_letter_sink.h"
#include "sinks/sink_declaration.h"

namespace fp {

inline constexpr SettingKey kDeadLetterTopic{
    "kafka.topics.dlq",
    SettingType::string,
    "field-reports.dlq",
    "Dead-letter topic: rejected reports with their reason.",
    0,
    0,
    kafka::check_topic_name};

inline constexpr const SettingKey* kDeadLetterKeys[] = {&kDeadLetterTopic};

inline constexpr SinkDeclaration kDeadLetterSink{
    "dead-letter", kDeadLetterKeys, [](const Settings&) { return true; },
    [](const Settings& s, SinkContext& c) -> std::unique_ptr<Sink> {
      return std::make_unique<DeadLetterSink>(c, s.text(kDeadLetterTopic.name));
    }};

}  // namespace fp
