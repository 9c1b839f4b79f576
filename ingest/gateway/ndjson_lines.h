// Splits a request body of NDJSON into its numbered, non-blank lines.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace fp::gateway {

struct BodyLine {
  std::size_t number = 0;  // 1-based physical line in the body
  std::string_view text;   // without its "\n" or "\r\n"
};

// Every line with something other than spaces, tabs or a carriage return on
// it, in order. Stops after `max_lines` + 1 such lines, enough for the caller
// to see that there are too many. Views point into `body`.
std::vector<BodyLine> split_ndjson(std::string_view body, std::size_t max_lines);

}  // namespace fp::gateway
