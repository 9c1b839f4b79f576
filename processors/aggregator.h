// Exact sums and report counts per (level, entity, metric, window), per partition, summed on read.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
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

// One partition's partial aggregates: each index entry maps a block key to the
// block's offset in `cells` (a) and (b) for a shared block (city, county,
// town) the offset of its header in the Aggregator's shared cells, for an own
// block (village, cadre) the last batch that moved it.
struct ChangedBlock {
  std::uint64_t key;
  std::uint32_t cells;  // offset of the block in the partition's cells
};

struct PartialAggregates {
  FlatIndex index;
  GrowableArray<Int128> cells;
  std::int32_t slot = -1;  // its place in the Aggregator's view; -1 until it joins
  // With change tracking on: the blocks moved since the last partial, each
  // once (`changed_bits` by cell offset), for the partition's partials.
  bool track_changes = false;
  std::vector<ChangedBlock> changed;
  std::vector<std::uint64_t> changed_bits;

  void note_changed(std::uint64_t key, std::uint32_t offset) {
    const std::size_t word = offset >> 6;
    if (word >= changed_bits.size()) changed_bits.resize(std::max(word + 1, cells.size() / 64 + 1));
    const std::uint64_t bit = std::uint64_t{1} << (offset & 63);
    if ((changed_bits[word] & bit) != 0) return;
    changed_bits[word] |= bit;
    changed.push_back({key, offset});
  }
  void clear_changed() {
    for (const ChangedBlock& b : changed) changed_bits[b.cells >> 6] = 0;
    changed.clear();
  }
};

// The hot path that adds a report to its partition's blocks, and the global
// view: the sum of every partition's partials.
//
// A village's blocks live in the one partition its reports are keyed to, and a
// cadre's in one or a few, so their global value is summed on read from the
// partitions that hold that entity (usually one lookup): no copy is kept for
// them, and they are four in five blocks on a programme's history. A town's,
// county's or the city's block gathers many partitions, so those are kept
// summed in a shared copy that the hot path updates with the partition's.
class Aggregator {
 public:
  Aggregator(const Catalog& catalog, const Roster& roster);
  // Takes in regions and cadres appended to the roster (it never renumbers).
  void roster_grew();

  // Number of cells in a block of `kind` (reports + its fields).
  [[nodiscard]] std::uint32_t block_size(KindId kind) const { return block_size_[kind]; }
  [[nodiscard]] MetricId first_metric(KindId kind) const { return first_metric_[kind]; }
  [[nodiscard]] std::size_t metric_count() const { return metric_kind_.size(); }
  [[nodiscard]] KindId metric_kind(MetricId m) const { return metric_kind_[m]; }
  [[nodiscard]] std::uint32_t metric_slot(MetricId m) const { return metric_slot_[m]; }

  // A report adds to ten blocks: five levels x {total, its CST day}; the first
  // six (city, county, town) are shared.
  static constexpr int kBlocks = 10;
  static constexpr int kSharedBlocks = 6;

  // A report on its way through add_staged(): its block keys, then the offsets
  // of its blocks in the partition's cells.
  struct Staged {
    PartialAggregates* part;
    const Report* report;
    std::uint64_t keys[kBlocks];
    std::uint32_t local[kBlocks];
    std::uint32_t shared[kBlocks];  // header offsets of the shared blocks (levels above village)
  };

  void begin_batch();
  void add(PartialAggregates& part, const Report& report);
  // add() for a run of reports in three passes, so the cache misses of many
  // reports overlap instead of each stalling in turn: stage() computes a
  // report's keys and starts loading its index slots; add_staged() finds or
  // inserts every block of the run (starting the loads of the cells), then adds
  // the values. The result equals add() of each report in order; `report`
  // must stay valid until add_staged(). A partition joins the view on its first block.
  void stage(PartialAggregates& part, const Report& report, Staged& out) const;
  void add_staged(std::span<Staged> run);
  // Appends the key of each block moved in this batch: a shared block once, an
  // own block once per partition that moved it (a cadre reporting in two).
  void collect_moved(std::vector<std::uint64_t>& blocks) const;
  // Appends one change per metric of block `key` with its global value; none
  // when the block holds no data.
  void block_changes(std::uint64_t key, std::vector<ProgressChange>& out) const;

  // Adds a block's values to a partition, e.g. on restore.
  void add_block(PartialAggregates& part, std::uint64_t key, const Int128* values);
  // Sets a partition's block to `values` (a partial from the instance that owns
  // it), keeping the shared copy in step; false when nothing changed.
  bool set_block(PartialAggregates& part, std::uint64_t key, const Int128* values);
  // Every key held in the view, each once, for which `wanted(key)` says yes.
  void keys_where(const std::function<bool(std::uint64_t)>& wanted,
                  std::vector<std::uint64_t>& out) const;
  // Takes a partition out of the view (drop); its cells are left as they are.
  void remove(PartialAggregates& part);

  // Read side over the global view. sum() writes block `key` summed over the
  // partitions ([reports, sums..], block_size cells) and says whether it has data.
  [[nodiscard]] bool sum(std::uint64_t key, Int128* out) const;
  void query(const ProgressQuery& query, std::vector<ProgressRow>& out) const;
  [[nodiscard]] std::vector<std::pair<MetricId, DecimalSum>> city_totals() const;

 private:
  // Blocks of the city, counties and towns are shared; villages' and cadres' own.
  static bool is_shared(std::uint64_t key) { return BlockKey::unpack(key).level < Level::village; }
  void join(PartialAggregates& part);
  // The partition's block for `key` (n cells), appended to its cells if new;
  // a new shared block is linked to its shared copy, a new own block noted
  // under its entity's holders.
  FlatIndex::Slot* local_block(PartialAggregates& part, std::uint64_t key, std::uint32_t n);
  std::uint32_t shared_block(std::uint64_t key, std::uint32_t n);  // header offset
  // The view slots of the partitions that hold own blocks of `key`'s entity.
  [[nodiscard]] const std::vector<std::int32_t>& holders(std::uint64_t key) const;
  void note_holder(std::uint64_t key, std::int32_t slot);
  void resolve(Staged& s);
  void apply(const Staged& s);
  // One change per metric of a block (cells: [reports, sums..]), with its values.
  void append_changes(std::uint64_t key, const Int128* cells,
                      std::vector<ProgressChange>& out) const;
  void append_rows(std::uint64_t key, const Int128* cells, std::optional<MetricId> metric,
                   std::vector<ProgressRow>& out) const;
  [[nodiscard]] std::size_t block_count() const;
  // Keys of `q`'s level, entity, kinds and windows held by any partition, each once.
  [[nodiscard]] std::vector<std::uint64_t> scan(const ProgressQuery& q, std::int32_t from,
                                                std::int32_t to) const;

  const Catalog& catalog_;
  const Roster& roster_;
  std::vector<std::uint32_t> block_size_;   // by kind
  std::vector<MetricId> first_metric_;      // by kind
  std::vector<KindId> metric_kind_;         // by metric
  std::vector<std::uint32_t> metric_slot_;  // by metric: 0 = count, 1 + field index
  std::array<std::vector<std::uint32_t>, 5> level_entities_;  // by Level: its regions or cadres

  std::vector<PartialAggregates*> parts_;  // by view slot; null where one left
  // By village (or cadre): the view slots of the partitions holding its blocks.
  std::vector<std::vector<std::int32_t>> region_holders_, cadre_holders_;
  // The shared blocks summed: [header (key, last batch that moved it), reports, sums..].
  FlatIndex shared_index_;  // key -> a: header offset in shared_cells_
  GrowableArray<Int128> shared_cells_;
  std::uint32_t batch_ = 0;
  std::vector<std::uint64_t> moved_;  // keys moved in this batch
};

}  // namespace fp
