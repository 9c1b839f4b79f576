// The latest value of every progress key changed since the last take(), in a
// flat open-addressing table: a report moves about twenty keys, so coalescing
// runs millions of times a second and must not allocate per key or chase nodes.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <vector>

#include "processors/core.h"

namespace fp {

class ProgressCoalescer {
 public:
  // Keeps the newest value of `key`; a key keeps the position of its first put.
  void put(const ProgressKey& key, const ProgressValue& value) {
    if ((entries_.size() + 1) * 2 > slots_.size()) grow();
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash(key) & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (slot.index == 0) {
        entries_.push_back({key, value});
        slot.key = key;
        slot.index = static_cast<std::uint32_t>(entries_.size());
        return;
      }
      if (slot.key == key) {
        entries_[slot.index - 1].value = value;
        return;
      }
    }
  }

  [[nodiscard]] std::size_t size() const { return entries_.size(); }
  [[nodiscard]] bool empty() const { return entries_.empty(); }

  // Appends every coalesced change to `out` in first-put order and forgets them.
  void take(std::vector<ProgressChange>& out) {
    out.insert(out.end(), entries_.begin(), entries_.end());
    // A table left large by a burst would make every later take() clear it all.
    const std::size_t wanted = std::bit_ceil(std::max<std::size_t>(1024, entries_.size() * 4));
    if (slots_.size() > wanted) {
      slots_.assign(wanted, Slot{});
    } else {
      std::fill(slots_.begin(), slots_.end(), Slot{});
    }
    entries_.clear();
  }

 private:
  struct Slot {
    ProgressKey key;
    std::uint32_t index = 0;  // 1 + position in entries_; 0: empty
  };

  static std::size_t hash(const ProgressKey& k) {
    std::uint64_t h = (static_cast<std::uint64_t>(k.entity) << 32) ^
                      (static_cast<std::uint64_t>(k.metric) << 16) ^
                      static_cast<std::uint64_t>(k.level);
    h ^= static_cast<std::uint64_t>(static_cast<std::uint32_t>(k.window)) * 0x9E3779B97F4A7C15ULL;
    h *= 0xBF58476D1CE4E5B9ULL;
    return static_cast<std::size_t>(h ^ (h >> 31));
  }

  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
    const std::size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.index == 0) continue;
      std::size_t i = hash(s.key) & mask;
      while (slots_[i].index != 0) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }

  std::vector<ProgressChange> entries_;
  std::vector<Slot> slots_;
};

}  // namespace fp
