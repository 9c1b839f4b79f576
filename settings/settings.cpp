// Parsing and checking of setting values, and the store components read them from.
#include "settings/settings.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <stdexcept>

namespace fp {
namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::optional<std::string> parse_list(std::string_view text, SettingValue& out) {
  std::vector<std::string> items;
  if (!trim(text).empty()) {
    std::string_view rest = text;
    while (true) {
      const auto comma = rest.find(',');
      std::string item = trim(rest.substr(0, comma));
      if (item.empty()) return "empty item in list \"" + std::string(text) + "\"";
      items.push_back(std::move(item));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  out = std::move(items);
  return std::nullopt;
}

std::optional<std::string> check_integer(const SettingKey& key, std::int64_t v) {
  if (v >= key.min && v <= key.max) return std::nullopt;
  return "must be between " + std::to_string(key.min) + " and " + std::to_string(key.max) +
         ", got " + std::to_string(v);
}

std::optional<std::string> check_list(const SettingKey& key, const std::vector<std::string>& l) {
  if (static_cast<std::int64_t>(l.size()) < key.min) {
    return "needs at least " + std::to_string(key.min) + " item(s)";
  }
  for (const std::string& item : l) {
    if (!key.check) break;
    if (auto problem = key.check(item)) return problem;
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(SettingType type) {
  switch (type) {
    case SettingType::string:
      return "string";
    case SettingType::integer:
      return "integer";
    case SettingType::boolean:
      return "boolean";
    case SettingType::list:
      return "list of strings";
  }
  return "?";
}

std::optional<std::string> parse_setting(const SettingKey& key, std::string_view text,
                                         SettingValue& out) {
  switch (key.type) {
    case SettingType::string:
      out = std::string(text);
      return std::nullopt;
    case SettingType::integer: {
      std::int64_t v = 0;
      const std::string t = trim(text);
      auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
      if (t.empty() || ec != std::errc{} || end != t.data() + t.size()) {
        return "expected an integer, got \"" + std::string(text) + "\"";
      }
      out = v;
      return std::nullopt;
    }
    case SettingType::boolean: {
      const std::string t = trim(text);
      if (t != "true" && t != "1" && t != "false" && t != "0") {
        return "expected true or false, got \"" + std::string(text) + "\"";
      }
      out = t == "true" || t == "1";
      return std::nullopt;
    }
    case SettingType::list:
      return parse_list(text, out);
  }
  return "unknown type";
}

std::optional<std::string> check_setting(const SettingKey& key, const SettingValue& value) {
  switch (key.type) {
    case SettingType::string: {
      const auto* s = std::get_if<std::string>(&value);
      if (!s) return "expected a string";
      return key.check ? key.check(*s) : std::nullopt;
    }
    case SettingType::integer: {
      const auto* v = std::get_if<std::int64_t>(&value);
      if (!v) return "expected an integer";
      return check_integer(key, *v);
    }
    case SettingType::boolean:
      if (!std::holds_alternative<bool>(value)) return "expected true or false";
      return std::nullopt;
    case SettingType::list: {
      const auto* l = std::get_if<std::vector<std::string>>(&value);
      if (!l) return "expected a list of strings";
      return check_list(key, *l);
    }
  }
  return "unknown type";
}

Settings Settings::defaults(std::span<const SettingKey* const> keys) {
  Settings settings;
  for (const SettingKey* key : keys) {
    SettingValue value;
    auto problem = parse_setting(*key, key->default_value, value);
    if (!problem) problem = check_setting(*key, value);
    if (problem) {
      throw std::logic_error("default of " + std::string(key->name) + ": " + *problem);
    }
    settings.set(key->name, std::move(value));
  }
  return settings;
}

void Settings::set(std::string_view key, SettingValue value) {
  auto it = std::find_if(values_.begin(), values_.end(),
                         [key](const auto& entry) { return entry.first == key; });
  if (it == values_.end()) {
    values_.emplace_back(std::string(key), std::move(value));
  } else {
    it->second = std::move(value);
  }
}

const SettingValue* Settings::find(std::string_view key) const {
  auto it = std::find_if(values_.begin(), values_.end(),
                         [key](const auto& entry) { return entry.first == key; });
  return it == values_.end() ? nullptr : &it->second;
}

bool operator==(const Settings& a, const Settings& b) {
  return a.values_.size() == b.values_.size() &&
         std::all_of(a.values_.begin(), a.values_.end(), [&b](const auto& entry) {
           const SettingValue* other = b.find(entry.first);
           return other && *other == entry.second;
         });
}

template <typename T>
const T& Settings::get(std::string_view key) const {
  const SettingValue* value = find(key);
  if (!value) throw std::logic_error("setting " + std::string(key) + " was never declared");
  const T* typed = std::get_if<T>(value);
  if (!typed) throw std::logic_error("setting " + std::string(key) + " read as another type");
  return *typed;
}

const std::string& Settings::text(std::string_view key) const { return get<std::string>(key); }
std::int64_t Settings::integer(std::string_view key) const { return get<std::int64_t>(key); }
bool Settings::boolean(std::string_view key) const { return get<bool>(key); }
const std::vector<std::string>& Settings::list(std::string_view key) const {
  return get<std::vector<std::string>>(key);
}

}  // namespace fp
