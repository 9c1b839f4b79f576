// Checks a decoded report against the contract's field rules (section 3), the catalog and the
// roster, and resolves it into a Report.
#pragma once

#include "model/clock.h"
#include "model/reason.h"
#include "processors/core_options.h"
#include "processors/decoder.h"
#include "processors/report.h"

namespace fp {

inline constexpr std::size_t kMaxReportIdChars = 64;
inline constexpr std::size_t kMaxTagChars = 64;  // Unicode code points
inline constexpr std::size_t kMaxNoteBytes = 4'096;

// Stateless apart from its references; the catalog and roster must outlive it. Nothing is
// allocated unless the report is rejected (the detail string).
//
// Choices the contract leaves open:
// - `v` must be an integer token: 2 or -1 are unsupported_version; 1.0, "1", true are wrong_type.
// - `values` is required (an empty object is fine when every field has a default).
// - optional `tags` and `note` given as null are wrong_type, not absent.
// - a number's fractional digits are counted after dropping trailing zeros (1.5000 is 1.5),
//   and exponents are allowed when the value is exact (1.5e3).
// - `note` is measured in bytes of its decoded text, tag values in Unicode code points.
class Validator {
 public:
  Validator(const Catalog& catalog, const Roster& roster, CoreOptions options, Clock clock);

  // true: `out` holds the report (views into `in`). false: `why` names the field and the defect.
  bool validate(const DecodedReport& in, Report& out, Rejection& why) const;

 private:
  bool check_values(const DecodedReport& in, const Kind& kind, Report& out, Rejection& why) const;
  bool check_optional(const DecodedReport& in, Rejection& why) const;

  const Catalog& catalog_;
  const Roster& roster_;
  CoreOptions options_;
  Clock clock_;
};

}  // namespace fp
