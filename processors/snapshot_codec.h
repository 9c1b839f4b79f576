// The self-contained snapshot of one source partition's state: the bytes a
// checkpoint carries, and their decoding against the current roster and catalog.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "processors/partition_state.h"

namespace fp {

// A decoded snapshot, not yet part of the global view: the aggregate blocks
// still have to go through Aggregator::add_block and the activity through
// CadreActivity::merge.
struct DecodedPartition {
  std::unique_ptr<PartitionState> state;
  std::vector<std::uint64_t> block_keys;
  std::vector<Int128> block_cells;  // each key's block_size cells, in order
};

// Snapshot format v2: magic "FPPS", version (4 bytes, little-endian), then
// LEB128 varints (zigzag when signed): partition, base day, the names of only
// the regions, cadres, kinds and fields the partition references (so it names
// things, not indexes, and survives a roster reload that keeps them; region
// codes and cadre ids front-coded in roster order), outcome counts, report ids grouped by
// (village, day) and front-coded in sorted order, aggregate blocks grouped by
// (level, entity, kind) with delta-coded windows and zigzag cells over the full
// int128 range, activity spans by cadre with delta-coded days and times from
// the day's start, then a 64-bit checksum of everything before it (see
// snapshot.h). Encoding sorts the partition's ids, blocks and spans, with
// about 16 bytes of scratch memory a report id and a block while it runs.
std::string encode_partition(std::int32_t partition, const PartitionState& state,
                             const Catalog& catalog, const Roster& roster,
                             const Aggregator& aggregator);

// A partial: the same format holding the partition's outcome counts, no
// report ids, and only the blocks and activity spans changed since the last
// partial (their values, never deltas), so a reader of every partition's
// partials keeps an exact copy of their figures (docs/scaling-out.md).
std::string encode_partial(std::int32_t partition, const PartitionState& state,
                           const Catalog& catalog, const Roster& roster,
                           const Aggregator& aggregator);

// Reads v2 and v1 (fixed-width, whole roster and catalog, FNV-1a). Throws
// SnapshotError when the bytes are corrupt, inconsistent (an index out of
// range, a bad level or window, counts that do not add up, a repeated id,
// block or span, trailing bytes) or name a kind or field the current catalog
// lacks or a region outside the roster's city. A region or cadre the roster no
// longer lists is added to it as former (Roster::keep_former_*), even when a
// later part of the bytes turns out corrupt: former entities without data
// change no figure. Without `with_report_ids` the ids are checked but not kept
// (a replica of a partition another instance owns needs its figures only).
DecodedPartition decode_partition(std::int32_t partition, std::string_view bytes,
                                  const Catalog& catalog, Roster& roster,
                                  const Aggregator& aggregator, std::int32_t horizon_days,
                                  bool with_report_ids = true);

}  // namespace fp
