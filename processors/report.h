// The report a raw message becomes once decoded and checked, and the outcome of a message.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "model/catalog.h"
#include "model/decimal.h"
#include "model/roster.h"

namespace fp {

// A valid report: every field checked against the catalog and roster.
struct Report {
  std::string_view report_id;  // valid until the ReportReader's next read()
  KindId kind = 0;
  RegionId village = 0;
  CadreId cadre = 0;
  std::int64_t at_ms = 0;                         // event time, UTC epoch milliseconds
  std::int32_t cst_day = 0;                       // days since 1970-01-01 of `at` in UTC+08:00
  std::array<Decimal, kMaxValueFields> values{};  // catalog field order
};

enum class OutcomeKind : std::uint8_t { accepted, duplicate, rejected };

}  // namespace fp
