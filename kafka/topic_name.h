// Kafka's rule for topic names, for the configuration keys that name topics.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace fp::kafka {

// 1-249 characters of [A-Za-z0-9._-], not "." or ".."; returns the problem, or nullopt.
std::optional<std::string> check_topic_name(std::string_view value);

}  // namespace fp::kafka
