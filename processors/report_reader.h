// Decode + validate one payload into a Report, or say why it is rejected.
#pragma once

#include <memory>
#include <string_view>

#include "model/clock.h"
#include "model/reason.h"
#include "processors/core_options.h"
#include "processors/report.h"

namespace fp {

class ReportReader {
 public:
  ReportReader(const Catalog& catalog, const Roster& roster, CoreOptions options, Clock clock);
  ~ReportReader();
  ReportReader(const ReportReader&) = delete;
  ReportReader& operator=(const ReportReader&) = delete;

  // true: `out` is a valid report (its views stay valid until the next call).
  // false: `why` holds the reason and a detail naming the field.
  bool read(std::string_view payload, Report& out, Rejection& why);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fp
