// Size and encode/decode time of partition snapshots for the state after the simulated
// 1,000,000-report history, on one partition or keyed by village over 256 (as Kafka would).
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench/core/simulated_corpus.h"
#include "processors/aggregator.h"
#include "processors/core.h"
#include "processors/snapshot.h"
#include "processors/snapshot_codec.h"

namespace {

using fp::bench::kNowMs;
constexpr std::size_t kReports = fp::bench::kHistoryReports;

struct Corpus : fp::bench::SimulatedCorpus {
  std::vector<std::uint32_t> key_hash;  // of the village code, the Kafka key
};

const Corpus& corpus() {
  static const Corpus c = [] {
    Corpus out{fp::bench::make_simulated_corpus(kReports), {}};
    out.key_hash.reserve(out.keys.size());
    for (const std::string& key : out.keys) {
      std::uint32_t h = 2166136261U;  // FNV-1a: any fixed spread of villages will do
      for (const char ch : key) h = (h ^ static_cast<unsigned char>(ch)) * 16777619U;
      out.key_hash.push_back(h);
    }
    return out;
  }();
  return c;
}

// The core after every report of the corpus, and each partition's snapshot.
struct Processed {
  std::unique_ptr<fp::ProcessingCore> core;
  std::vector<std::string> snapshots;
  std::size_t bytes = 0;
};

const Processed& processed(std::int32_t partitions) {
  static std::map<std::int32_t, Processed> cache;
  auto [it, inserted] = cache.try_emplace(partitions);
  Processed& p = it->second;
  if (!inserted) return p;
  const Corpus& c = corpus();
  p.core = std::make_unique<fp::ProcessingCore>(c.catalog, c.roster, fp::CoreOptions{},
                                                [] { return kNowMs; });
  std::vector<fp::RawMessage> batch(1000);
  fp::BatchResult result;
  for (std::size_t i = 0; i < c.lines.size(); i += batch.size()) {
    const std::size_t n = std::min(batch.size(), c.lines.size() - i);
    for (std::size_t j = 0; j < n; ++j) {
      batch[j].payload = c.lines[i + j];
      batch[j].partition =
          static_cast<std::int32_t>(c.key_hash[i + j] % static_cast<std::uint32_t>(partitions));
      batch[j].offset = static_cast<std::int64_t>(i + j);
    }
    p.core->process(std::span(batch).first(n), result);
  }
  for (std::int32_t q = 0; q < partitions; ++q) {
    p.snapshots.push_back(p.core->snapshot_partition(q));
    p.bytes += p.snapshots.back().size();
  }
  return p;
}

void set_counters(benchmark::State& state, const Processed& p) {
  state.counters["bytes_per_report"] = static_cast<double>(p.bytes) / kReports;
  state.counters["snapshot_MB"] = static_cast<double>(p.bytes) / 1e6;
  state.counters["accepted"] = static_cast<double>(p.core->summary().accepted);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(p.bytes));
}

// Every partition's snapshot, as a checkpoint round takes them.
void BM_EncodeSnapshots(benchmark::State& state) {
  const auto partitions = static_cast<std::int32_t>(state.range(0));
  const Processed& p = processed(partitions);
  for (auto _ : state) {
    for (std::int32_t q = 0; q < partitions; ++q) {
      std::string s = p.core->snapshot_partition(q);
      benchmark::DoNotOptimize(s.data());
    }
  }
  set_counters(state, p);
}
BENCHMARK(BM_EncodeSnapshots)->Arg(1)->Arg(256)->Unit(benchmark::kMillisecond);

// Decoding and checking every partition's snapshot (without adding it to a core's view).
void BM_DecodeSnapshots(benchmark::State& state) {
  const auto partitions = static_cast<std::int32_t>(state.range(0));
  const Processed& p = processed(partitions);
  const Corpus& c = corpus();
  fp::Roster roster = *c.roster;  // decoding may keep former entities in it
  const fp::Aggregator aggregator(*c.catalog, roster);
  for (auto _ : state) {
    for (std::int32_t q = 0; q < partitions; ++q) {
      fp::DecodedPartition d =
          fp::decode_partition(q, p.snapshots[static_cast<std::size_t>(q)], *c.catalog, roster,
                               aggregator, fp::CoreOptions{}.dedupe_horizon_days);
      benchmark::DoNotOptimize(d.block_keys.data());
    }
  }
  set_counters(state, p);
}
BENCHMARK(BM_DecodeSnapshots)->Arg(1)->Arg(256)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
