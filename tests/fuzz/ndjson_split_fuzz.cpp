// libFuzzer target over the gateway's NDJSON splitting of request bodies: no input may
// crash or trip a sanitizer, and every line it returns must be one the body really has.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "ingest/gateway/ndjson_lines.h"

namespace {

void require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "invariant broken: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  constexpr std::size_t kMaxLines = 500;
  const auto lines = fp::gateway::split_ndjson(body, kMaxLines);
  require(lines.size() <= kMaxLines + 1, "at most one line past the limit");
  std::size_t previous = 0;
  for (const auto& line : lines) {
    require(line.number > previous, "line numbers increase");
    previous = line.number;
    require(line.text.data() >= body.data() &&
                line.text.data() + line.text.size() <= body.data() + body.size(),
            "a line is a view into the body");
    require(line.text.find('\n') == std::string_view::npos, "no line holds a newline");
    require(line.text.find_first_not_of(" \t\r") != std::string_view::npos, "no blank line");
  }
  return 0;
}
