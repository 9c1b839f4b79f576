// Checks one line of a request as the pipeline would (the same ReportReader, so the
// same reason codes) and says whether the gateway forwards it, and under which key.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "processors/decoder.h"
#include "processors/report_reader.h"

namespace fp::gateway {

enum class LineStatus : std::uint8_t {
  queued,    // valid: forwarded
  rejected,  // a JSON object the pipeline will reject: forwarded, so it is dead-lettered
  refused,   // not a JSON object at all, or too large: not forwarded
};
std::string_view to_string(LineStatus status);

struct LineVerdict {
  std::size_t line = 0;
  LineStatus status = LineStatus::refused;
  std::string report_id;           // empty when the line has none (as a string)
  std::string cadre_id;            // empty when the line has none (as a string)
  std::optional<std::string> key;  // the village string, when the line has one
  Reason reason = Reason::malformed_json;
  std::string detail;  // names the field; empty for queued lines
};

// Not thread-safe: one per thread (it reuses its parsers' buffers).
class LineChecker {
 public:
  LineChecker(const Catalog& catalog, const Roster& roster, CoreOptions options, Clock clock);

  [[nodiscard]] LineVerdict check(std::size_t line_number, std::string_view line);

 private:
  const Roster& roster_;
  ReportReader reader_;
  Decoder decoder_;  // for the ids of a rejected line
  DecodedReport decoded_;
  Report report_;
  Rejection why_;
};

}  // namespace fp::gateway
