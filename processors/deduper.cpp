#include "processors/deduper.h"

#include <bit>
#include <cstring>
#include <stdexcept>

namespace fp {
namespace {

std::uint64_t load64(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

__extension__ using Uint128 = unsigned __int128;

std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
  const Uint128 r = static_cast<Uint128>(a) * b;
  return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64);
}

}  // namespace

Deduper::Deduper(std::int32_t horizon_days) : horizon_days_(horizon_days) {
  table_.resize(kInitialSlots);
}

std::uint64_t Deduper::hash(RegionId village, std::string_view id) {
  // A short multiply-fold hash (wyhash-like): ids are 1-64 bytes.
  constexpr std::uint64_t k0 = 0xa0761d6478bd642fULL, k1 = 0xe7037ed1a0b428dbULL;
  std::uint64_t h = mix(village ^ k0, id.size() ^ k1);
  const char* p = id.data();
  std::size_t n = id.size();
  while (n >= 8) {
    h = mix(h ^ load64(p), k1);
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    std::uint64_t tail = 0;
    std::memcpy(&tail, p, n);
    h = mix(h ^ tail, k0);
  }
  return mix(h, k1 ^ village);
}

bool Deduper::insert_hashed(std::uint64_t h, RegionId village, std::string_view id,
                            std::int32_t day) {
  if (id.empty() || id.size() > 0xFFFF)
    throw std::invalid_argument("Deduper: bad report_id length");
  if ((size_ + 1) * 2 > table_.size()) {
    if (day > newest_day_) newest_day_ = day;
    rehash();
  }
  const std::size_t mask = table_.size() - 1;
  for (std::size_t i = h & mask;; i = (i + 1) & mask) {
    Entry& e = table_[i];
    if (e.id_length == 0) {
      if (arena_.size() + id.size() > UINT32_MAX) throw std::length_error("Deduper: arena full");
      e = Entry{h, village, day, static_cast<std::uint32_t>(arena_.size()),
                static_cast<std::uint32_t>(id.size())};
      arena_.insert(arena_.end(), id.begin(), id.end());
      ++size_;
      if (day > newest_day_) newest_day_ = day;
      return true;
    }
    if (e.hash == h && e.village == village && id_of(e) == id) return false;
  }
}

bool Deduper::contains(RegionId village, std::string_view id) const {
  const std::uint64_t h = hash(village, id);
  const std::size_t mask = table_.size() - 1;
  for (std::size_t i = h & mask;; i = (i + 1) & mask) {
    const Entry& e = table_[i];
    if (e.id_length == 0) return false;
    if (e.hash == h && e.village == village && id_of(e) == id) return true;
  }
}

void Deduper::rehash() {
  // Forget ids beyond the horizon, then size the table so the live ids fill at
  // most 3/8 of it: without forgetting that doubles it, and the next rehash
  // comes after a third more ids. The arena is rebuilt only when something was
  // forgotten.
  const std::int64_t oldest_kept = static_cast<std::int64_t>(newest_day_) - horizon_days_;
  std::size_t live = 0;
  for (const Entry& e : table_) {
    if (e.id_length != 0 && e.day >= oldest_kept) ++live;
  }
  const bool compact = live != size_;
  const std::size_t capacity =
      std::max<std::size_t>(kInitialSlots, std::bit_ceil((live + 1) * 8 / 3 + 1));
  HugeVector<Entry> table(capacity);
  HugeVector<char> arena;
  if (compact) arena.reserve(arena_.capacity());
  const std::size_t mask = capacity - 1;
  for (const Entry& e : table_) {
    if (e.id_length == 0 || e.day < oldest_kept) continue;
    std::size_t i = e.hash & mask;
    while (table[i].id_length != 0) i = (i + 1) & mask;
    table[i] = e;
    if (compact) {
      table[i].id_offset = static_cast<std::uint32_t>(arena.size());
      const std::string_view id = id_of(e);
      arena.insert(arena.end(), id.begin(), id.end());
    }
  }
  table_.swap(table);
  if (compact) arena_.swap(arena);
  size_ = live;
}

void Deduper::for_each(
    const std::function<void(RegionId, std::string_view, std::int32_t)>& visit) const {
  for (const Entry& e : table_) {
    if (e.id_length != 0) visit(e.village, id_of(e), e.day);
  }
}

}  // namespace fp
