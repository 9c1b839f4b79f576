// The /v1/summary document (contract section 6), reusable by `replay --json`.
#pragma once

#include <cstdint>
#include <string>

namespace fp {

class ProcessingCore;

// {"as_of":..,"reports":{"consumed","accepted","duplicate","rejected","rejected_by_reason"},
//  "cadres":{"total","reporting"},"totals":{"<metric>": exact number, ..}}.
// rejected_by_reason lists every reason code (0 included) so the shape is stable.
std::string render_summary_json(const ProcessingCore& core, std::int64_t as_of_ms);

}  // namespace fp
