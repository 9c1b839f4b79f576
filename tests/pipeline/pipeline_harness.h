// What the pipeline's component tests share: a deterministic report stream with
// figures computed independently of the pipeline, a `fieldpulse run` child, a
// blocking HTTP GET, and readers of the pipeline's JSON and Prometheus outputs.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "model/catalog.h"
#include "model/reason.h"
#include "model/roster.h"
#include "simulate/report_generator.h"
#include "tests/support/subprocess.h"

namespace fp::test {

// The shipped catalog and demo roster.
std::string catalog_path();
std::string roster_path();

struct Stream {
  std::vector<std::string> lines;
  std::vector<ReportMeta> metas;
};

// `count` simulated reports dated up to an hour ago, with fractions of bad and
// resent ones (the simulator's own deterministic generator).
Stream make_stream(std::size_t count, std::uint64_t seed, double bad, double dup);
// The same over a programme's history: event days 2018-05-01..2019-07-31 in
// event-time order with the programme's rhythm and a few percent late.
Stream make_history_stream(std::size_t count, std::uint64_t seed, double bad, double dup);

// One block's figures: its reports and each value field's exact decimal text.
struct BlockFigures {
  std::int64_t reports = 0;
  std::map<std::string, std::string> values;
  friend bool operator==(const BlockFigures&, const BlockFigures&) = default;
};
// "level|id|kind|window" -> figures.
using BlockTable = std::map<std::string, BlockFigures>;

// Figures a correct pipeline must show, computed here from the lines and the
// generator's intent, with their own JSON parsing and exact decimal sums.
struct Expected {
  std::uint64_t consumed = 0, accepted = 0, duplicate = 0, rejected = 0;
  std::map<std::string, std::uint64_t> rejected_by_reason;
  std::map<std::string, std::string> totals;  // metric -> exact decimal text
  std::map<std::string, std::string> funds_raised_by_county;
  std::size_t cadres_reporting = 0;
  std::multiset<std::string> bad_payloads;  // valid UTF-8 ones
  BlockTable blocks;  // every level (region levels by the report's village), both windows
};
Expected expect(const Stream& stream);

// One field-progress / JSON Lines row (contract section 6):
// {"level","id","name","kind","window","reports","values":{..}}, members in that order.
struct BlockRow {
  std::string key;  // level|id|kind|window, built from the members
  std::string level, name;
  BlockFigures figures;
};
// Throws std::runtime_error when `json` is not exactly that form.
BlockRow parse_block_row(std::string_view json);

// The latest figures per key of a sequence of rows (each a JSON text).
BlockTable latest_blocks(const std::vector<std::string>& rows);
// The rows of `table` (every level) whose level is in `levels`.
BlockTable only_levels(const BlockTable& table, const std::set<std::string>& levels);

// Produces lines keyed as the generator says, waiting for every acknowledgement.
void produce(const std::string& bootstrap, const std::string& topic,
             const std::vector<std::string>& lines, const std::vector<ReportMeta>& metas,
             std::size_t from, std::size_t to);

struct HttpReply {
  int status = 0;
  std::string body;
};
// Options for a `fieldpulse` child whose logs go to the test's stderr.
Subprocess::Options inherit_stderr();

// GET http://127.0.0.1:port/target; nullopt when the connection fails.
std::optional<HttpReply> http_get(std::uint16_t port, const std::string& target);

// The port of "fieldpulse: serving http://HOST:PORT/" (the first stdout line).
std::optional<std::uint16_t> serving_port(const std::string& line);

// The /v1/summary document's figures.
struct SummaryFigures {
  std::uint64_t consumed = 0, accepted = 0, duplicate = 0, rejected = 0;
  std::map<std::string, std::uint64_t> rejected_by_reason;  // non-zero only
  std::map<std::string, std::string> totals;                // raw JSON number text
  std::uint64_t cadres_reporting = 0;
};
std::optional<SummaryFigures> parse_summary(const std::string& json);

// Polls GET target until `done(reply)` or the deadline; returns the last 200 reply.
// Outputs that trail the summary (sink acknowledgements, the lag sampler) are
// awaited this way rather than read once.
std::optional<HttpReply> await_get(std::uint16_t port, const std::string& target,
                                   const std::function<bool(const HttpReply&)>& done,
                                   std::chrono::seconds deadline);

// Polls /v1/summary until `done(figures)` or the deadline; returns the last figures.
std::optional<SummaryFigures> await_summary(std::uint16_t port,
                                            const std::function<bool(const SummaryFigures&)>& done,
                                            std::chrono::seconds deadline);

// One row of a /v1/progress answer; `value` is the exact decimal's shortest text.
struct ProgressApiRow {
  std::string id, metric, value;
  std::int64_t reports = 0;
};
// GET `target` (a /v1/progress query); no rows when it does not answer 200.
std::vector<ProgressApiRow> progress_api_rows(std::uint16_t port, const std::string& target);
// The rows of `level` for `metric`: id -> value, zeros left out.
std::map<std::string, std::string> progress_by_id(std::uint16_t port, const std::string& level,
                                                  const std::string& metric);

// One sample of the Prometheus text: `name{labels}` -> value, e.g.
// metric_value(text, "fieldpulse_reports_rejected_total{reason=\"bad_value\"}").
std::optional<double> metric_value(const std::string& exposition, std::string_view series);

// An exact decimal's shortest text from a JSON number token ("12.50" -> "12.5").
std::string canonical_number(std::string_view token);

// A `fieldpulse run` child of the demo roster on an ephemeral HTTP port, with
// checkpoints every second; `extra` flags are appended. Its stderr goes to the
// test's unless `options` say otherwise.
class RunProcess {
 public:
  RunProcess(const std::string& bootstrap, const std::string& group,
             std::vector<std::string> extra = {}, Subprocess::Options options = inherit_stderr());
  [[nodiscard]] std::uint16_t port() const { return port_; }
  Subprocess& process() { return *process_; }

  // SIGTERM (a drain); the exit status and how long the drain took.
  std::pair<std::optional<int>, std::chrono::milliseconds> terminate();

 private:
  std::unique_ptr<Subprocess> process_;
  std::uint16_t port_ = 0;
};

// Every figure of the summary equals the expected one (gtest expectations).
void expect_summary_equals(const SummaryFigures& got, const Expected& want);
// Waits until `run` has consumed every sent message, then checks its summary.
void expect_everything_counted(RunProcess& run, const Expected& want);

}  // namespace fp::test
