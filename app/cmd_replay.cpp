// `fieldpulse replay` (contract section 7): the core over an NDJSON file, no Kafka.
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/summary_json.h"
#include "app/commands.h"
#include "app/config.h"
#include "ingest/file_source.h"
#include "model/civil_time.h"
#include "processors/core.h"
#include "sinks/dead_letter/dead_letter_sink.h"

namespace fp::app {
namespace {

struct ReplayOptions {
  ConfigFlags config;  // the same keys as `run`: roster, catalog, validation, dedupe
  std::string file;
  std::string dlq;
  std::string now;
  bool json = false;
};

constexpr std::size_t kBatch = 4096;
// Reads of this size stay in the L2 cache until the core decodes them.
constexpr std::size_t kReadBytes = std::size_t{512} << 10;

std::int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A one-line progress bar on stderr, redrawn at most every 1/4 s.
class ProgressBar {
 public:
  explicit ProgressBar(std::optional<std::uint64_t> total) : total_(total) {}
  void update(std::uint64_t bytes, std::uint64_t messages) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(250)) return;
    last_ = now;
    std::cerr << '\r' << messages << " messages";
    if (total_ && *total_ > 0) std::cerr << "  " << bytes * 100 / *total_ << '%';
    std::cerr << std::flush;
  }
  void finish() const { std::cerr << "\r\033[K" << std::flush; }

 private:
  std::optional<std::uint64_t> total_;
  std::chrono::steady_clock::time_point last_{};
};

void print_table(std::ostream& o, const ProcessingCore& core, const std::string& file,
                 double seconds) {
  const Summary s = core.summary();
  o << "replay of " << file << '\n';
  const auto row = [&o](std::string_view name, std::uint64_t n, int indent) {
    o << std::string(static_cast<std::size_t>(indent), ' ') << std::left << std::setw(30 - indent)
      << name << std::right << std::setw(14) << n << '\n';
  };
  row("consumed", s.consumed, 2);
  row("accepted", s.accepted, 2);
  row("duplicate", s.duplicate, 2);
  row("rejected", s.rejected, 2);
  for (std::size_t i = 0; i < kReasonCount; ++i) {
    if (s.rejected_by_reason[i] != 0) row(kReasonNames[i], s.rejected_by_reason[i], 4);
  }
  row("cadres total", s.cadres_total, 2);
  row("cadres reporting", s.cadres_reporting, 2);
  const Region& city = core.roster().region(core.roster().city());
  o << "city totals (" << city.code << ' ' << city.name << ", total window)\n";
  for (const auto& [metric, sum] : s.city_totals) {
    o << "  " << std::left << std::setw(36) << core.metric_names()[metric] << std::right
      << std::setw(24) << sum.to_string() << '\n';
  }
  o << std::fixed << std::setprecision(3) << seconds << " s";
  if (seconds > 0) {
    o << ", " << static_cast<std::uint64_t>(static_cast<double>(s.consumed) / seconds)
      << " messages/s";
  }
  o << '\n';
}

int run_replay(const ReplayOptions& opt) {
  Config config;
  try {
    config = load_config(opt.config, fieldpulse_environment());
  } catch (const ConfigError& e) {
    std::cerr << "fieldpulse replay: " << e.what() << '\n';
    return kExitUsage;
  }
  if (opt.config.print_config) {
    std::cout << render_config(config);
    return kExitOk;
  }
  std::int64_t now_ms = 0;
  bool fixed_now = false;
  if (!opt.now.empty()) {
    const auto parsed = parse_rfc3339(opt.now);
    if (!parsed) {
      std::cerr << "fieldpulse replay: --now: not an RFC 3339 timestamp with offset: " << opt.now
                << '\n';
      return kExitUsage;
    }
    now_ms = *parsed;
    fixed_now = true;
  }
  std::shared_ptr<const Catalog> catalog;
  std::shared_ptr<const Roster> roster;
  try {
    catalog = std::make_shared<const Catalog>(Catalog::load(config.catalog));
    roster = std::make_shared<const Roster>(Roster::load(config.roster));
  } catch (const DataFileError& e) {
    std::cerr << "fieldpulse replay: " << e.what() << '\n';
    return kExitUsage;
  }
  Clock clock = fixed_now ? Clock([now_ms] { return now_ms; }) : Clock(wall_clock_ms);

  std::unique_ptr<FileSource> source;
  try {
    source = std::make_unique<FileSource>(opt.file, kReadBytes);
  } catch (const std::exception& e) {
    std::cerr << "fieldpulse replay: " << e.what() << '\n';
    return kExitRuntime;
  }
  std::ofstream dlq;
  if (!opt.dlq.empty()) {
    dlq.open(opt.dlq, std::ios::binary | std::ios::trunc);
    if (!dlq) {
      std::cerr << "fieldpulse replay: --dlq: cannot write " << opt.dlq << '\n';
      return kExitRuntime;
    }
  }

  ProcessingCore core(catalog, roster, config.core_options(), clock);
  std::optional<ProgressBar> bar;
  if (::isatty(STDERR_FILENO) == 1) bar.emplace(source->size());
  const auto started = std::chrono::steady_clock::now();
  std::vector<RawMessage> batch;
  batch.reserve(kBatch);
  BatchResult result;
  std::string record;
  std::uint64_t messages = 0;
  while (source->next(batch, kBatch)) {
    core.process(batch, result);
    messages += batch.size();
    if (dlq.is_open()) {
      for (const DeadLetter& dead : result.dead_letters) {
        render_dead_letter(batch[dead.index], dead.rejection, record);
        record.push_back('\n');
        dlq.write(record.data(), static_cast<std::streamsize>(record.size()));
      }
    }
    if (bar) bar->update(source->bytes_consumed(), messages);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (bar) bar->finish();
  if (dlq.is_open()) {
    dlq.flush();
    if (!dlq) {
      std::cerr << "fieldpulse replay: --dlq: write to " << opt.dlq << " failed\n";
      return kExitRuntime;
    }
  }
  if (opt.json) {
    std::cout << render_summary_json(core, fixed_now ? now_ms : wall_clock_ms()) << '\n';
  } else {
    print_table(std::cout, core, opt.file, seconds);
  }
  std::cout.flush();
  return std::cout ? kExitOk : kExitRuntime;
}

}  // namespace

void add_replay_command(CLI::App& root, int& exit_code) {
  auto opt = std::make_shared<ReplayOptions>();
  auto* cmd = root.add_subcommand(
      "replay",
      "Aggregate an NDJSON file of reports with no Kafka and print the summary\n"
      "(for backfills and benchmarks). FILE '-' reads stdin; empty lines are skipped.\n"
      "The core's configuration keys (roster, catalog, validation.*, dedupe.*) are read as\n"
      "`run` reads them: --config, --set, FIELDPULSE_* variables.");
  add_core_config_flags(*cmd, opt->config);
  cmd->add_flag("--json", opt->json, "print the /v1/summary document instead of a table");
  cmd->add_option("--dlq", opt->dlq, "write dead-letter records (JSON Lines) to this file");
  cmd->add_option("--now", opt->now,
                  "processing clock for future_timestamp, RFC 3339 (default: the wall clock)");
  cmd->add_option("FILE", opt->file, "NDJSON file of reports, or '-' for stdin")->required();
  cmd->callback([opt, &exit_code] { exit_code = run_replay(*opt); });
}

}  // namespace fp::app
