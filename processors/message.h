// A raw message as it enters the processors, and the report it becomes.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "model/catalog.h"
#include "model/decimal.h"
#include "model/reason.h"
#include "model/roster.h"

namespace fp {

using Clock = std::function<std::int64_t()>;  // now, UTC epoch milliseconds

struct CoreOptions {
  std::int64_t programme_start_ms = 1525104000000LL;  // 2018-05-01T00:00:00+08:00
  std::int64_t future_skew_ms = 24LL * 3600 * 1000;
  // Event-time horizon of remembered report ids, in days; 0: none, every id is
  // remembered for the programme's life (contract section 4).
  std::int32_t dedupe_horizon_days = 0;
};

// Bytes plus where they came from. Views stay valid for the batch only.
struct RawMessage {
  std::string_view payload;
  std::string_view key;
  std::string_view topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::int64_t timestamp_ms = 0;  // Kafka message timestamp (latency metric)
};

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

struct Rejection {
  Reason reason = Reason::malformed_json;
  std::string detail;  // human readable, names the field
};

}  // namespace fp
