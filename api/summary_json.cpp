// Renders the headline document from the core's Summary.
#include "api/summary_json.h"

#include "model/civil_time.h"
#include "model/json_text.h"
#include "processors/core.h"

namespace fp {
namespace {

// Appends `"key":` (key is a plain ASCII literal).
void append_key(std::string& out, std::string_view key) {
  out += '"';
  out += key;
  out += "\":";
}

}  // namespace

std::string render_summary_json(const ProcessingCore& core, std::int64_t as_of_ms) {
  const Summary s = core.summary();
  std::string out;
  out.reserve(1024 + 48 * s.city_totals.size());
  out += '{';
  append_key(out, "as_of");
  append_json_string(out, format_rfc3339_cst(as_of_ms));
  out += ",\"reports\":{\"consumed\":" + std::to_string(s.consumed) +
         ",\"accepted\":" + std::to_string(s.accepted) +
         ",\"duplicate\":" + std::to_string(s.duplicate) +
         ",\"rejected\":" + std::to_string(s.rejected) + ",\"rejected_by_reason\":{";
  for (std::size_t i = 0; i < kReasonCount; ++i) {
    if (i) out += ',';
    append_key(out, kReasonNames[i]);
    out += std::to_string(s.rejected_by_reason[i]);
  }
  out += "}},\"cadres\":{\"total\":" + std::to_string(s.cadres_total) +
         ",\"reporting\":" + std::to_string(s.cadres_reporting) + "},\"totals\":{";
  const auto& names = core.metric_names();
  bool first = true;
  for (const auto& [metric, sum] : s.city_totals) {
    if (metric >= names.size()) continue;
    if (!first) out += ',';
    first = false;
    append_json_string(out, names[metric]);
    out += ':';
    sum.append_to(out);
  }
  out += "}}";
  return out;
}

}  // namespace fp
