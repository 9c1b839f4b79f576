// Who reported when: per (cadre, CST day) the earliest and latest report time, per partition and
// global, and the silent-cadre and completeness queries built on it.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "processors/core_queries.h"
#include "processors/flat_index.h"

namespace fp {

struct ActivitySpan {
  CadreId cadre = 0;
  std::int32_t day = 0;
  std::int64_t first_ms = 0;  // earliest accepted `at` that day
  std::int64_t last_ms = 0;   // latest accepted `at` that day
};

// One partition's activity: index key = cadre << 32 | day; a = span index,
// b = index of the matching global span.
struct PartialActivity {
  FlatIndex index;
  HugeVector<ActivitySpan> spans;
  // With change tracking on: the spans changed since the last partial, each
  // once (`changed_bits` by span index).
  bool track_changes = false;
  std::vector<std::uint32_t> changed;
  std::vector<std::uint64_t> changed_bits;

  void note_changed(std::uint32_t span) {
    const std::size_t word = span >> 6;
    if (word >= changed_bits.size()) changed_bits.resize(std::max(word + 1, spans.size() / 64 + 1));
    const std::uint64_t bit = std::uint64_t{1} << (span & 63);
    if ((changed_bits[word] & bit) != 0) return;
    changed_bits[word] |= bit;
    changed.push_back(span);
  }
  void clear_changed() {
    for (const std::uint32_t span : changed) changed_bits[span >> 6] = 0;
    changed.clear();
  }
};

// Keeping the first and last time per day (not just the day) makes "silent
// as of T over N days" exact for any T: see silent().
class CadreActivity {
 public:
  explicit CadreActivity(const Roster& roster);

  // Follows a roster that grew or changed attachments (Roster::update,
  // keep_former_*): former cadres stay in the history but leave the silent,
  // completeness and reporting figures.
  void roster_changed();

  void add(PartialActivity& part, CadreId cadre, std::int32_t day, std::int64_t at_ms);

  // add() for a run of reports in passes whose cache misses overlap, like
  // Aggregator::add_staged: stage() starts loading the index slots, add_staged()
  // finds or inserts every span of the run, then updates them. Same result as
  // add() of each in order.
  struct Staged {
    PartialActivity* part;
    CadreId cadre;
    std::int32_t day;
    std::int64_t at_ms;
    std::uint32_t local, global;  // span indexes, once found
  };
  void stage(PartialActivity& part, CadreId cadre, std::int32_t day, std::int64_t at_ms,
             Staged& out) const;
  void add_staged(std::span<Staged> run);
  // Adds a partition's spans to the global view (restore).
  void merge(PartialActivity& part);
  // Widens a partition's span to `span` (a partial from the instance that owns
  // the partition) and the global view with it.
  void merge_span(PartialActivity& part, const ActivitySpan& span);
  // Rebuilds the global view from the remaining partitions (drop).
  void rebuild(const std::vector<PartialActivity*>& parts);

  [[nodiscard]] std::size_t cadres_reporting() const { return reporting_; }
  [[nodiscard]] std::optional<std::int64_t> last_report_ms(CadreId cadre) const;

  // Current cadres with no accepted report whose `at` lies in (as_of - days*24h, as_of],
  // in roster order, each with its latest report at or before as_of. A day is
  // 24 h in CST, so for days >= 1 no CST day holds times on both sides of the
  // interval and the per-day first/last times decide exactly.
  [[nodiscard]] std::vector<SilentCadre> silent(std::int64_t as_of_ms, int days) const;

  // For every current region of `level` (roster order): current cadres attached
  // within who reported on `day` / all current cadres attached within.
  [[nodiscard]] std::vector<Completeness> completeness(Level level, std::int32_t day) const;

  static std::uint64_t key(CadreId cadre, std::int32_t day) {
    return (static_cast<std::uint64_t>(cadre) << 32) | static_cast<std::uint32_t>(day);
  }

 private:
  std::uint32_t global_span(CadreId cadre, std::int32_t day, std::int64_t at_ms);
  void note_last(CadreId cadre, std::int64_t at_ms);

  const Roster& roster_;
  // Regions a cadre counts in for completeness: its own region and every ancestor.
  std::vector<std::array<RegionId, 4>> cadre_regions_;
  std::vector<std::uint8_t> cadre_region_count_;

  FlatIndex index_;
  HugeVector<ActivitySpan> spans_;
  std::vector<std::int64_t> last_ms_;  // INT64_MIN: never reported
  std::size_t reporting_ = 0;
};

}  // namespace fp
