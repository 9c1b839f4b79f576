// The workload the core benchmarks share: the shipped catalog and demo roster,
// and simulated reports (seed 7, clock 2019-07-30T12:00:00+08:00, 1% malformed,
// 1% resends), each as its own string the way a Kafka payload arrives.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "model/catalog.h"
#include "model/roster.h"
#include "simulate/report_generator.h"

namespace fp::bench {

inline constexpr std::int64_t kNowMs = 1564459200000LL;  // 2019-07-30T12:00:00+08:00

struct SimulatedCorpus {
  std::shared_ptr<const Catalog> catalog;
  std::shared_ptr<const Roster> roster;
  std::vector<std::string> lines;
  std::vector<std::string> keys;  // each report's Kafka key (its village code)
  std::size_t bytes = 0;
};

inline SimulatedCorpus make_simulated_corpus(std::size_t reports) {
  SimulatedCorpus out;
  out.catalog = std::make_shared<const Catalog>(Catalog::load(FP_DATA_DIR "/catalog.toml"));
  out.roster = std::make_shared<const Roster>(Roster::load(FP_DATA_DIR "/zhanjiang-roster.json"));
  SimulationOptions sim;
  sim.seed = 7;
  sim.now_ms = kNowMs;
  sim.step_us = 0;
  sim.bad_ppm = 10000;  // 1% malformed
  sim.dup_ppm = 10000;  // 1% resends
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
