// The workload the core benchmarks share: the shipped catalog and demo roster, and a
// simulated history of the programme (seed 7, event days 2018-05-01..2019-07-31 with
// the daily and weekly rhythm, 3% late, 1% malformed, 1% resends, processing clock
// 2019-08-01T12:00:00+08:00), each report as its own string the way a Kafka payload
// arrives.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "model/catalog.h"
#include "model/civil_time.h"
#include "model/roster.h"
#include "simulate/report_generator.h"

namespace fp::bench {

inline constexpr std::int64_t kNowMs = 1564632000000LL;  // 2019-08-01T12:00:00+08:00
inline constexpr std::size_t kHistoryReports = 1'000'000;

struct SimulatedCorpus {
  std::shared_ptr<const Catalog> catalog;
  std::shared_ptr<const Roster> roster;
  std::vector<std::string> lines;
  std::vector<std::string> keys;  // each report's Kafka key (its village code)
  std::size_t bytes = 0;
};

// The same as `fieldpulse simulate --seed 7 --now 2019-08-01T12:00:00+08:00 --from
// 2018-05-01 --to 2019-07-31 --count N --bad 0.01 --dup 0.01`.
inline SimulatedCorpus make_simulated_corpus(std::size_t reports = kHistoryReports) {
  SimulatedCorpus out;
  out.catalog = std::make_shared<const Catalog>(Catalog::load(FP_DATA_DIR "/catalog.toml"));
  out.roster = std::make_shared<const Roster>(Roster::load(FP_DATA_DIR "/zhanjiang-roster.json"));
  SimulationOptions sim;
  sim.seed = 7;
  sim.now_ms = kNowMs;
  sim.bad_ppm = 10000;  // 1% malformed
  sim.dup_ppm = 10000;  // 1% resends
  sim.history = SimulationOptions::History{cst_midnight_ms(2018, 5, 1), cst_midnight_ms(2019, 8, 1),
                                           reports, 30'000};
  ReportGenerator generator(*out.catalog, *out.roster, sim);
  ReportMeta meta;
  out.lines.resize(reports);
  out.keys.resize(reports);
  for (std::size_t i = 0; i < reports; ++i) {
    generator.next(out.lines[i], meta);
    out.keys[i] = meta.key;
    out.bytes += out.lines[i].size();
  }
  return out;
}

}  // namespace fp::bench
