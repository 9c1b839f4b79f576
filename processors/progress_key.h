// The vocabulary of aggregate cells: progress keys and values, the changes a
// batch makes to them, the blocks they move in, and the rows queries answer.
#pragma once

#include <cstdint>

#include "model/decimal.h"
#include "model/roster.h"

namespace fp {

using MetricId = std::uint16_t;  // index into Catalog::metric_names()

inline constexpr std::int32_t kTotalWindow = -1;  // else a CST day number

// One aggregate cell: (level, entity, metric, window). entity is a RegionId
// for region levels and a CadreId for Level::cadre.
struct ProgressKey {
  Level level = Level::city;
  std::uint32_t entity = 0;
  MetricId metric = 0;
  std::int32_t window = kTotalWindow;
  friend bool operator==(const ProgressKey&, const ProgressKey&) = default;
};

struct ProgressValue {
  DecimalSum value;          // for "<kind>.count" metrics, the count in thousandths
  std::int64_t reports = 0;  // accepted reports that contributed
};

struct ProgressChange {
  ProgressKey key;
  ProgressValue value;  // the new global value
};

// The progress keys that always move together: every metric of one report kind
// for one (level, id, window). An opaque value outside the core.
using ProgressBlockId = std::uint64_t;

struct ProgressRow {
  ProgressKey key;
  ProgressValue value;
};

}  // namespace fp
