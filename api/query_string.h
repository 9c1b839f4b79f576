// Parsing of a request target's query string: "a=1&b=x%20y" -> decoded pairs.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fp {

struct QueryParameter {
  std::string name;
  std::string value;
};

struct QueryError {
  std::string parameter;  // the parameter at fault (its raw name when undecodable)
  std::string detail;
};

// Splits and percent-decodes ('+' is a space). A parameter given twice, or one
// with a bad %-escape, is an error naming it. Empty pieces ("a=1&&b=2") are skipped.
std::optional<std::vector<QueryParameter>> parse_query(std::string_view query, QueryError& error);

}  // namespace fp
