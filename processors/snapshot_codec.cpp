#include "processors/snapshot_codec.h"

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "model/civil_time.h"
#include "processors/snapshot.h"

namespace fp {
namespace {

constexpr std::string_view kMagic = "FPPS";
constexpr std::uint32_t kVersion = 2;
constexpr std::uint32_t kUnused = UINT32_MAX;
constexpr std::int64_t kCstOffsetMs = 8LL * 3600 * 1000;

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

// CST midnight of `day`: span times are written relative to it, so they stay short.
std::int64_t day_start_ms(std::int32_t day) { return day * kMsPerDay - kCstOffsetMs; }

// The ids of one table (regions, cadres, kinds) a snapshot references, and
// their dense snapshot indexes in id order, so sorting by either sorts by both.
class LocalTable {
 public:
  explicit LocalTable(std::size_t ids) : local_(ids, kUnused) {}
  void mark(std::uint32_t id) { local_[id] = 0; }
  void number() {
    for (std::uint32_t id = 0; id < local_.size(); ++id) {
      if (local_[id] == kUnused) continue;
      local_[id] = static_cast<std::uint32_t>(ids_.size());
      ids_.push_back(id);
    }
  }
  [[nodiscard]] std::uint32_t local(std::uint32_t id) const { return local_[id]; }
  [[nodiscard]] const std::vector<std::uint32_t>& ids() const { return ids_; }

 private:
  std::vector<std::uint32_t> local_;
  std::vector<std::uint32_t> ids_;
};

// The deduper's report ids grouped by (village, day), groups in that order.
struct GroupedIds {
  struct Group {
    RegionId village;
    std::int32_t day;
    std::uint32_t end;  // of its ids in `ids`
  };
  std::vector<std::string_view> ids;
  std::vector<Group> groups;
};

// A counting sort over three passes of the deduper when the groups are dense
// enough (they usually are: few villages a partition, days within the dedupe
// horizon), else a sort. Either way the ids' bytes stay where they are.
GroupedIds group_ids(const Deduper& deduper, std::size_t regions) {
  GroupedIds out;
  std::vector<std::uint32_t> village_rank(regions, kUnused);
  std::int32_t min_day = INT32_MAX, max_day = INT32_MIN;
  deduper.for_each([&](RegionId village, std::string_view, std::int32_t day) {
    village_rank[village] = 0;
    min_day = std::min(min_day, day);
    max_day = std::max(max_day, day);
  });
  if (deduper.size() == 0) return out;
  std::vector<RegionId> villages;
  for (RegionId v = 0; v < regions; ++v) {
    if (village_rank[v] == kUnused) continue;
    village_rank[v] = static_cast<std::uint32_t>(villages.size());
    villages.push_back(v);
  }
  const auto days = static_cast<std::uint64_t>(std::int64_t{max_day} - min_day + 1);
  out.ids.resize(deduper.size());

  if (villages.size() * days > std::max<std::uint64_t>(4096, 2 * deduper.size())) {
    std::vector<std::pair<std::uint64_t, std::string_view>> all;
    all.reserve(deduper.size());
    deduper.for_each([&](RegionId village, std::string_view id, std::int32_t day) {
      all.emplace_back(
          (std::uint64_t{village} << 32) | static_cast<std::uint32_t>(std::int64_t{day} - min_day),
          id);
    });
    std::sort(all.begin(), all.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 0; i < all.size(); ++i) {
      out.ids[i] = all[i].second;
      if (i + 1 == all.size() || all[i + 1].first != all[i].first) {
        out.groups.push_back({static_cast<RegionId>(all[i].first >> 32),
                              static_cast<std::int32_t>(min_day + (all[i].first & UINT32_MAX)),
                              static_cast<std::uint32_t>(i + 1)});
      }
    }
    return out;
  }

  std::vector<std::uint32_t> next(villages.size() * days + 1, 0);  // counts, then positions
  const auto bucket = [&](RegionId village, std::int32_t day) {
    return village_rank[village] * days + static_cast<std::uint64_t>(std::int64_t{day} - min_day);
  };
  deduper.for_each([&](RegionId village, std::string_view, std::int32_t day) {
    ++next[bucket(village, day) + 1];
  });
  for (std::size_t b = 1; b < next.size(); ++b) {
    if (next[b] != 0) {
      out.groups.push_back(
          {villages[(b - 1) / days],
           static_cast<std::int32_t>(min_day + static_cast<std::int64_t>((b - 1) % days)),
           next[b - 1] + next[b]});
    }
    next[b] += next[b - 1];
  }
  deduper.for_each([&](RegionId village, std::string_view id, std::int32_t day) {
    out.ids[next[bucket(village, day)]++] = id;
  });
  return out;
}

// An id by the 16 bytes after the prefix all ids of its group share,
// big-endian, so integer order is byte order.
struct KeyedId {
  std::uint64_t high, low;
  std::uint32_t index;  // in its group
};

// Writes one (village, day) group's ids in sorted order, each after the one before it.
void write_id_group(SnapshotWriter& w, std::span<const std::string_view> group,
                    std::vector<KeyedId>& keyed) {
  const std::string_view first = group[0];
  std::size_t shared = first.size();
  for (const std::string_view id : group.subspan(1)) {
    shared = shared_prefix(first.substr(0, shared), id);
  }
  keyed.clear();
  for (std::uint32_t i = 0; i < group.size(); ++i) {
    const std::string_view rest = group[i].substr(shared);
    std::uint64_t bytes[2] = {0, 0};
    std::memcpy(bytes, rest.data(), std::min<std::size_t>(16, rest.size()));
    keyed.push_back({__builtin_bswap64(bytes[0]), __builtin_bswap64(bytes[1]), i});
  }
  std::sort(keyed.begin(), keyed.end(), [group](const KeyedId& a, const KeyedId& b) {
    if (a.high != b.high) return a.high < b.high;
    if (a.low != b.low) return a.low < b.low;
    return group[a.index] < group[b.index];
  });
  std::string_view previous;
  for (const KeyedId& k : keyed) {
    w.str_after(previous, group[k.index]);
    previous = group[k.index];
  }
}

struct BlockRef {
  std::uint64_t key;  // packed; after numbering, with snapshot entity and kind indexes
  std::uint32_t cells;
};

// Names -> current ids, for both formats. A region or cadre the roster no
// longer lists is kept in it as former, so its history stays counted.
class NameResolver {
 public:
  NameResolver(const Catalog& catalog, Roster& roster)
      : catalog_(catalog),
        roster_(roster),
        region_seen_(roster.regions().size(), 0),
        cadre_seen_(roster.cadres().size(), 0),
        kind_seen_(catalog.kinds().size(), 0) {}

  RegionId region(std::string_view code) {
    const auto found = roster_.keep_former_region(code);
    if (!found) {
      throw SnapshotError("snapshot: region " + in_quotes(code) + " is not a region of city " +
                          in_quotes(roster_.region(roster_.city()).code));
    }
    region_seen_.resize(roster_.regions().size(), 0);
    if (std::exchange(region_seen_[*found], 1) != 0) {
      throw SnapshotError("snapshot: region " + in_quotes(code) + " is listed twice");
    }
    return *found;
  }
  CadreId cadre(std::string_view cadre_id) {
    const auto found = roster_.keep_former_cadre(cadre_id);
    cadre_seen_.resize(roster_.cadres().size(), 0);
    if (std::exchange(cadre_seen_[found], 1) != 0) {
      throw SnapshotError("snapshot: cadre " + in_quotes(cadre_id) + " is listed twice");
    }
    return found;
  }
  KindId kind(std::string_view name) {
    const auto found = catalog_.find(name);
    if (!found) throw SnapshotError("snapshot: kind " + in_quotes(name) + " is not in the catalog");
    if (std::exchange(kind_seen_[*found], 1) != 0) {
      throw SnapshotError("snapshot: kind " + in_quotes(name) + " is listed twice");
    }
    return *found;
  }
  // The cell of `field` in a block of `kind`; `used` holds the cells taken so far.
  std::uint32_t field_slot(KindId kind, std::string_view field,
                           std::vector<std::uint32_t>& used) const {
    const Kind& k = catalog_.kind(kind);
    for (std::size_t i = 0; i < k.fields.size(); ++i) {
      if (k.fields[i].name != field) continue;
      const auto slot = static_cast<std::uint32_t>(1 + i);
      if (std::find(used.begin(), used.end(), slot) != used.end()) {
        throw SnapshotError("snapshot: field " + in_quotes(field) + " of kind " +
                            in_quotes(k.name) + " is listed twice");
      }
      return slot;
    }
    throw SnapshotError("snapshot: field " + in_quotes(field) + " of kind " + in_quotes(k.name) +
                        " is not in the catalog");
  }

 private:
  const Catalog& catalog_;
  Roster& roster_;
  std::vector<char> region_seen_, cadre_seen_, kind_seen_;
};

struct KindMap {
  KindId kind;
  std::vector<std::uint32_t> slots;  // snapshot cell -> current cell (0: reports)
};

void check_counts(const OutcomeCounts& c, std::size_t ids) {
  if (c.consumed != c.accepted + c.duplicate + c.rejected) {
    throw SnapshotError("snapshot: outcome counts do not add up");
  }
  std::uint64_t by_reason = 0, by_kind = 0;
  for (const std::uint64_t n : c.rejected_by_reason) by_reason += n;
  for (const std::uint64_t n : c.accepted_by_kind) by_kind += n;
  if (by_reason != c.rejected || by_kind != c.accepted) {
    throw SnapshotError("snapshot: outcome counts do not add up");
  }
  if (ids > c.accepted) throw SnapshotError("snapshot: more report ids than accepted reports");
}

void check_window(std::int64_t window) {
  if (window != kTotalWindow && (window < 0 || window >= BlockKey::kWindowBias)) {
    throw SnapshotError("snapshot: bad window");
  }
}

std::int32_t checked_day(std::int64_t day) {
  if (day < INT32_MIN || day > INT32_MAX) throw SnapshotError("snapshot: bad day");
  return static_cast<std::int32_t>(day);
}

// `base` (a day) plus an offset read from the snapshot, which may be anything.
std::int32_t day_after(std::int64_t base, std::int64_t offset) {
  if (offset < -(std::int64_t{1} << 33) || offset > (std::int64_t{1} << 33)) {
    throw SnapshotError("snapshot: bad day");
  }
  return checked_day(base + offset);
}

void add_span(PartialActivity& activity, const ActivitySpan& s) {
  bool inserted = false;
  FlatIndex::Slot* slot =
      activity.index.find_or_insert(CadreActivity::key(s.cadre, s.day), inserted);
  if (!inserted) throw SnapshotError("snapshot: repeated activity span");
  slot->a = static_cast<std::uint32_t>(activity.spans.size());
  activity.spans.push_back(s);
}

// Adds decoded ids to a deduper a few behind their decoding, prefetching each
// one's slot first: sorted ids land in random slots, and this overlaps the misses.
class IdInserter {
 public:
  explicit IdInserter(Deduper& deduper) : deduper_(deduper) {}
  void add(RegionId village, std::string_view id, std::int32_t day) {
    Pending& p = ring_[added_ % kAhead];
    if (added_ >= kAhead) insert(p);
    p.hash = Deduper::hash(village, id);
    p.village = village;
    p.day = day;
    p.id.assign(id);
    deduper_.prefetch(p.hash);
    ++added_;
  }
  void finish() {
    for (std::uint64_t i = added_ > kAhead ? added_ - kAhead : 0; i < added_; ++i) {
      insert(ring_[i % kAhead]);
    }
    added_ = 0;
  }

 private:
  static constexpr std::size_t kAhead = 16;
  struct Pending {
    std::uint64_t hash = 0;
    RegionId village = 0;
    std::int32_t day = 0;
    std::string id;
  };
  void insert(const Pending& p) {
    if (!deduper_.insert_hashed(p.hash, p.village, p.id, p.day)) {
      throw SnapshotError("snapshot: repeated report id " + in_quotes(p.id));
    }
  }

  Deduper& deduper_;
  std::array<Pending, kAhead> ring_;
  std::uint64_t added_ = 0;
};

void write_names(SnapshotWriter& w, const LocalTable& regions, const LocalTable& cadres,
                 const LocalTable& kinds, const Catalog& catalog, const Roster& roster) {
  std::string_view previous;
  w.uvarint(regions.ids().size());
  for (const RegionId r : regions.ids()) {
    const std::string_view code = roster.region(r).code;
    w.str_after(previous, code);
    previous = code;
  }
  previous = {};
  w.uvarint(cadres.ids().size());
  for (const CadreId id : cadres.ids()) {
    const std::string_view cadre_id = roster.cadre(id).cadre_id;
    w.str_after(previous, cadre_id);
    previous = cadre_id;
  }
  w.uvarint(kinds.ids().size());
  for (const KindId k : kinds.ids()) {
    const Kind& kind = catalog.kind(k);
    w.str(kind.name);
    w.uvarint(kind.fields.size());
    for (const ValueField& f : kind.fields) w.str(f.name);
  }
}

void write_counts(SnapshotWriter& w, const OutcomeCounts& c, const LocalTable& kinds) {
  w.uvarint(c.consumed);
  w.uvarint(c.accepted);
  w.uvarint(c.duplicate);
  w.uvarint(c.rejected);
  w.uvarint(static_cast<std::uint64_t>(std::count_if(c.rejected_by_reason.begin(),
                                                     c.rejected_by_reason.end(),
                                                     [](std::uint64_t n) { return n != 0; })));
  for (std::size_t i = 0; i < kReasonCount; ++i) {
    if (c.rejected_by_reason[i] == 0) continue;
    w.str(kReasonNames[i]);
    w.uvarint(c.rejected_by_reason[i]);
  }
  for (const KindId k : kinds.ids()) {
    w.uvarint(k < c.accepted_by_kind.size() ? c.accepted_by_kind[k] : 0);
  }
}

void write_ids(SnapshotWriter& w, const GroupedIds& ids, const LocalTable& regions,
               std::int32_t base_day) {
  // Report ids: (village, day) groups, each id after the previous one of its group.
  w.uvarint(ids.ids.size());
  w.uvarint(ids.groups.size());
  std::uint32_t previous_village = 0;
  std::vector<KeyedId> keyed;
  const auto group_ids_at = [&ids](std::size_t g) {
    const std::uint32_t begin = g == 0 ? 0 : ids.groups[g - 1].end;
    return std::span(ids.ids).subspan(begin, ids.groups[g].end - begin);
  };
  std::size_t prefetched = 0;
  for (std::size_t g = 0; g < ids.groups.size(); ++g) {
    // The ids' bytes lie scattered in the deduper's arena: start loading them
    // a little ahead of their use, so the cache misses overlap.
    const std::size_t ahead = std::min<std::size_t>(ids.ids.size(), ids.groups[g].end + 64);
    for (; prefetched < ahead; ++prefetched) __builtin_prefetch(ids.ids[prefetched].data());
    const std::uint32_t village = regions.local(ids.groups[g].village);
    w.uvarint(village - previous_village);
    previous_village = village;
    w.svarint(static_cast<std::int64_t>(ids.groups[g].day) - base_day);
    w.uvarint(group_ids_at(g).size());
    write_id_group(w, group_ids_at(g), keyed);
  }
}

void write_blocks(SnapshotWriter& w, const std::vector<BlockRef>& blocks,
                  const PartialAggregates& aggregates, const LocalTable& kinds,
                  const Aggregator& aggregator, std::int32_t base_day) {
  // Aggregate blocks: (level, entity, kind) groups, each with its windows in
  // order (0: the total, else 1 + days after base_day) and cells.
  std::size_t groups = 0;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    if (i == 0 || (blocks[i].key >> 25) != (blocks[i - 1].key >> 25)) ++groups;
  }
  w.uvarint(blocks.size());
  w.uvarint(groups);
  BlockKey last{Level::city, 0, 0, 0};
  for (std::size_t i = 0; i < blocks.size();) {
    std::size_t end = i + 1;
    while (end < blocks.size() && (blocks[end].key >> 25) == (blocks[i].key >> 25)) ++end;
    const BlockKey k = BlockKey::unpack(blocks[i].key);
    const auto level_step =
        static_cast<std::uint32_t>(k.level) - static_cast<std::uint32_t>(last.level);
    w.uvarint(level_step);
    w.uvarint(level_step == 0 ? k.entity - last.entity : k.entity);
    w.uvarint(k.kind);
    w.uvarint(end - i);
    last = k;
    const std::uint32_t size = aggregator.block_size(kinds.ids()[k.kind]);
    std::int64_t previous_code = 0;
    for (; i < end; ++i) {
      // Sorted by key, the blocks' cells are visited out of their order in memory.
      if (i + 16 < blocks.size()) __builtin_prefetch(&aggregates.cells[blocks[i + 16].cells]);
      const std::int32_t window = BlockKey::unpack(blocks[i].key).window;
      const std::int64_t code =
          window == kTotalWindow ? 0 : static_cast<std::int64_t>(window) - base_day + 1;
      w.uvarint(static_cast<std::uint64_t>(code - previous_code));
      previous_code = code;
      const Int128* cell = &aggregates.cells[blocks[i].cells];
      for (std::uint32_t f = 0; f < size; ++f) w.cell(cell[f]);
    }
  }
}

void write_spans(SnapshotWriter& w, const std::vector<ActivitySpan>& spans,
                 const LocalTable& cadres, std::int32_t base_day) {
  // Activity spans: by cadre, days in order, times from the day's start.
  std::size_t groups = 0;
  for (std::size_t i = 0; i < spans.size(); ++i) {
    if (i == 0 || spans[i].cadre != spans[i - 1].cadre) ++groups;
  }
  w.uvarint(spans.size());
  w.uvarint(groups);
  std::uint32_t previous_cadre = 0;
  for (std::size_t i = 0; i < spans.size();) {
    std::size_t end = i + 1;
    while (end < spans.size() && spans[end].cadre == spans[i].cadre) ++end;
    const std::uint32_t cadre = cadres.local(spans[i].cadre);
    w.uvarint(cadre - previous_cadre);
    previous_cadre = cadre;
    w.uvarint(end - i);
    for (std::int64_t previous_day = base_day; i < end; ++i) {
      const ActivitySpan& s = spans[i];
      w.uvarint(static_cast<std::uint64_t>(s.day - previous_day));
      previous_day = s.day;
      // Unsigned, so any int64 times round-trip exactly.
      w.svarint(static_cast<std::int64_t>(static_cast<std::uint64_t>(s.first_ms) -
                                          static_cast<std::uint64_t>(day_start_ms(s.day))));
      w.uvarint(static_cast<std::uint64_t>(s.last_ms) - static_cast<std::uint64_t>(s.first_ms));
    }
  }
}

DecodedPartition decode_v1(std::int32_t partition, std::string_view bytes, const Catalog& catalog,
                           Roster& roster, const Aggregator& aggregator, std::int32_t horizon_days);
DecodedPartition decode_v2(std::int32_t partition, std::string_view bytes, const Catalog& catalog,
                           Roster& roster, const Aggregator& aggregator, std::int32_t horizon_days,
                           bool with_report_ids);

}  // namespace

namespace {

// What a snapshot or a partial holds: block refs carry global keys until numbered.
struct SnapshotContent {
  const OutcomeCounts& counts;
  const GroupedIds& ids;
  std::vector<BlockRef> blocks;
  std::vector<ActivitySpan> spans;
};

std::string encode_content(std::int32_t partition, SnapshotContent content,
                           const PartialAggregates& aggregates, const Catalog& catalog,
                           const Roster& roster, const Aggregator& aggregator) {
  LocalTable regions(roster.regions().size()), cadres(roster.cadres().size()),
      kinds(catalog.kinds().size());
  std::int32_t base_day = INT32_MAX;

  // Gather what the state references, sorted so that neighbours share most of their bytes.
  const GroupedIds& ids = content.ids;
  for (const GroupedIds::Group& g : ids.groups) {
    regions.mark(g.village);
    base_day = std::min(base_day, g.day);
  }
  std::vector<BlockRef>& blocks = content.blocks;
  for (const BlockRef& b : blocks) {
    const BlockKey k = BlockKey::unpack(b.key);
    (k.level == Level::cadre ? cadres : regions).mark(k.entity);
    kinds.mark(k.kind);
    if (k.window != kTotalWindow) base_day = std::min(base_day, k.window);
  }
  std::vector<ActivitySpan>& spans = content.spans;
  for (const ActivitySpan& s : spans) {
    cadres.mark(s.cadre);
    base_day = std::min(base_day, s.day);
  }
  std::sort(spans.begin(), spans.end(), [](const ActivitySpan& a, const ActivitySpan& b) {
    return a.cadre != b.cadre ? a.cadre < b.cadre : a.day < b.day;
  });

  const OutcomeCounts& c = content.counts;
  for (std::size_t k = 0; k < c.accepted_by_kind.size(); ++k) {
    if (c.accepted_by_kind[k] != 0) kinds.mark(static_cast<KindId>(k));
  }
  regions.number();
  cadres.number();
  kinds.number();
  if (base_day == INT32_MAX) base_day = 0;

  for (BlockRef& b : blocks) {
    const BlockKey k = BlockKey::unpack(b.key);
    const std::uint32_t entity =
        k.level == Level::cadre ? cadres.local(k.entity) : regions.local(k.entity);
    b.key = BlockKey::pack(k.level, entity, kinds.local(k.kind), k.window);
  }
  std::sort(blocks.begin(), blocks.end(),
            [](const BlockRef& a, const BlockRef& b) { return a.key < b.key; });

  SnapshotWriter w(256 + ids.ids.size() * 8 + blocks.size() * 6 + spans.size() * 10);
  w.raw(kMagic.data(), kMagic.size());
  w.u32(kVersion);
  w.svarint(partition);
  w.svarint(base_day);

  write_names(w, regions, cadres, kinds, catalog, roster);
  write_counts(w, c, kinds);
  write_ids(w, ids, regions, base_day);
  write_blocks(w, blocks, aggregates, kinds, aggregator, base_day);
  write_spans(w, spans, cadres, base_day);

  w.u64(snapshot_checksum(w.written()));
  return w.take();
}

}  // namespace

std::string encode_partition(std::int32_t partition, const PartitionState& state,
                             const Catalog& catalog, const Roster& roster,
                             const Aggregator& aggregator) {
  const GroupedIds ids = group_ids(state.deduper, roster.regions().size());
  std::vector<BlockRef> blocks;
  blocks.reserve(state.aggregates.index.size());
  for (const FlatIndex::Slot& s : state.aggregates.index.slots()) {
    if (s.key != FlatIndex::kEmpty) blocks.push_back({s.key, s.a});
  }
  return encode_content(
      partition,
      {state.counts, ids, std::move(blocks),
       std::vector<ActivitySpan>(state.activity.spans.begin(), state.activity.spans.end())},
      state.aggregates, catalog, roster, aggregator);
}

std::string encode_partial(std::int32_t partition, const PartitionState& state,
                           const Catalog& catalog, const Roster& roster,
                           const Aggregator& aggregator) {
  const GroupedIds no_ids;
  std::vector<BlockRef> blocks;
  blocks.reserve(state.aggregates.changed.size());
  for (const ChangedBlock& b : state.aggregates.changed) blocks.push_back({b.key, b.cells});
  std::vector<ActivitySpan> spans;
  spans.reserve(state.activity.changed.size());
  for (const std::uint32_t i : state.activity.changed) spans.push_back(state.activity.spans[i]);
  return encode_content(partition, {state.counts, no_ids, std::move(blocks), std::move(spans)},
                        state.aggregates, catalog, roster, aggregator);
}

DecodedPartition decode_partition(std::int32_t partition, std::string_view bytes,
                                  const Catalog& catalog, Roster& roster,
                                  const Aggregator& aggregator, std::int32_t horizon_days,
                                  bool with_report_ids) {
  if (bytes.size() < kMagic.size() + 4 + 8 || bytes.substr(0, kMagic.size()) != kMagic) {
    throw SnapshotError("snapshot: not a partition snapshot");
  }
  const std::uint32_t version = SnapshotReader(bytes.substr(kMagic.size())).u32();
  if (version == 1) {
    DecodedPartition out = decode_v1(partition, bytes, catalog, roster, aggregator, horizon_days);
    if (!with_report_ids) out.state->deduper = Deduper(horizon_days);
    return out;
  }
  if (version == kVersion) {
    return decode_v2(partition, bytes, catalog, roster, aggregator, horizon_days, with_report_ids);
  }
  throw SnapshotError("snapshot: unsupported version " + std::to_string(version));
}

namespace {

// The current ids of the names a snapshot lists, by their index in it.
struct SnapshotTables {
  std::vector<RegionId> regions;
  std::vector<CadreId> cadres;
  std::vector<KindMap> kinds;

  [[nodiscard]] RegionId region_at(std::uint64_t i) const {
    if (i >= regions.size()) throw SnapshotError("snapshot: region index out of range");
    return regions[i];
  }
  [[nodiscard]] CadreId cadre_at(std::uint64_t i) const {
    if (i >= cadres.size()) throw SnapshotError("snapshot: cadre index out of range");
    return cadres[i];
  }
};

SnapshotTables read_names(SnapshotReader& r, const Catalog& catalog, Roster& roster) {
  NameResolver names(catalog, roster);
  std::string name;
  std::vector<RegionId> regions(r.vcount(1));
  for (RegionId& id : regions) {
    r.str_after(name);
    id = names.region(name);
  }
  name.clear();
  std::vector<CadreId> cadres(r.vcount(1));
  for (CadreId& id : cadres) {
    r.str_after(name);
    id = names.cadre(name);
  }
  std::vector<KindMap> kinds(r.vcount(3));
  for (KindMap& km : kinds) {
    km.kind = names.kind(r.vstr());
    km.slots.assign(1 + r.vcount(1), 0);
    for (std::size_t f = 1; f < km.slots.size(); ++f) {
      km.slots[f] = names.field_slot(km.kind, r.vstr(), km.slots);
    }
  }
  return {std::move(regions), std::move(cadres), std::move(kinds)};
}

void read_counts(SnapshotReader& r, const SnapshotTables& t, OutcomeCounts& c) {
  c.consumed = r.uvarint();
  c.accepted = r.uvarint();
  c.duplicate = r.uvarint();
  c.rejected = r.uvarint();
  const std::uint64_t reasons = r.vcount(2);
  for (std::uint64_t i = 0; i < reasons; ++i) {
    const std::string_view reason_name = r.vstr();
    const auto reason = reason_from_string(reason_name);
    if (!reason) throw SnapshotError("snapshot: unknown reason " + in_quotes(reason_name));
    std::uint64_t& n = c.rejected_by_reason[static_cast<std::size_t>(*reason)];
    if (n != 0) {
      throw SnapshotError("snapshot: reason " + in_quotes(reason_name) + " is listed twice");
    }
    n = r.uvarint();
  }
  for (const KindMap& km : t.kinds) c.accepted_by_kind[km.kind] = r.uvarint();
}

void read_ids(SnapshotReader& r, const SnapshotTables& t, std::int64_t base_day, PartitionState& st,
              bool keep) {
  const std::uint64_t ids = r.vcount(1);
  const std::uint64_t id_groups = r.vcount(4);
  check_counts(st.counts, ids);
  std::uint64_t ids_seen = 0, village_index = 0;
  std::string id;
  IdInserter inserter(st.deduper);
  for (std::uint64_t g = 0; g < id_groups; ++g) {
    village_index += r.uvarint();
    const RegionId village = t.region_at(village_index);
    const std::int32_t day = day_after(base_day, r.svarint());
    const std::uint64_t n = r.vcount(1);
    if (n == 0 || n > ids - ids_seen) {
      throw SnapshotError("snapshot: report id counts do not add up");
    }
    ids_seen += n;
    id.clear();
    for (std::uint64_t i = 0; i < n; ++i) {
      r.str_after(id);
      if (id.empty() || id.size() > Deduper::kMaxIdBytes) {
        throw SnapshotError("snapshot: bad report id");
      }
      if (keep) inserter.add(village, id, day);
    }
  }
  if (ids_seen != ids) throw SnapshotError("snapshot: report id counts do not add up");
  inserter.finish();
}

void read_blocks(SnapshotReader& r, const SnapshotTables& t, std::int64_t base_day,
                 const Aggregator& aggregator, DecodedPartition& out) {
  const std::uint64_t blocks = r.vcount(2);
  const std::uint64_t block_groups = r.vcount(5);
  out.block_keys.reserve(blocks);
  std::uint64_t level = 0, entity_index = 0, kind_index = 0;
  for (std::uint64_t g = 0; g < block_groups; ++g) {
    const std::uint64_t level_step = r.uvarint();
    const std::uint64_t entity_value = r.uvarint();
    const std::uint64_t next_kind = r.uvarint();
    // Groups come in strictly increasing (level, entity, kind) order, so no key repeats.
    if (level_step > static_cast<std::uint64_t>(Level::cadre) - level) {
      throw SnapshotError("snapshot: bad level");
    }
    if (level_step == 0) {
      if (entity_value > UINT32_MAX || (g > 0 && entity_value == 0 && next_kind <= kind_index)) {
        throw SnapshotError("snapshot: blocks out of order");
      }
      entity_index += entity_value;
    } else {
      entity_index = entity_value;
    }
    level += level_step;
    kind_index = next_kind;
    if (kind_index >= t.kinds.size()) throw SnapshotError("snapshot: kind index out of range");
    const auto lv = static_cast<Level>(level);
    std::uint32_t entity = 0;
    if (lv == Level::cadre) {
      entity = t.cadre_at(entity_index);
    } else {
      entity = t.region_at(entity_index);
    }
    const KindMap& km = t.kinds[kind_index];
    const std::uint64_t n = r.vcount(1 + km.slots.size());
    if (n == 0 || n > blocks - out.block_keys.size()) {
      throw SnapshotError("snapshot: block counts do not add up");
    }
    const std::uint32_t size = aggregator.block_size(km.kind);
    std::int64_t code = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
      const std::uint64_t step = r.uvarint();
      if ((i > 0 && step == 0) || step > (std::uint64_t{1} << 32)) {
        throw SnapshotError("snapshot: bad window");
      }
      code += static_cast<std::int64_t>(step);
      const std::int64_t window = code == 0 ? kTotalWindow : base_day + code - 1;
      check_window(window);
      out.block_keys.push_back(
          BlockKey::pack(lv, entity, km.kind, static_cast<std::int32_t>(window)));
      const std::size_t base = out.block_cells.size();
      out.block_cells.resize(base + size, 0);
      for (const std::uint32_t slot : km.slots) out.block_cells[base + slot] = r.cell();
    }
  }
  if (out.block_keys.size() != blocks) throw SnapshotError("snapshot: block counts do not add up");
}

void read_spans(SnapshotReader& r, const SnapshotTables& t, std::int64_t base_day,
                PartitionState& st) {
  const std::uint64_t spans = r.vcount(3);
  const std::uint64_t span_groups = r.vcount(5);
  std::uint64_t cadre_index = 0;
  for (std::uint64_t g = 0; g < span_groups; ++g) {
    cadre_index += r.uvarint();
    const CadreId cadre = t.cadre_at(cadre_index);
    const std::uint64_t n = r.vcount(3);
    if (n == 0 || n > spans - st.activity.spans.size()) {
      throw SnapshotError("snapshot: activity span counts do not add up");
    }
    std::int64_t day = base_day;
    for (std::uint64_t i = 0; i < n; ++i) {
      const std::uint64_t step = r.uvarint();
      if (step > UINT32_MAX) throw SnapshotError("snapshot: bad day");
      day = checked_day(day + static_cast<std::int64_t>(step));
      ActivitySpan s{cadre, static_cast<std::int32_t>(day), 0, 0};
      s.first_ms = static_cast<std::int64_t>(static_cast<std::uint64_t>(day_start_ms(s.day)) +
                                             static_cast<std::uint64_t>(r.svarint()));
      const std::uint64_t length = r.uvarint();
      if (length > static_cast<std::uint64_t>(INT64_MAX) - static_cast<std::uint64_t>(s.first_ms)) {
        throw SnapshotError("snapshot: bad activity span");
      }
      s.last_ms = static_cast<std::int64_t>(static_cast<std::uint64_t>(s.first_ms) + length);
      add_span(st.activity, s);
    }
  }
  if (st.activity.spans.size() != spans) {
    throw SnapshotError("snapshot: activity span counts do not add up");
  }
}

DecodedPartition decode_v2(std::int32_t partition, std::string_view bytes, const Catalog& catalog,
                           Roster& roster, const Aggregator& aggregator, std::int32_t horizon_days,
                           bool with_report_ids) {
  const std::string_view body = bytes.substr(0, bytes.size() - 8);
  if (SnapshotReader(bytes.substr(bytes.size() - 8)).u64() != snapshot_checksum(body)) {
    throw SnapshotError("snapshot: checksum mismatch");
  }
  SnapshotReader r(body.substr(kMagic.size() + 4));
  if (const std::int64_t p = r.svarint(); p != partition) {
    throw SnapshotError("snapshot: is for partition " + std::to_string(p) + ", not " +
                        std::to_string(partition));
  }
  const std::int64_t base_day = checked_day(r.svarint());

  const SnapshotTables tables = read_names(r, catalog, roster);
  DecodedPartition out;
  out.state = std::make_unique<PartitionState>(horizon_days, catalog.kinds().size());
  PartitionState& st = *out.state;
  read_counts(r, tables, st.counts);
  read_ids(r, tables, base_day, st, with_report_ids);
  read_blocks(r, tables, base_day, aggregator, out);
  read_spans(r, tables, base_day, st);
  if (!r.at_end()) throw SnapshotError("snapshot: trailing bytes");
  return out;
}

// Format v1 (fixed-width fields and the whole roster and catalog), as written
// before v2: still read, so checkpoints survive an upgrade.
DecodedPartition decode_v1(std::int32_t partition, std::string_view bytes, const Catalog& catalog,
                           Roster& roster, const Aggregator& aggregator,
                           std::int32_t horizon_days) {
  const std::string_view body = bytes.substr(0, bytes.size() - 8);
  if (SnapshotReader(bytes.substr(bytes.size() - 8)).u64() != snapshot_checksum_v1(body)) {
    throw SnapshotError("snapshot: checksum mismatch");
  }
  SnapshotReader r(body.substr(kMagic.size() + 4));
  if (const std::int32_t p = r.i32(); p != partition) {
    throw SnapshotError("snapshot: is for partition " + std::to_string(p) + ", not " +
                        std::to_string(partition));
  }

  NameResolver names(catalog, roster);
  std::vector<RegionId> regions(r.count(4));
  for (RegionId& id : regions) id = names.region(r.str());
  std::vector<CadreId> cadres(r.count(4));
  for (CadreId& id : cadres) id = names.cadre(r.str());
  std::vector<KindMap> kinds(r.count(12));
  for (KindMap& km : kinds) {
    km.kind = names.kind(r.str());
    km.slots.assign(1 + r.count(4), 0);
    for (std::size_t f = 1; f < km.slots.size(); ++f) {
      km.slots[f] = names.field_slot(km.kind, r.str(), km.slots);
    }
  }

  DecodedPartition out;
  out.state = std::make_unique<PartitionState>(horizon_days, catalog.kinds().size());
  PartitionState& st = *out.state;
  OutcomeCounts& c = st.counts;
  c.consumed = r.u64();
  c.accepted = r.u64();
  c.duplicate = r.u64();
  c.rejected = r.u64();
  const std::uint64_t reasons = r.count(12);
  for (std::uint64_t i = 0; i < reasons; ++i) {
    const std::string_view name = r.str();
    const auto reason = reason_from_string(name);
    if (!reason) throw SnapshotError("snapshot: unknown reason " + in_quotes(name));
    c.rejected_by_reason[static_cast<std::size_t>(*reason)] = r.u64();
  }
  for (const KindMap& km : kinds) c.accepted_by_kind[km.kind] += r.u64();

  const auto region_at = [&regions](std::uint32_t i) {
    if (i >= regions.size()) throw SnapshotError("snapshot: region index out of range");
    return regions[i];
  };
  const std::uint64_t ids = r.count(12);
  check_counts(c, ids);
  for (std::uint64_t i = 0; i < ids; ++i) {
    const RegionId village = region_at(r.u32());
    const std::int32_t day = r.i32();
    const std::string_view id = r.str();
    if (id.empty() || id.size() > Deduper::kMaxIdBytes) {
      throw SnapshotError("snapshot: bad report id");
    }
    if (!st.deduper.insert(village, id, day)) {
      throw SnapshotError("snapshot: repeated report id " + in_quotes(id));
    }
  }

  const std::uint64_t blocks = r.count(13 + 16);
  out.block_keys.reserve(blocks);
  FlatIndex seen;
  for (std::uint64_t i = 0; i < blocks; ++i) {
    const std::uint8_t level_byte = r.u8();
    if (level_byte > static_cast<std::uint8_t>(Level::cadre)) {
      throw SnapshotError("snapshot: bad level");
    }
    const auto level = static_cast<Level>(level_byte);
    const std::uint32_t entity_index = r.u32();
    std::uint32_t entity = 0;
    if (level == Level::cadre) {
      if (entity_index >= cadres.size()) throw SnapshotError("snapshot: cadre index out of range");
      entity = cadres[entity_index];
    } else {
      entity = region_at(entity_index);
    }
    const std::uint32_t kind_index = r.u32();
    if (kind_index >= kinds.size()) throw SnapshotError("snapshot: kind index out of range");
    const KindMap& km = kinds[kind_index];
    const std::int32_t window = r.i32();
    check_window(window);
    const std::uint64_t key = BlockKey::pack(level, entity, km.kind, window);
    bool inserted = false;
    seen.find_or_insert(key, inserted);
    if (!inserted) throw SnapshotError("snapshot: repeated block");
    out.block_keys.push_back(key);
    const std::size_t base = out.block_cells.size();
    out.block_cells.resize(base + aggregator.block_size(km.kind), 0);
    for (const std::uint32_t slot : km.slots) out.block_cells[base + slot] = r.i128();
  }

  const std::uint64_t spans = r.count(24);
  for (std::uint64_t i = 0; i < spans; ++i) {
    const std::uint32_t cadre_index = r.u32();
    if (cadre_index >= cadres.size()) throw SnapshotError("snapshot: cadre index out of range");
    ActivitySpan s{cadres[cadre_index], r.i32(), r.i64(), r.i64()};
    if (s.first_ms > s.last_ms) throw SnapshotError("snapshot: bad activity span");
    add_span(st.activity, s);
  }
  if (!r.at_end()) throw SnapshotError("snapshot: trailing bytes");
  return out;
}

}  // namespace
}  // namespace fp
