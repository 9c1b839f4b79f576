// The latest value of every progress key changed since the last take(), in a
// flat open-addressing table: a report moves about twenty keys, so coalescing
// runs millions of times a second and must not allocate per key or chase nodes.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <span>
#include <vector>

#include "processors/core.h"

namespace fp {

class ProgressCoalescer {
 public:
  ProgressCoalescer() { slots_.assign(kMinSlots, empty_slot()); }

  // Keeps the newest value of each key. The table outgrows the caches while a
  // backlog coalesces, so the slots of the changes a little ahead are
  // prefetched and their misses overlap.
  void put_all(std::span<const ProgressChange> changes) {
    constexpr std::size_t kAhead = 8;
    for (std::size_t i = 0; i < changes.size(); ++i) {
      if ((size_ + 1) * 2 > slots_.size()) grow();
      if (i + kAhead < changes.size()) {
        __builtin_prefetch(&slots_[hash(changes[i + kAhead].key) & (slots_.size() - 1)], 1);
      }
      put(changes[i].key, changes[i].value);
    }
  }

  void put(const ProgressKey& key, const ProgressValue& value) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    ProgressChange& slot = find(slots_, key);
    if (slot.key.level == kEmptyLevel) {
      slot.key = key;
      ++size_;
    }
    slot.value = value;
  }

  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] bool empty() const { return size_ == 0; }

  // Appends every coalesced change to `out` (in no particular order) and forgets them.
  void take(std::vector<ProgressChange>& out) {
    out.reserve(out.size() + size_);
    for (ProgressChange& slot : slots_) {
      if (slot.key.level == kEmptyLevel) continue;
      out.push_back(slot);
      slot = empty_slot();
    }
    // A table left large by a burst would make every later take() scan it all.
    const std::size_t wanted = std::bit_ceil(std::max(kMinSlots, size_ * 4));
    if (slots_.size() > wanted) slots_.assign(wanted, empty_slot());
    size_ = 0;
  }

 private:
  static constexpr auto kEmptyLevel = static_cast<Level>(0xFF);
  static constexpr std::size_t kMinSlots = 1024;

  static ProgressChange empty_slot() {
    ProgressChange slot;
    slot.key.level = kEmptyLevel;
    return slot;
  }

  static std::size_t hash(const ProgressKey& k) {
    std::uint64_t h = (static_cast<std::uint64_t>(k.entity) << 32) ^
                      (static_cast<std::uint64_t>(k.metric) << 16) ^
                      static_cast<std::uint64_t>(k.level);
    h ^= static_cast<std::uint64_t>(static_cast<std::uint32_t>(k.window)) * 0x9E3779B97F4A7C15ULL;
    h *= 0xBF58476D1CE4E5B9ULL;
    return static_cast<std::size_t>(h ^ (h >> 31));
  }

  // The slot holding `key`, or the empty slot where it belongs.
  static ProgressChange& find(std::vector<ProgressChange>& slots, const ProgressKey& key) {
    const std::size_t mask = slots.size() - 1;
    for (std::size_t i = hash(key) & mask;; i = (i + 1) & mask) {
      ProgressChange& slot = slots[i];
      if (slot.key.level == kEmptyLevel || slot.key == key) return slot;
    }
  }

  void grow() {
    std::vector<ProgressChange> old(slots_.size() * 2, empty_slot());
    old.swap(slots_);
    for (const ProgressChange& s : old) {
      if (s.key.level != kEmptyLevel) find(slots_, s.key) = s;
    }
  }

  std::vector<ProgressChange> slots_;
  std::size_t size_ = 0;
};

}  // namespace fp
