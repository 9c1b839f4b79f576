// Duplicate detection for one source partition: (village, report_id), the first accepted wins.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "model/roster.h"
#include "processors/huge_page_allocator.h"

namespace fp {

// The set of (village, report_id) accepted in one partition. Report ids live
// in one arena and the table holds fixed-size entries, so steady-state
// inserts do not allocate.
//
// Horizon: an id whose event day is more than `horizon_days` before the
// newest event day seen in this partition may be forgotten. Forgetting
// happens only when the table would grow (at a rehash), so memory stays
// within about 3x the ids inside the horizon (24-byte slots, at most half full). A resend of a
// forgotten id would be accepted again; with the default of 400 days the
// programme's phones do not hold reports that long.
class Deduper {
 public:
  explicit Deduper(std::int32_t horizon_days);

  // true: not seen before, now remembered; false: a duplicate.
  bool insert(RegionId village, std::string_view report_id, std::int32_t day) {
    return insert_hashed(hash(village, report_id), village, report_id, day);
  }
  // The same with hash(village, report_id) computed earlier, e.g. for prefetch().
  bool insert_hashed(std::uint64_t hash, RegionId village, std::string_view report_id,
                     std::int32_t day);
  // Starts loading the slot `hash` lands in, so a later insert finds it in cache.
  void prefetch(std::uint64_t hash) const {
    __builtin_prefetch(&table_[hash & (table_.size() - 1)]);
  }

  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] std::int32_t newest_day() const { return newest_day_; }
  [[nodiscard]] bool contains(RegionId village, std::string_view report_id) const;

  // Visits every remembered id (for snapshots).
  void for_each(const std::function<void(RegionId village, std::string_view id, std::int32_t day)>&
                    visit) const;

  static std::uint64_t hash(RegionId village, std::string_view report_id);

 private:
  struct Entry {
    std::uint64_t hash = 0;
    RegionId village = 0;
    std::int32_t day = 0;
    std::uint32_t id_offset = 0;
    std::uint32_t id_length = 0;  // 0: empty slot (report ids are never empty)
  };

  [[nodiscard]] std::string_view id_of(const Entry& e) const {
    return {arena_.data() + e.id_offset, e.id_length};
  }
  void rehash();

  static constexpr std::size_t kInitialSlots = 1024;

  std::int32_t horizon_days_;
  std::int32_t newest_day_ = INT32_MIN;
  HugeVector<Entry> table_;
  HugeVector<char> arena_;
  std::size_t size_ = 0;
};

}  // namespace fp
