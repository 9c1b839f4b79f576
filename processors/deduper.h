// Duplicate detection for one source partition: (village, report_id), the first accepted wins.
#pragma once

#include <climits>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "model/roster.h"
#include "processors/huge_page_allocator.h"

namespace fp {

// The set of (village, report_id) accepted in one partition. Each id is a
// record in one arena (village, day, length, bytes, in insertion order);
// the table holds 8-byte slots, the upper half of the hash and the record's
// offset, so a lookup of a new id touches one table slot and nothing else,
// eight slots share a cache line, and steady-state inserts do not allocate.
//
// By default (horizon 0) every id is remembered for the life of the programme
// (contract section 4). Cost per id: its record (9 bytes + the id's bytes,
// 31 for a 22-character id) plus 16-43 bytes of table (8-byte slots at a load
// of 3/16 to 1/2), about 50-75 bytes in all (bench/core/bench_dedupe_memory).
//
// Opt-in horizon of N days: an id whose event day is more than N days before
// the newest event day seen in this partition may be forgotten, at a rehash
// (which reads the arena in order), so memory stays within about the ids inside
// the horizon. The caller must then reject every report outside the horizon
// (outside_horizon()) before insert: a forgotten id can never be accepted twice.
class Deduper {
 public:
  static constexpr std::int32_t kNoHorizon = 0;
  static constexpr std::size_t kMaxIdBytes = 255;  // the contract allows 64
  explicit Deduper(std::int32_t horizon_days = kNoHorizon);

  // Whether a report of event day `day` is older than the horizon allows, so
  // its id may already be forgotten; always false without a horizon.
  [[nodiscard]] bool outside_horizon(std::int32_t day) const {
    return horizon_days_ > 0 && newest_day_ != INT32_MIN &&
           static_cast<std::int64_t>(day) < static_cast<std::int64_t>(newest_day_) - horizon_days_;
  }
  [[nodiscard]] std::int32_t horizon_days() const { return horizon_days_; }

  // true: not seen before, now remembered; false: a duplicate.
  bool insert(RegionId village, std::string_view report_id, std::int32_t day) {
    return insert_hashed(hash(village, report_id), village, report_id, day);
  }
  // The same with hash(village, report_id) computed earlier, e.g. for prefetch().
  bool insert_hashed(std::uint64_t hash, RegionId village, std::string_view report_id,
                     std::int32_t day);
  // Starts loading the slot `hash` lands in, so a later insert finds it in cache.
  void prefetch(std::uint64_t hash) const {
    __builtin_prefetch(&table_[hash & (table_.size() - 1)], 1);
  }

  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] std::int32_t newest_day() const { return newest_day_; }
  // Bytes the table and the records fill (the arena's unfilled tail excluded).
  [[nodiscard]] std::size_t memory_bytes() const {
    std::size_t bytes = table_.size() * sizeof(std::uint64_t);
    for (const Block& b : blocks_) bytes += b.used;
    return bytes;
  }
  [[nodiscard]] bool contains(RegionId village, std::string_view report_id) const;

  // Visits every remembered id (for snapshots).
  void for_each(const std::function<void(RegionId village, std::string_view id, std::int32_t day)>&
                    visit) const;

  static std::uint64_t hash(RegionId village, std::string_view report_id);

 private:
  // A record: village (4 bytes), day (4), id length (1), then the id.
  static constexpr std::size_t kRecordHeader = 9;
  static constexpr std::uint64_t kTagMask = 0xFFFFFFFF00000000ULL;
  struct Record {
    RegionId village;
    std::int32_t day;
    std::string_view id;
  };
  // A slot: 0 when empty, else hash >> 32 above (record offset + 1).
  static std::uint64_t slot_of(std::uint64_t hash, std::size_t offset) {
    return (hash & kTagMask) | (offset + 1);
  }
  // The arena is a list of blocks of kBlockBytes, each filled up to its
  // `used`; a record never spans two blocks, so growing never moves one. A
  // record's offset is its block's index * kBlockBytes + its place in it.
  static constexpr std::size_t kBlockBits = 22;
  static constexpr std::size_t kBlockBytes = std::size_t{1} << kBlockBits;
  static constexpr std::size_t kMaxBlocks = std::size_t{1} << (32 - kBlockBits);
  struct Block {
    ZeroedArray<char> bytes;
    std::size_t used = 0;
  };
  [[nodiscard]] const char* at(std::size_t offset) const {
    return blocks_[offset >> kBlockBits].bytes.data() + (offset & (kBlockBytes - 1));
  }
  [[nodiscard]] Record record_at(std::size_t offset) const;
  // Appends a record to `blocks`; returns its offset.
  static std::size_t append(std::vector<Block>& blocks, RegionId village, std::int32_t day,
                            std::string_view id);
  // Calls visit(offset, record) for each record in order.
  template <typename Visit>
  void for_each_record(Visit&& visit) const;
  // Whether the slot's record is (village, id); its tag already matched.
  [[nodiscard]] bool same(std::uint64_t slot, RegionId village, std::string_view id) const;
  void rehash();

  static constexpr std::size_t kInitialSlots = 1024;

  std::int32_t horizon_days_;
  std::int32_t newest_day_ = INT32_MIN;
  std::int32_t oldest_day_ = INT32_MAX;  // of the records in the arena
  ZeroedArray<std::uint64_t> table_;
  std::vector<Block> blocks_;
  std::size_t size_ = 0;
};

}  // namespace fp
