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

#include "model/catalog.h"
#include "model/clock.h"
#include "model/roster.h"
#include "processors/batch_result.h"
#include "processors/core_options.h"
#include "processors/core_queries.h"
#include "processors/progress_key.h"
#include "processors/raw_message.h"

namespace fp {

struct PartitionState;

// Single-threaded by design: the owner calls every member from one thread (or
// one Asio strand); nothing inside locks. Read-side calls are cheap enough to
// run between batches on the same strand.
class ProcessingCore {
 public:
  // The core keeps its own copy of the roster (reloads and restores extend it).
  ProcessingCore(std::shared_ptr<const Catalog> catalog,
                 const std::shared_ptr<const Roster>& roster, CoreOptions options, Clock clock);
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

  // Figures across instances (docs/scaling-out.md). An owner publishes each of
  // its partitions' partials; every other instance keeps a replica of that
  // partition (its figures, not its report ids) from the partition's
  // checkpoints and partials, so the read side sums every partition.
  // From now on, note what each partition changes between partials (off by
  // default: `replay` publishes none).
  void track_changes();
  // The partial of an owned partition since the last one (encode_partial), ""
  // when nothing changed.
  [[nodiscard]] std::string take_partial(std::int32_t partition);
  // A replica's updates, each carrying the offset its figures are as of:
  // restore_replica() replaces the figures with a checkpoint's, apply_partial()
  // sets what a partial carries (values, never deltas), appending the keys of
  // the blocks whose values changed. An update as of an offset the replica
  // already holds is skipped (false): applied twice, late, or repeated by a new
  // owner catching up from an older checkpoint, it changes nothing. After
  // replica_gap() (updates were lost) partials wait for the next checkpoint.
  // Both throw on corrupt input, changing nothing.
  bool restore_replica(std::int32_t partition, std::int64_t through_offset,
                       std::string_view snapshot);
  bool apply_partial(std::int32_t partition, std::int64_t through_offset, std::string_view partial,
                     std::vector<ProgressBlockId>& moved);
  void replica_gap(std::int32_t partition);
  // Whether a replica waits for a checkpoint after a gap.
  [[nodiscard]] bool replica_lags(std::int32_t partition) const;
  // An owned partition that moves away stays counted as a replica as of
  // `through_offset` (its report ids go).
  void keep_as_replica(std::int32_t partition, std::int64_t through_offset);
  // Every block key held, each once, for which `wanted(key)` is true.
  [[nodiscard]] std::vector<ProgressBlockId> block_keys_where(
      const std::function<bool(ProgressBlockId)>& wanted) const;

  // Takes `next` as the current roster (Roster::update): new villages and cadres
  // count from the next batch; entities it lacks stay as former with their
  // history. Throws DataFileError, changing nothing, when next is for another
  // city. Readers of roster() see the change at once (same thread).
  void update_roster(const Roster& next);

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
