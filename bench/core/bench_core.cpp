// Reports/s and MB/s of (a) a raw simdjson On-Demand parse extracting every field, the
// ceiling; (b) decode+validate; (c) the full core in batches of 1,000; all on the same
// simulated reports.
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <memory>
#include <string>
#include <vector>

#include "bench/core/simulated_corpus.h"
#include "processors/core.h"
#include "processors/report_reader.h"

namespace {

using fp::bench::kNowMs;
constexpr std::size_t kReports = fp::bench::kHistoryReports;

using Corpus = fp::bench::SimulatedCorpus;

const Corpus& corpus() {
  static const Corpus c = fp::bench::make_simulated_corpus(kReports);
  return c;
}

void set_counters(benchmark::State& state, const Corpus& c) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * c.lines.size()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * c.bytes));
}

// (a) The ceiling: On-Demand over every field, with the same per-message
// padded copy a Kafka payload needs.
void BM_RawParse(benchmark::State& state) {
  const Corpus& c = corpus();
  simdjson::ondemand::parser parser;
  std::string buffer;
  std::size_t sink = 0;
  for (auto _ : state) {
    for (const std::string& line : c.lines) {
      buffer.assign(line);
      buffer.resize(line.size() + simdjson::SIMDJSON_PADDING);
      simdjson::ondemand::document doc;
      if (parser.iterate(buffer.data(), line.size(), buffer.size()).get(doc)) continue;
      simdjson::ondemand::object obj;
      if (doc.get_object().get(obj)) continue;
      for (auto field : obj) {
        std::string_view key;
        if (field.unescaped_key().get(key)) break;
        simdjson::ondemand::value v;
        if (field.value().get(v)) break;
        simdjson::ondemand::json_type type;
        if (v.type().get(type)) break;
        if (type == simdjson::ondemand::json_type::object) {
          simdjson::ondemand::object inner;
          if (v.get_object().get(inner)) break;
          for (auto f : inner) {
            std::string_view k2;
            if (f.unescaped_key().get(k2)) break;
            simdjson::ondemand::value v2;
            if (f.value().get(v2)) break;
            sink += v2.raw_json_token().size() + k2.size();
          }
        } else if (type == simdjson::ondemand::json_type::string) {
          std::string_view s;
          if (v.get_string().get(s)) break;
          sink += s.size();
        } else {
          sink += v.raw_json_token().size();
        }
        sink += key.size();
      }
    }
  }
  benchmark::DoNotOptimize(sink);
  set_counters(state, c);
}
BENCHMARK(BM_RawParse)->Unit(benchmark::kMillisecond);

// (b) Decode + validate.
void BM_ReadReport(benchmark::State& state) {
  const Corpus& c = corpus();
  fp::ReportReader reader(*c.catalog, *c.roster, fp::CoreOptions{}, [] { return kNowMs; });
  fp::Report report;
  fp::Rejection why;
  std::size_t accepted = 0;
  for (auto _ : state) {
    for (const std::string& line : c.lines) accepted += reader.read(line, report, why) ? 1 : 0;
  }
  benchmark::DoNotOptimize(accepted);
  set_counters(state, c);
}
BENCHMARK(BM_ReadReport)->Unit(benchmark::kMillisecond);

// (c) The full core from empty state, batches of 1,000.
void BM_ProcessingCore(benchmark::State& state) {
  const Corpus& c = corpus();
  std::vector<fp::RawMessage> messages(c.lines.size());
  for (std::size_t i = 0; i < c.lines.size(); ++i) {
    messages[i].payload = c.lines[i];
    messages[i].offset = static_cast<std::int64_t>(i);
  }
  fp::BatchResult result;
  for (auto _ : state) {
    state.PauseTiming();
    auto core = std::make_unique<fp::ProcessingCore>(c.catalog, c.roster, fp::CoreOptions{},
                                                     [] { return kNowMs; });
    state.ResumeTiming();
    for (std::size_t i = 0; i < messages.size(); i += 1000) {
      const std::size_t n = std::min<std::size_t>(1000, messages.size() - i);
      core->process(std::span(messages).subspan(i, n), result);
    }
    state.PauseTiming();
    core.reset();
    state.ResumeTiming();
  }
  set_counters(state, c);
}
BENCHMARK(BM_ProcessingCore)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
