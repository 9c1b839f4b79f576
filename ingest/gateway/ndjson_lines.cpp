// NDJSON splitting: "\n" separates lines, a "\r" before it is dropped, blank lines are skipped.
#include "ingest/gateway/ndjson_lines.h"

namespace fp::gateway {

std::vector<BodyLine> split_ndjson(std::string_view body, std::size_t max_lines) {
  std::vector<BodyLine> out;
  std::size_t number = 0;
  std::size_t start = 0;
  while (start < body.size() && out.size() <= max_lines) {
    auto end = body.find('\n', start);
    if (end == std::string_view::npos) end = body.size();
    std::string_view line = body.substr(start, end - start);
    start = end + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    out.push_back({number, line});
  }
  return out;
}

}  // namespace fp::gateway
