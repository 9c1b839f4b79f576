// Synthetic field reports of the roster's cadres, one JSON line at a time, reproducible
// from a seed: the engine of `fieldpulse simulate` and of the demo's simulated cadres.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "model/catalog.h"
#include "model/reason.h"
#include "model/roster.h"

namespace fp {

struct SimulationOptions {
  std::uint64_t seed = 1;
  // The simulated clock's start (UTC epoch ms); at least 2018-05-02 CST, a day into the
  // programme, so that late reports still fall after its start.
  std::int64_t now_ms = 0;
  // Simulated time that passes per report, in microseconds (1e6 / rate); 0: the clock
  // stands still at now_ms.
  std::int64_t step_us = 0;
  std::uint32_t bad_ppm = 0;  // malformed reports, parts per million
  std::uint32_t dup_ppm = 0;  // resends of an earlier report, parts per million

  // A history instead of a live clock: `reports` reports dated from CST midnight
  // `from_ms` to CST midnight `to_ms` (exclusive) in event-time order, with the
  // programme's rhythm; late_ppm of them are dated days or weeks before the stream
  // position (phones that were offline). now_ms then stays the processing clock, for
  // future_timestamp malformations only, and step_us must be 0.
  struct History {
    std::int64_t from_ms = 0;
    std::int64_t to_ms = 0;
    std::uint64_t reports = 0;
    std::uint32_t late_ppm = 30'000;
  };
  std::optional<History> history;
};

// The earliest simulated start SimulationOptions::now_ms accepts.
inline constexpr std::int64_t kEarliestSimulationStartMs = 1525190400000LL;  // 2018-05-02 CST
// The programme's start: a history may begin on this day, not before (the validator
// rejects earlier reports as too_old).
inline constexpr std::int64_t kProgrammeStartMs = 1525104000000LL;  // 2018-05-01T00:00:00+08:00

enum class ReportIntent : std::uint8_t {
  valid,      // a new report: a validator accepts it
  duplicate,  // a resend of an earlier valid report (same village and report_id)
  bad,        // breaks exactly the rule `reason` names
};

// What the generator meant a line to be: for the Kafka key, summaries and tests.
struct ReportMeta {
  ReportIntent intent = ReportIntent::valid;
  Reason reason = Reason::malformed_json;  // bad only
  std::optional<KindId> kind;              // valid and duplicate
  bool identical = false;                  // duplicate: byte-identical to the original
  std::string key;                         // the reporting village's code (Kafka key)
  std::string report_id;
};

// Not thread-safe; one generator per thread. Holds the catalog and roster by reference:
// they must outlive it. No I/O: callers decide where lines go and at what pace.
class ReportGenerator {
 public:
  // Throws std::invalid_argument when the options are out of range (a history before the
  // programme start or ending after now_ms's day) or no cadre of the roster is attached
  // to a region with villages.
  ReportGenerator(const Catalog& catalog, const Roster& roster, SimulationOptions options);
  ~ReportGenerator();
  ReportGenerator(const ReportGenerator&) = delete;
  ReportGenerator& operator=(const ReportGenerator&) = delete;

  // Replaces `line` with the next report (compact JSON, no newline).
  void next(std::string& line, ReportMeta& meta);
  void next(std::string& line);

  // The simulated clock: reports are dated at or before it (except future_timestamp ones).
  [[nodiscard]] std::int64_t now_ms() const;
  // Moves the simulated clock, e.g. to follow the wall clock; it then advances by step_us
  // per report from there.
  void set_now(std::int64_t now_ms);

  [[nodiscard]] std::uint64_t generated() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fp
