// Everything the core keeps for one source partition (its snapshot codec is
// processors/snapshot_codec.h).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "processors/aggregator.h"
#include "processors/cadre_activity.h"
#include "processors/deduper.h"

namespace fp {

struct OutcomeCounts {
  std::uint64_t consumed = 0, accepted = 0, duplicate = 0, rejected = 0;
  std::array<std::uint64_t, kReasonCount> rejected_by_reason{};
  std::vector<std::uint64_t> accepted_by_kind;  // by KindId

  void add(const OutcomeCounts& other, int sign);
};

struct PartitionState {
  PartitionState(std::int32_t horizon_days, std::size_t kinds) : deduper(horizon_days) {
    counts.accepted_by_kind.assign(kinds, 0);
  }
  OutcomeCounts counts;
  Deduper deduper;
  PartialAggregates aggregates;
  PartialActivity activity;
  std::uint64_t partial_consumed = 0;  // counts.consumed when the last partial was taken
  // A replica (a partition another instance owns) holds the figures of the
  // messages before `through`; exact when every partial since a checkpoint (or
  // since the partition's first record) was applied.
  std::int64_t through = -1;
  bool exact = true;

  void track_changes(bool on) {
    aggregates.track_changes = activity.track_changes = on;
    aggregates.clear_changed();
    activity.clear_changed();
  }
};

}  // namespace fp
