// What the processing core's checks are configured with (validation and dedupe keys).
#pragma once

#include <cstdint>

namespace fp {

struct CoreOptions {
  std::int64_t programme_start_ms = 1525104000000LL;  // 2018-05-01T00:00:00+08:00
  std::int64_t future_skew_ms = 24LL * 3600 * 1000;
  // Event-time horizon of remembered report ids, in days; 0: none, every id is
  // remembered for the programme's life (contract section 4).
  std::int32_t dedupe_horizon_days = 0;
};

}  // namespace fp
