// What one processed batch did: its outcome counts, its dead letters and the
// aggregate cells it moved. The processing core fills it; sinks read it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/reason.h"
#include "processors/progress_key.h"

namespace fp {

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

}  // namespace fp
