#include "processors/deduper.h"

#include <algorithm>
#include <bit>
#include <climits>
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
  ZeroedArray<std::uint64_t>(kInitialSlots).swap(table_);
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

Deduper::Record Deduper::record_at(std::size_t offset) const {
  const char* p = at(offset);
  Record r{};
  std::memcpy(&r.village, p, 4);
  std::memcpy(&r.day, p + 4, 4);
  const auto length = static_cast<unsigned char>(p[8]);
  r.id = std::string_view(p + kRecordHeader, length);
  return r;
}

template <typename Visit>
void Deduper::for_each_record(Visit&& visit) const {
  for (std::size_t b = 0; b < blocks_.size(); ++b) {
    for (std::size_t pos = 0; pos < blocks_[b].used;) {
      const std::size_t offset = (b << kBlockBits) + pos;
      const Record r = record_at(offset);
      visit(offset, r);
      pos += kRecordHeader + r.id.size();
    }
  }
}

std::size_t Deduper::append(std::vector<Block>& blocks, RegionId village, std::int32_t day,
                            std::string_view id) {
  const std::size_t bytes = kRecordHeader + id.size();
  if (blocks.empty() || blocks.back().used + bytes > kBlockBytes) {
    if (blocks.size() == kMaxBlocks) throw std::length_error("Deduper: arena full");
    // The first block on small pages: most partitions never fill it.
    blocks.push_back({ZeroedArray<char>(kBlockBytes, /*huge_pages=*/!blocks.empty()), 0});
  }
  Block& block = blocks.back();
  char* p = block.bytes.data() + block.used;
  std::memcpy(p, &village, 4);
  std::memcpy(p + 4, &day, 4);
  p[8] = static_cast<char>(static_cast<unsigned char>(id.size()));
  std::memcpy(p + kRecordHeader, id.data(), id.size());
  const std::size_t offset = ((blocks.size() - 1) << kBlockBits) + block.used;
  block.used += bytes;
  return offset;
}

bool Deduper::same(std::uint64_t slot, RegionId village, std::string_view id) const {
  const char* p = at(static_cast<std::uint32_t>(slot) - 1);
  RegionId v = 0;
  std::memcpy(&v, p, 4);
  const auto length = static_cast<unsigned char>(p[8]);
  return v == village && length == id.size() &&
         std::memcmp(p + kRecordHeader, id.data(), length) == 0;
}

bool Deduper::insert_hashed(std::uint64_t h, RegionId village, std::string_view id,
                            std::int32_t day) {
  if (id.empty() || id.size() > kMaxIdBytes) {
    throw std::invalid_argument("Deduper: bad report_id length");
  }
  if ((size_ + 1) * 4 > table_.size() * 3) {
    if (day > newest_day_) newest_day_ = day;
    rehash();
  }
  const std::uint64_t tag = h & kTagMask;
  const std::size_t mask = table_.size() - 1;
  for (std::size_t i = h & mask;; i = (i + 1) & mask) {
    std::uint64_t& slot = table_[i];
    if (slot == 0) {
      slot = slot_of(h, append(blocks_, village, day, id));
      ++size_;
      if (day > newest_day_) newest_day_ = day;
      if (day < oldest_day_) oldest_day_ = day;
      return true;
    }
    if ((slot & kTagMask) == tag && same(slot, village, id)) return false;
  }
}

bool Deduper::contains(RegionId village, std::string_view id) const {
  const std::uint64_t h = hash(village, id);
  const std::size_t mask = table_.size() - 1;
  for (std::size_t i = h & mask;; i = (i + 1) & mask) {
    const std::uint64_t slot = table_[i];
    if (slot == 0) return false;
    if ((slot & kTagMask) == (h & kTagMask) && same(slot, village, id)) return true;
  }
}

void Deduper::rehash() {
  // Forget ids beyond the horizon, then size the table so the live ids fill at
  // most half of it: without forgetting that doubles it (a rehash comes at 3/4
  // full, so the table stays 3/8 to 3/4 full and costs 11-21 bytes an id). The arena is rebuilt
  // only when something is forgotten, and is scanned for that only when some record may be old
  // enough.
  const std::int64_t oldest_kept = horizon_days_ > 0
                                       ? static_cast<std::int64_t>(newest_day_) - horizon_days_
                                       : std::int64_t{INT32_MIN};
  std::size_t live = size_;
  if (oldest_day_ < oldest_kept) {
    live = 0;
    for_each_record([&](std::size_t, const Record& r) { live += r.day >= oldest_kept ? 1 : 0; });
  }
  const bool compact = live != size_;
  const std::size_t capacity = std::max<std::size_t>(kInitialSlots, std::bit_ceil((live + 1) * 2));
  ZeroedArray<std::uint64_t> table(capacity);
  std::vector<Block> blocks;
  std::int32_t oldest = INT32_MAX;
  const std::size_t mask = capacity - 1;
  for_each_record([&](std::size_t offset, const Record& r) {
    if (r.day < oldest_kept) return;
    // Records keep no hash (8 bytes an id less): it is computed again here.
    const std::uint64_t h = hash(r.village, r.id);
    if (compact) offset = append(blocks, r.village, r.day, r.id);
    std::size_t i = h & mask;
    while (table[i] != 0) i = (i + 1) & mask;
    table[i] = slot_of(h, offset);
    oldest = std::min(oldest, r.day);
  });
  table_.swap(table);
  if (compact) blocks_.swap(blocks);
  size_ = live;
  oldest_day_ = oldest;
}

void Deduper::for_each(
    const std::function<void(RegionId, std::string_view, std::int32_t)>& visit) const {
  for_each_record([&visit](std::size_t, const Record& r) { visit(r.village, r.id, r.day); });
}

}  // namespace fp
