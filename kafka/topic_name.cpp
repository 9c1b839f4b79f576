#include "kafka/topic_name.h"

#include <algorithm>
#include <cctype>

namespace fp::kafka {

std::optional<std::string> check_topic_name(std::string_view value) {
  const bool legal = std::all_of(value.begin(), value.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
  if (legal && !value.empty() && value.size() <= 249 && value != "." && value != "..") {
    return std::nullopt;
  }
  return "a topic name is 1-249 characters of A-Z a-z 0-9 . _ - (and not . or ..)";
}

}  // namespace fp::kafka
