// The progress blocks moved since the last take(), each once, in a flat
// open-addressing set of 8-byte ids: a report moves ten blocks, so coalescing
// runs millions of times a second while a backlog is worked off and must not
// allocate per block or chase nodes. Values are not kept: whoever takes the
// blocks reads their current values from the core, which are the latest.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <span>
#include <vector>

#include "processors/progress_key.h"

namespace fp {

class ProgressCoalescer {
 public:
  ProgressCoalescer() { slots_.assign(kMinSlots, kEmpty); }

  // The set outgrows the caches while a backlog coalesces, so the slots of
  // the blocks a little ahead are prefetched and their misses overlap.
  void put_all(std::span<const ProgressBlockId> blocks) {
    constexpr std::size_t kAhead = 8;
    for (std::size_t i = 0; i < blocks.size(); ++i) {
      if ((size_ + 1) * 2 > slots_.size()) grow();
      if (i + kAhead < blocks.size()) {
        __builtin_prefetch(&slots_[hash(blocks[i + kAhead]) & (slots_.size() - 1)], 1);
      }
      put(blocks[i]);
    }
  }

  void put(ProgressBlockId block) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    ProgressBlockId& slot = find(slots_, block);
    if (slot == kEmpty) {
      slot = block;
      ++size_;
    }
  }

  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] bool empty() const { return size_ == 0; }

  // Appends every coalesced block to `out` (in no particular order) and forgets them.
  void take(std::vector<ProgressBlockId>& out) {
    out.reserve(out.size() + size_);
    for (ProgressBlockId& slot : slots_) {
      if (slot == kEmpty) continue;
      out.push_back(slot);
      slot = kEmpty;
    }
    // A table left large by a burst would make every later take() scan it all.
    const std::size_t wanted = std::bit_ceil(std::max(kMinSlots, size_ * 4));
    if (slots_.size() > wanted) slots_.assign(wanted, kEmpty);
    size_ = 0;
  }

 private:
  // No block id has every bit set (the level takes the top three bits and
  // never reaches 7).
  static constexpr ProgressBlockId kEmpty = ~ProgressBlockId{0};
  static constexpr std::size_t kMinSlots = 1024;

  static std::size_t hash(ProgressBlockId block) {
    std::uint64_t h = block * 0x9E3779B97F4A7C15ULL;
    return static_cast<std::size_t>(h ^ (h >> 29));
  }

  // The slot holding `block`, or the empty slot where it belongs.
  static ProgressBlockId& find(std::vector<ProgressBlockId>& slots, ProgressBlockId block) {
    const std::size_t mask = slots.size() - 1;
    for (std::size_t i = hash(block) & mask;; i = (i + 1) & mask) {
      ProgressBlockId& slot = slots[i];
      if (slot == kEmpty || slot == block) return slot;
    }
  }

  void grow() {
    std::vector<ProgressBlockId> old(slots_.size() * 2, kEmpty);
    old.swap(slots_);
    for (const ProgressBlockId b : old) {
      if (b != kEmpty) find(slots_, b) = b;
    }
  }

  std::vector<ProgressBlockId> slots_;
  std::size_t size_ = 0;
};

}  // namespace fp
