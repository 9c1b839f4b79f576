// An open-addressing hash index from a packed 64-bit key to two 32-bit values, for hot paths.
#pragma once

#include <bit>
#include <cstdint>
#include <vector>

#include "model/fmix64.h"
#include "processors/huge_page_allocator.h"

namespace fp {

// Linear probing over a power-of-two table kept at most 3/4 full (between 3/8
// and 3/4 as it grows: 21-43 bytes of table a key; at most half full it took
// 32-64, the largest part of a partition's state); no erase (state only grows,
// or is rebuilt whole). ~0 is the empty marker, so callers
// never use it as a key.
class FlatIndex {
 public:
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};

  struct Slot {
    std::uint64_t key = kEmpty;
    std::uint32_t a = 0;
    std::uint32_t b = 0;
  };

  FlatIndex() { slots_.resize(16); }

  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] const HugeVector<Slot>& slots() const { return slots_; }
  // Callers may change a and b in place, never the keys.
  [[nodiscard]] HugeVector<Slot>& slots() { return slots_; }

  static std::uint64_t mix(std::uint64_t k) { return fmix64(k); }

  [[nodiscard]] const Slot* find(std::uint64_t key) const {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = mix(key) & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.key == key) return &s;
      if (s.key == kEmpty) return nullptr;
    }
  }

  // The slot for `key`; `inserted` says whether it was new (then a, b are 0
  // and the caller fills them). The pointer is valid until the next insert.
  Slot* find_or_insert(std::uint64_t key, bool& inserted) {
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = mix(key) & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.key == key) {
        inserted = false;
        return &s;
      }
      if (s.key == kEmpty) {
        s.key = key;
        ++size_;
        inserted = true;
        return &s;
      }
    }
  }

  void prefetch(std::uint64_t key) const {
    __builtin_prefetch(&slots_[mix(key) & (slots_.size() - 1)]);
  }

  void clear() {
    slots_.assign(16, Slot{});
    size_ = 0;
  }

 private:
  void grow() {
    HugeVector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    const std::size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.key == kEmpty) continue;
      std::size_t i = mix(s.key) & mask;
      while (slots_[i].key != kEmpty) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }

  HugeVector<Slot> slots_;
  std::size_t size_ = 0;
};

}  // namespace fp
