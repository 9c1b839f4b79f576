// The processing core: decode -> validate -> dedupe -> aggregate over batches,
// with per-source-partition state, and the read-side queries sinks render.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "processors/message.h"

namespace fp {

using MetricId = std::uint16_t;  // index into Catalog::metric_names()

inline constexpr std::int32_t kTotalWindow = -1;  // else a CST day number

// One aggregate cell: (level, entity, metric, window). entity is a RegionId
// for region levels and a CadreId for Level::cadre.
struct ProgressKey {
  Level level = Level::city;
  std::uint32_t entity = 0;
  MetricId metric = 0;
  std::int32_t window = kTotalWindow;
  friend bool operator==(const ProgressKey&, const ProgressKey&) = default;
};

struct ProgressValue {
  DecimalSum value;          // for "<kind>.count" metrics, the count in thousandths
  std::int64_t reports = 0;  // accepted reports that contributed
};

struct ProgressChange {
  ProgressKey key;
  ProgressValue value;  // the new global value
};

// The progress keys that always move together: every metric of one report kind
// for one (level, id, window). An opaque value outside the core.
using ProgressBlockId = std::uint64_t;

struct DeadLetter {
  std::size_t index = 0;  // position of the message in the batch
  Rejection rejection;
};

// What one batch did. Reused across batches to avoid allocation.
struct BatchResult {
  std::size_t accepted = 0;
  std::size_t duplicate = 0;
  std::size_t rejected = 0;
  std::array<std::size_t, kReasonCount> rejected_by_reason{};
  std::vector<std::uint32_t> accepted_by_kind;  // indexed by KindId
  std::vector<DeadLetter> dead_letters;
  // The blocks this batch moved (their values: ProcessingCore::block_changes). A
  // block moved in several partitions appears once for each.
  std::vector<ProgressBlockId> moved_blocks;
  void clear();
};

struct Summary {
  std::uint64_t consumed = 0, accepted = 0, duplicate = 0, rejected = 0;
  std::array<std::uint64_t, kReasonCount> rejected_by_reason{};
  std::size_t cadres_total = 0, cadres_reporting = 0;
  std::vector<std::pair<MetricId, DecimalSum>> city_totals;  // metrics with data
};

struct ProgressQuery {
  Level level = Level::city;
  std::optional<std::uint32_t> entity;      // none: every entity of the level
  std::optional<MetricId> metric;           // none: every metric
  std::int32_t from_window = kTotalWindow;  // kTotalWindow, or a CST day range
  std::int32_t to_window = kTotalWindow;
};

struct ProgressRow {
  ProgressKey key;
  ProgressValue value;
};

struct SilentCadre {
  CadreId cadre = 0;
  std::optional<std::int64_t> last_report_ms;  // none: never reported
};

struct Completeness {
  RegionId region = 0;
  std::size_t reported = 0;  // cadres attached within who reported that day
  std::size_t total = 0;     // cadres attached within
};

struct PartitionState;

// Single-threaded by design: the owner calls every member from one thread (or
// one Asio strand); nothing inside locks. Read-side calls are cheap enough to
// run between batches on the same strand.
class ProcessingCore {
 public:
  ProcessingCore(std::shared_ptr<const Catalog> catalog, std::shared_ptr<const Roster> roster,
                 CoreOptions options, Clock clock);
  ~ProcessingCore();
  ProcessingCore(const ProcessingCore&) = delete;
  ProcessingCore& operator=(const ProcessingCore&) = delete;

  // Runs every message through the stages; fills `out` (cleared first).
  void process(std::span<const RawMessage> batch, BatchResult& out);

  // Per-source-partition state, so a partition's state can move between
  // instances: a self-contained snapshot and its restore.
  [[nodiscard]] std::string snapshot_partition(std::int32_t partition) const;
  void restore_partition(std::int32_t partition, std::string_view snapshot);  // throws on corrupt
  void drop_partition(std::int32_t partition);

  // Read side.
  [[nodiscard]] Summary summary() const;
  [[nodiscard]] std::vector<ProgressRow> progress(const ProgressQuery& query) const;
  // Appends a block's keys with their current global values (as in `changes`);
  // nothing when the block holds no data.
  void block_changes(ProgressBlockId block, std::vector<ProgressChange>& out) const;
  // block_changes() of those `blocks` that are city or county total-window
  // blocks (the figures Prometheus shows), each once.
  void headline_changes(std::span<const ProgressBlockId> blocks,
                        std::vector<ProgressChange>& out) const;
  [[nodiscard]] std::vector<SilentCadre> silent_cadres(std::int64_t as_of_ms, int days) const;
  [[nodiscard]] std::vector<Completeness> completeness(Level level, std::int32_t cst_day) const;
  // Latest accepted `at` of a cadre (none: never reported).
  [[nodiscard]] std::optional<std::int64_t> last_report_ms(CadreId cadre) const;

  [[nodiscard]] const Catalog& catalog() const;
  [[nodiscard]] const Roster& roster() const;
  [[nodiscard]] const std::vector<std::string>& metric_names() const;

 private:
  struct Impl;
  struct Pending;
  void finish(Pending& pending, BatchResult& out);
  void reject_outside_horizon(const Pending& pending, BatchResult& out);
  void reject(PartitionState& part, std::size_t index, const Rejection& why, BatchResult& out);
  std::unique_ptr<Impl> impl_;
};

}  // namespace fp
