// Exact sums and report counts per (level, entity, metric, window), per partition and global.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "processors/core_queries.h"
#include "processors/flat_index.h"
#include "processors/growable_array.h"
#include "processors/progress_key.h"
#include "processors/report.h"

namespace fp {

// All metrics of one kind for one (level, entity, window) move together, so
// they live in one block: [reports, sum of field 0, sum of field 1, ..]. The
// "<kind>.count" metric is `reports` in thousandths.
//
// A block key packs level (3 bits), entity (24), kind (12) and window (25)
// into 64 bits; level 7 never occurs, so ~0 stays free as the empty marker.
struct BlockKey {
  Level level;
  std::uint32_t entity;
  KindId kind;
  std::int32_t window;

  static constexpr std::uint32_t kMaxEntity = (1U << 24) - 1;
  static constexpr KindId kMaxKind = (1U << 12) - 1;
  static constexpr std::int32_t kWindowBias = 1 << 24;

  static constexpr std::uint64_t pack(Level level, std::uint32_t entity, KindId kind,
                                      std::int32_t window) {
    return (static_cast<std::uint64_t>(level) << 61) | (static_cast<std::uint64_t>(entity) << 37) |
           (static_cast<std::uint64_t>(kind) << 25) |
           static_cast<std::uint64_t>(static_cast<std::uint32_t>(window + kWindowBias));
  }
  static constexpr BlockKey unpack(std::uint64_t k) {
    return {static_cast<Level>(k >> 61), static_cast<std::uint32_t>((k >> 37) & kMaxEntity),
            static_cast<KindId>((k >> 25) & kMaxKind),
            static_cast<std::int32_t>(k & ((1U << 25) - 1)) - kWindowBias};
  }
};

// One partition's partial aggregates. Each entry maps a block key to the
// block's offset in `cells` (a) and the offset of the global block's header
// in the global cells (b).
struct PartialAggregates {
  FlatIndex index;
  GrowableArray<Int128> cells;
};

// The global view (sum of every partition's partials) plus the hot path that
// adds a report to a partition and to the global view at once, and records
// which global blocks moved in the current batch.
//
// While a single partition contributes (solo), the global view would equal its
// partials, so no copy is kept: reads and changes come from that partition and
// the hot path updates each block once. Adding to any other partition first
// builds the global copy (unsolo), so the view stays right as partitions come
// and go; the owner calls solo() again when one partition is left.
class Aggregator {
 public:
  Aggregator(const Catalog& catalog, const Roster& roster);

  // Number of cells in a block of `kind` (reports + its fields).
  [[nodiscard]] std::uint32_t block_size(KindId kind) const { return block_size_[kind]; }
  [[nodiscard]] MetricId first_metric(KindId kind) const { return first_metric_[kind]; }
  [[nodiscard]] std::size_t metric_count() const { return metric_kind_.size(); }
  [[nodiscard]] KindId metric_kind(MetricId m) const { return metric_kind_[m]; }
  [[nodiscard]] std::uint32_t metric_slot(MetricId m) const { return metric_slot_[m]; }

  // A report adds to ten blocks: five levels x {total, its CST day}.
  static constexpr int kBlocks = 10;

  // A report on its way through add_staged(): its block keys, then the offsets
  // of its blocks in the partition's cells (local) and the global cells (global).
  struct Staged {
    PartialAggregates* part;
    const Report* report;
    std::uint64_t keys[kBlocks];
    std::uint32_t local[kBlocks];
    std::uint32_t global[kBlocks];
  };

  void begin_batch();
  void add(PartialAggregates& part, const Report& report);
  // add() for a run of reports in three passes, so the cache misses of many
  // reports overlap instead of each stalling in turn: stage() computes a
  // report's keys and starts loading its index slots; add_staged() finds or
  // inserts every block of the run (starting the loads of the cells), then adds
  // the values. The result equals add() of each report in order; `report`
  // must stay valid until add_staged().
  void stage(PartialAggregates& part, const Report& report, Staged& out) const;
  void add_staged(std::span<Staged> run);
  // Appends one change per moved (key, metric) of this batch, with its global
  // value, and the key of each moved block once to `blocks`.
  void collect_changes(std::vector<ProgressChange>& out, std::vector<std::uint64_t>& blocks) const;
  // Appends one change per metric of block `key` with its global value; none
  // when the block holds no data.
  void block_changes(std::uint64_t key, std::vector<ProgressChange>& out) const;

  // Adds a block's values to a partition (and the global view), e.g. on restore.
  void add_block(PartialAggregates& part, std::uint64_t key, const Int128* values);
  // Removes a partition's contribution from the global view (drop).
  void subtract(const PartialAggregates& part);

  // Declares `part` the only partition with data: the global copy is released
  // and the view reads `part` until a block is added to another partition.
  void solo(PartialAggregates& part);
  [[nodiscard]] bool is_solo() const { return sole_ != nullptr; }

  // Read side over the global view.
  [[nodiscard]] const Int128* find(std::uint64_t key) const;
  void query(const ProgressQuery& query, std::vector<ProgressRow>& out) const;
  [[nodiscard]] std::vector<std::pair<MetricId, DecimalSum>> city_totals() const;

 private:
  // A global block in cells_ is [header, reports, sums..]; the header holds
  // the key and the last batch that moved the block, so the hot path touches
  // one place per block. Scans walk index_.

  // A block moved in this batch while solo: its key and offset in the partition's cells.
  struct SoloMove {
    std::uint64_t key;
    std::uint32_t offset;
  };

  std::uint32_t global_block(std::uint64_t key, KindId kind);  // header offset
  // The partition's block for `key` (n cells), appended to its cells if new.
  FlatIndex::Slot* local_block(PartialAggregates& part, std::uint64_t key, std::uint32_t n,
                               bool& inserted);
  // One change per metric of a block (cells: [reports, sums..]), with its values.
  void append_changes(std::uint64_t key, const Int128* cells,
                      std::vector<ProgressChange>& out) const;
  void resolve_solo(Staged& s);
  void resolve_shared(Staged& s);
  void apply_solo(const Staged& s);
  void apply_shared(const Staged& s);
  // Builds the global copy from the solo partition, keeping this batch's moves.
  void unsolo();
  void reset_global();
  [[nodiscard]] std::size_t block_count() const;
  void append_rows(std::uint64_t key, const Int128* cells, std::optional<MetricId> metric,
                   std::vector<ProgressRow>& out) const;

  const Catalog& catalog_;
  const Roster& roster_;
  std::vector<std::uint32_t> block_size_;   // by kind
  std::vector<MetricId> first_metric_;      // by kind
  std::vector<KindId> metric_kind_;         // by metric
  std::vector<std::uint32_t> metric_slot_;  // by metric: 0 = count, 1 + field index

  FlatIndex index_;  // key -> (header offset in cells_, unused)
  GrowableArray<Int128> cells_;
  std::uint32_t batch_ = 0;
  std::vector<std::uint32_t> moved_;  // header offsets of blocks moved in this batch
  // Solo: the one partition with data (its index's b is the batch that last moved the block).
  PartialAggregates* sole_ = nullptr;
  std::vector<SoloMove> solo_moved_;
};

}  // namespace fp
