// `fieldpulse simulate` (contract section 7): synthetic cadres' reports to Kafka or NDJSON.
#include <signal.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "app/commands.h"
#include "kafka/producer.h"
#include "model/catalog.h"
#include "model/civil_time.h"
#include "model/roster.h"
#include "simulate/report_generator.h"

namespace fp::app {
namespace {

using SteadyClock = std::chrono::steady_clock;

struct SimulateOptions {
  std::string brokers;
  std::string out;
  std::string roster = FP_DATA_DIR "/zhanjiang-roster.json";
  std::string catalog = FP_DATA_DIR "/catalog.toml";
  std::string topic = "field-reports";
  std::string now;
  double rate = 0;
  std::optional<std::uint64_t> count;
  std::uint64_t seed = 1;
  double bad = 0;
  double dup = 0;
  std::string from;
  std::string to;
  std::optional<double> late;
  std::vector<std::string> properties;
};

constexpr std::uint64_t kDefaultCount = 10'000;  // without --rate
constexpr std::uint64_t kUnlimited = UINT64_MAX;
constexpr std::size_t kMaxBatch = 4096;

volatile sig_atomic_t g_stop_requested = 0;

extern "C" void request_stop(int /*signal_number*/) { g_stop_requested = 1; }

// SIGINT/SIGTERM end the run after the current batch; deliveries are still awaited.
void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = request_stop;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "fieldpulse simulate: %s\n", message.c_str());
  return kExitUsage;
}

// CST midnight of a YYYY-MM-DD day; nullopt unless it is a real calendar day.
std::optional<std::int64_t> parse_cst_day(const std::string& text) {
  int year = 0, month = 0, day = 0;
  char tail = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' ||
      std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &year, &month, &day, &tail) != 3 || month < 1 ||
      month > 12 || day < 1 || day > 31) {
    return std::nullopt;
  }
  const std::int64_t midnight = cst_midnight_ms(year, month, day);
  std::string round_trip;
  append_cst_date(midnight, round_trip);
  if (round_trip != text) return std::nullopt;  // e.g. 2019-02-30
  return midnight;
}

// --from/--to/--late into sim.history; 0 or a usage error's exit code.
int set_history(const SimulateOptions& options, std::uint64_t count, SimulationOptions& sim) {
  if (options.from.empty() != options.to.empty()) {
    return usage_error(options.from.empty() ? "--to: needs --from as well"
                                            : "--from: needs --to as well");
  }
  if (options.from.empty()) {
    return options.late ? usage_error("--late: only with --from and --to") : 0;
  }
  const auto from = parse_cst_day(options.from);
  if (!from) return usage_error("--from: '" + options.from + "' is not a day YYYY-MM-DD");
  const auto to = parse_cst_day(options.to);
  if (!to) return usage_error("--to: '" + options.to + "' is not a day YYYY-MM-DD");
  if (*from > *to) return usage_error("--from: " + options.from + " is after --to " + options.to);
  if (*from < kProgrammeStartMs) {
    return usage_error("--from: " + options.from +
                       " is before the programme start 2018-05-01 (reports would be too_old)");
  }
  const std::int64_t end_of_today = sim.now_ms - cst_time_of_day(sim.now_ms) + kMsPerDay;
  if (*to + kMsPerDay > end_of_today) {
    return usage_error("--to: " + options.to + " is after the processing clock's day " +
                       format_rfc3339_cst(sim.now_ms).substr(0, 10) +
                       " (--now; reports would be future_timestamp)");
  }
  SimulationOptions::History history;
  history.from_ms = *from;
  history.to_ms = *to + kMsPerDay;
  history.reports = count;
  if (options.late) {
    history.late_ppm = static_cast<std::uint32_t>(std::llround(*options.late * 1e6));
  }
  sim.history = history;
  sim.step_us = 0;  // --rate paces the sending only
  return 0;
}

// Where the lines go: an NDJSON file or a Kafka topic.
class LineSink {
 public:
  virtual ~LineSink() = default;
  virtual void write(std::string_view line, std::string_view key) = 0;
  // Waits until everything is written or acknowledged; false on any failure.
  virtual bool finish(std::string& summary) = 0;
};

class FileLineSink final : public LineSink {
 public:
  explicit FileLineSink(FILE* file, bool owned) : file_(file), owned_(owned) {
    std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
  }
  ~FileLineSink() override {
    if (owned_) std::fclose(file_);
  }
  void write(std::string_view line, std::string_view /*key*/) override {
    std::fwrite(line.data(), 1, line.size(), file_);
    std::fputc('\n', file_);
  }
  bool finish(std::string& summary) override {
    const bool ok = std::fflush(file_) == 0 && std::ferror(file_) == 0;
    if (!ok) summary = "write error: " + std::generic_category().message(errno);
    return ok;
  }

 private:
  FILE* file_;
  bool owned_;
};

class KafkaLineSink final : public LineSink {
 public:
  KafkaLineSink(std::unique_ptr<kafka::Producer> producer, std::string topic)
      : producer_(std::move(producer)), topic_(std::move(topic)) {}
  void write(std::string_view line, std::string_view key) override {
    try {
      producer_->produce({.topic = topic_, .key = key, .value = line});
    } catch (const kafka::ProduceError& e) {
      if (refused_++ == 0) {
        std::fprintf(stderr, "fieldpulse simulate: a report was not sent: %s\n",
                     rd_kafka_err2str(e.code()));
      }
    }
  }
  bool finish(std::string& summary) override {
    producer_->flush(std::chrono::hours(24));
    const std::uint64_t failed = producer_->failed() + refused_;
    summary = "delivered " + std::to_string(producer_->delivered()) + ", failed " +
              std::to_string(failed);
    return failed == 0 && producer_->delivered() == producer_->produced();
  }

 private:
  std::unique_ptr<kafka::Producer> producer_;
  std::string topic_;
  std::uint64_t refused_ = 0;
};

struct Tally {
  std::uint64_t sent = 0, valid = 0, duplicate = 0, bad = 0;
  std::vector<std::uint64_t> by_kind;
  std::array<std::uint64_t, kReasonCount> by_reason{};

  void add(const ReportMeta& meta) {
    ++sent;
    if (meta.intent == ReportIntent::bad) {
      ++bad;
      ++by_reason[static_cast<std::size_t>(meta.reason)];
      return;
    }
    if (meta.intent == ReportIntent::duplicate) {
      ++duplicate;
    } else {
      ++valid;
    }
    if (meta.kind) ++by_kind[*meta.kind];
  }
};

// The stderr progress line, rewritten in place; only on a terminal.
class ProgressLine {
 public:
  ProgressLine() : enabled_(::isatty(STDERR_FILENO) == 1) {}
  void update(const Tally& tally, SteadyClock::time_point start, bool force = false) {
    if (!enabled_) return;
    const auto now = SteadyClock::now();
    if (!force && now - last_ < std::chrono::milliseconds(250)) return;
    last_ = now;
    const double seconds = std::chrono::duration<double>(now - start).count();
    std::fprintf(stderr, "\rsimulate: %llu sent (%llu bad, %llu dup), %.0f reports/s   ",
                 static_cast<unsigned long long>(tally.sent),
                 static_cast<unsigned long long>(tally.bad),
                 static_cast<unsigned long long>(tally.duplicate),
                 seconds > 0 ? static_cast<double>(tally.sent) / seconds : 0.0);
    shown_ = true;
  }
  void end() {
    if (shown_) std::fputc('\n', stderr);
  }

 private:
  bool enabled_;
  bool shown_ = false;
  SteadyClock::time_point last_{};
};

// Generates `count` reports (or until a stop signal) at `rate` per second (0: as fast as
// the sink takes them), in batches paced by the steady clock.
void run_loop(ReportGenerator& generator, LineSink& sink, double rate, std::uint64_t count,
              Tally& tally, SteadyClock::time_point start) {
  ProgressLine progress;
  std::string line;
  ReportMeta meta;
  while (tally.sent < count && g_stop_requested == 0) {
    std::uint64_t batch = std::min<std::uint64_t>(count - tally.sent, kMaxBatch);
    if (rate > 0) {
      const double elapsed = std::chrono::duration<double>(SteadyClock::now() - start).count();
      const auto due = static_cast<std::uint64_t>(elapsed * rate) + 1;
      batch = std::min(batch, due > tally.sent ? due - tally.sent : 0);
      if (batch == 0) {
        // Sleep until the next report is due, but at least 5 ms so that batches form.
        const auto next_due =
            start + std::chrono::duration_cast<SteadyClock::duration>(
                        std::chrono::duration<double>(static_cast<double>(tally.sent) / rate));
        const auto now = SteadyClock::now();
        std::this_thread::sleep_until(std::clamp(next_due, now + std::chrono::milliseconds(5),
                                                 now + std::chrono::milliseconds(100)));
        continue;
      }
    }
    for (std::uint64_t i = 0; i < batch; ++i) {
      generator.next(line, meta);
      sink.write(line, meta.key);
      tally.add(meta);
    }
    progress.update(tally, start);
  }
  progress.update(tally, start, true);
  progress.end();
}

std::string format_summary(const Tally& tally, const Catalog& catalog, double seconds,
                           const std::string& sink_summary) {
  char head[256];
  std::snprintf(
      head, sizeof head,
      "sent %llu reports (valid %llu, duplicate %llu, bad %llu) in %.3f s, %.0f "
      "reports/s",
      static_cast<unsigned long long>(tally.sent), static_cast<unsigned long long>(tally.valid),
      static_cast<unsigned long long>(tally.duplicate), static_cast<unsigned long long>(tally.bad),
      seconds, seconds > 0 ? static_cast<double>(tally.sent) / seconds : 0.0);
  std::string out = std::string("fieldpulse simulate: ") + head;
  if (!sink_summary.empty()) out += "; " + sink_summary;
  out += "\n  by kind (valid and duplicate):";
  for (std::size_t k = 0; k < tally.by_kind.size(); ++k) {
    if (tally.by_kind[k] > 0) {
      out +=
          " " + catalog.kind(static_cast<KindId>(k)).name + "=" + std::to_string(tally.by_kind[k]);
    }
  }
  if (tally.bad > 0) {
    out += "\n  bad by reason:";
    for (std::size_t r = 0; r < kReasonCount; ++r) {
      if (tally.by_reason[r] > 0) {
        out += " " + std::string(kReasonNames[r]) + "=" + std::to_string(tally.by_reason[r]);
      }
    }
  }
  out += '\n';
  return out;
}

int run_simulate(const SimulateOptions& options) {
  if (options.brokers.empty() == options.out.empty()) {
    return usage_error("exactly one of --brokers or --out is required");
  }
  if (options.count && *options.count == 0) return usage_error("--count: must be at least 1");
  std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  if (!options.now.empty()) {
    const auto parsed = parse_rfc3339(options.now);
    if (!parsed) return usage_error("--now: '" + options.now + "' is not an RFC 3339 timestamp");
    if (*parsed < kEarliestSimulationStartMs) {
      return usage_error("--now: must be 2018-05-02T00:00:00+08:00 or later");
    }
    now_ms = *parsed;
  }

  std::optional<Catalog> catalog;
  std::optional<Roster> roster;
  try {
    catalog = Catalog::load(options.catalog);
  } catch (const DataFileError& e) {
    return usage_error(std::string("--catalog: ") + e.what());
  }
  try {
    roster = Roster::load(options.roster);
  } catch (const DataFileError& e) {
    return usage_error(std::string("--roster: ") + e.what());
  }

  SimulationOptions sim;
  sim.seed = options.seed;
  sim.now_ms = now_ms;
  sim.step_us = options.rate > 0 ? std::llround(1e6 / options.rate) : 0;
  sim.bad_ppm = static_cast<std::uint32_t>(std::llround(options.bad * 1e6));
  sim.dup_ppm = static_cast<std::uint32_t>(std::llround(options.dup * 1e6));
  if (sim.bad_ppm + sim.dup_ppm > 1'000'000) {
    return usage_error("--bad, --dup: together they must not exceed 1");
  }
  // A history has a fixed size (its reports are spread over it); a live run with --rate
  // goes on until stopped.
  const bool history = !options.from.empty() || !options.to.empty();
  const std::uint64_t count =
      options.count ? *options.count : (options.rate > 0 && !history ? kUnlimited : kDefaultCount);
  if (const int status = set_history(options, count, sim); status != 0) return status;
  std::unique_ptr<ReportGenerator> generator;
  try {
    generator = std::make_unique<ReportGenerator>(*catalog, *roster, sim);
  } catch (const std::invalid_argument& e) {
    return usage_error(std::string("--roster: ") + options.roster + ": " + e.what());
  }

  std::unique_ptr<LineSink> sink;
  bool summary_to_stderr = false;
  if (!options.brokers.empty()) {
    std::vector<kafka::Property> properties;
    try {
      for (const auto& p : options.properties) properties.push_back(kafka::parse_property(p));
      properties.insert(properties.begin(), {"bootstrap.servers", options.brokers});
      sink = std::make_unique<KafkaLineSink>(
          std::make_unique<kafka::Producer>(
              kafka::Producer::Options{"simulate", properties, nullptr, nullptr}),
          options.topic);
    } catch (const kafka::ConfigError& e) {
      return usage_error(std::string("-X: ") + e.what());
    }
  } else if (options.out == "-") {
    sink = std::make_unique<FileLineSink>(stdout, false);
    summary_to_stderr = true;
  } else {
    FILE* file = std::fopen(options.out.c_str(), "wb");
    if (file == nullptr) {
      return usage_error("--out: cannot open '" + options.out +
                         "': " + std::generic_category().message(errno));
    }
    sink = std::make_unique<FileLineSink>(file, true);
  }

  install_stop_handlers();
  Tally tally;
  tally.by_kind.assign(catalog->kinds().size(), 0);
  const auto start = SteadyClock::now();
  run_loop(*generator, *sink, options.rate, count, tally, start);
  std::string sink_summary;
  const bool ok = sink->finish(sink_summary);
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  std::string summary = format_summary(tally, *catalog, seconds, sink_summary);
  summary += "  reproduce with: --seed " + std::to_string(options.seed) + " --now " +
             format_rfc3339_cst(now_ms);
  if (sim.history) {
    char late[32];
    std::snprintf(late, sizeof late, "%g", static_cast<double>(sim.history->late_ppm) / 1e6);
    summary += " --from " + options.from + " --to " + options.to + " --count " +
               std::to_string(count) + " --late " + late;
  }
  summary += "\n";
  std::fputs(summary.c_str(), summary_to_stderr ? stderr : stdout);
  return ok ? kExitOk : kExitRuntime;
}

}  // namespace

void add_simulate_command(CLI::App& root, int& exit_code) {
  auto options = std::make_shared<SimulateOptions>();
  auto* cmd = root.add_subcommand(
      "simulate",
      "Realistic synthetic field reports of the roster's cadres: kinds, magnitudes and times\n"
      "modelled on the programme's one-year figures, event times in working hours (CST) at or\n"
      "before the simulated clock, a few percent arriving days or weeks late.\n"
      "With --brokers, reports are produced keyed by village (idempotent, acks=all) and every\n"
      "delivery is awaited; exit 1 if any failed. With --out, NDJSON is written instead.\n"
      "The summary goes to stdout (stderr with --out -). The same --seed and --now (and other\n"
      "flags) give byte-identical reports. SIGINT/SIGTERM stop the run after the current batch.\n"
      "With --from DAY --to DAY, a history instead: --count reports (default 10000) spread over\n"
      "those CST days in event-time order, weekdays more than weekends, mostly 08:00-18:00,\n"
      "--late F of them dated days or weeks back; every cadre reports across the period. The\n"
      "period must lie between the programme start (2018-05-01) and the processing clock's\n"
      "day (--now), as the validator accepts no other; --rate then paces the sending only.");
  auto* brokers = cmd->add_option("--brokers", options->brokers,
                                  "produce to these bootstrap servers HOST:PORT[,HOST:PORT...]");
  auto* out = cmd->add_option("--out", options->out, "write NDJSON to FILE instead (- for stdout)");
  brokers->excludes(out);
  cmd->add_option("--roster", options->roster, "roster file")->capture_default_str();
  cmd->add_option("--catalog", options->catalog, "catalog of report kinds")->capture_default_str();
  cmd->add_option("--rate", options->rate,
                  "reports per second (0: as fast as possible); the simulated clock advances "
                  "1/R s per report")
      ->check(CLI::Validator(
          [](const std::string& text) -> std::string {
            try {
              const double rate = std::stod(text);
              if (rate >= 0 && rate <= 1e9) return {};
            } catch (const std::exception&) {
            }
            return "must be a number of reports per second from 0 to 1e9";
          },
          "0..1e9"))
      ->capture_default_str();
  cmd->add_option("--count", options->count,
                  "reports to send (default: 10000; with --rate: unlimited, until SIGINT/SIGTERM)");
  cmd->add_option("--seed", options->seed, "random seed")->capture_default_str();
  cmd->add_option("--bad", options->bad, "fraction F of malformed reports, over all 15 reasons")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--dup", options->dup,
                  "fraction F of resends of an earlier report (half byte-identical)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--now", options->now,
                  "the simulated clock's start, RFC 3339 (default: the current time); "
                  "--bad future timestamps are 30-60 days after it");
  cmd->add_option("--from", options->from,
                  "a history from this CST day, YYYY-MM-DD (with --to; 2018-05-01 or later)");
  cmd->add_option("--to", options->to,
                  "a history up to this CST day, inclusive (with --from; not after --now's day)");
  cmd->add_option("--late", options->late,
                  "with a history: fraction F dated 1-30 days before the stream position "
                  "(default 0.03)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--topic", options->topic, "topic to produce to")->capture_default_str();
  cmd->add_option("-X", options->properties,
                  "extra librdkafka property key=value (repeatable), e.g. -X linger.ms=20");
  cmd->callback([options, &exit_code] {
    try {
      exit_code = run_simulate(*options);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "fieldpulse simulate: %s\n", e.what());
      exit_code = kExitRuntime;
    }
  });
}

}  // namespace fp::app
