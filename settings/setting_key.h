// How a component declares one configuration key: its name, type, default, range and help.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fp {

enum class SettingType : std::uint8_t { string, integer, boolean, list };
std::string_view to_string(SettingType type);

// One declared key: the single place its name, type, default and meaning live.
// Declarations are constants, so a component can keep them beside its code.
struct SettingKey {
  std::string_view name;  // dotted, e.g. "kafka.topics.dlq"
  SettingType type;
  std::string_view default_value;  // as it would be written in a flag
  std::string_view description;
  std::int64_t min = 0;  // integers: the accepted range; lists: min is the fewest items
  std::int64_t max = 0;
  // Further check of a string value (of each item of a list); returns the
  // problem, or nullopt when fine.
  std::optional<std::string> (*check)(std::string_view value) = nullptr;
};

}  // namespace fp
