// What the processing core's read side answers besides progress rows: the
// summary, progress queries, silent cadres and completeness.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "model/decimal.h"
#include "model/reason.h"
#include "model/roster.h"
#include "processors/progress_key.h"

namespace fp {

struct Summary {
  std::uint64_t consumed = 0, accepted = 0, duplicate = 0, rejected = 0;
  std::array<std::uint64_t, kReasonCount> rejected_by_reason{};
  std::size_t cadres_total = 0, cadres_reporting = 0;
  std::vector<std::pair<MetricId, DecimalSum>> city_totals;  // metrics with data
};

struct ProgressQuery {
  Level level = Level::city;
  std::optional<std::uint32_t> entity;      // none: every entity of the level
  std::optional<MetricId> metric;           // none: every metric
  std::int32_t from_window = kTotalWindow;  // kTotalWindow, or a CST day range
  std::int32_t to_window = kTotalWindow;
};

struct SilentCadre {
  CadreId cadre = 0;
  std::optional<std::int64_t> last_report_ms;  // none: never reported
};

struct Completeness {
  RegionId region = 0;
  std::size_t reported = 0;  // cadres attached within who reported that day
  std::size_t total = 0;     // cadres attached within
};

}  // namespace fp
