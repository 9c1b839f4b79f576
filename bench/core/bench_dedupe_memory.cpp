// What remembering report ids for a programme's life costs: bytes per id and
// insert time for 1 M and 10 M ids shaped like a phone's ("zj-2019-07-28-0451-003").
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>

#include "processors/deduper.h"

namespace {

void BM_DedupeRemember(benchmark::State& state) {
  const auto ids = static_cast<std::int64_t>(state.range(0));
  for (auto _ : state) {
    fp::Deduper deduper;
    char id[32];
    for (std::int64_t i = 0; i < ids; ++i) {
      const std::int32_t day = 17'652 + static_cast<std::int32_t>(i * 457 / ids);  // 15 months
      const int d = day - 17'652;
      const int n = std::snprintf(id, sizeof id, "zj-%04d-%02d-%02d-%04d-%03d", 2018 + d / 365,
                                  1 + d % 365 / 31, 1 + d % 31, static_cast<int>(i % 1230),
                                  static_cast<int>(i / 1230 % 1000));
      const auto village = static_cast<fp::RegionId>(i % 1600);
      benchmark::DoNotOptimize(
          deduper.insert(village, std::string_view(id, static_cast<std::size_t>(n)), day));
    }
    state.counters["bytes_per_id"] =
        static_cast<double>(deduper.memory_bytes()) / static_cast<double>(deduper.size());
    state.counters["MB"] = static_cast<double>(deduper.memory_bytes()) / 1e6;
  }
  state.SetItemsProcessed(state.iterations() * ids);
}
BENCHMARK(BM_DedupeRemember)
    ->Arg(1'000'000)
    ->Arg(10'000'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
