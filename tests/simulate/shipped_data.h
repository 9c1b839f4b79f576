// The shipped catalog and demo roster, and time helpers, for the simulator's tests.
#pragma once

#include <cstdint>

#include "model/catalog.h"
#include "model/civil_time.h"
#include "model/roster.h"

namespace fp::simulate_test {

inline constexpr std::int64_t kHourMs = 3600LL * 1000;
inline constexpr std::int64_t kDayMs = 24 * kHourMs;

inline const Catalog& catalog() {
  static const Catalog c = Catalog::load(FP_DATA_DIR "/catalog.toml");
  return c;
}

inline const Roster& roster() {
  static const Roster r = Roster::load(FP_DATA_DIR "/zhanjiang-roster.json");
  return r;
}

inline std::int64_t at(const char* rfc3339) { return parse_rfc3339(rfc3339).value(); }

}  // namespace fp::simulate_test
