// The values of declared configuration keys, parsed and checked, read by key name.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "settings/setting_key.h"

namespace fp {

using SettingValue = std::variant<std::string, std::int64_t, bool, std::vector<std::string>>;

// Parses `text` (the syntax of a flag or environment variable: "true", "500",
// "a:1,b:2") as `key`'s type into `out`; returns the problem, or nullopt.
std::optional<std::string> parse_setting(const SettingKey& key, std::string_view text,
                                         SettingValue& out);
// Whether `value` suits `key`: its type, range, number of items and check.
std::optional<std::string> check_setting(const SettingKey& key, const SettingValue& value);

// Values by key name. Reading a key that was never set, or as another type, is
// a programming error (a component reading a key it did not declare) and
// throws std::logic_error naming it.
class Settings {
 public:
  // Every key at its declared default. Throws std::logic_error when a default
  // does not parse or pass its own check.
  static Settings defaults(std::span<const SettingKey* const> keys);

  void set(std::string_view key, SettingValue value);
  [[nodiscard]] const SettingValue* find(std::string_view key) const;

  [[nodiscard]] const std::string& text(std::string_view key) const;
  [[nodiscard]] std::int64_t integer(std::string_view key) const;
  [[nodiscard]] bool boolean(std::string_view key) const;
  [[nodiscard]] const std::vector<std::string>& list(std::string_view key) const;

  // The same keys with the same values, in whatever order they were set.
  friend bool operator==(const Settings& a, const Settings& b);

 private:
  template <typename T>
  const T& get(std::string_view key) const;

  std::vector<std::pair<std::string, SettingValue>> values_;  // a few dozen: searched in order
};

}  // namespace fp
