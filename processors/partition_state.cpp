#include "processors/partition_state.h"

#include <optional>
#include <unordered_map>

#include "processors/snapshot.h"

namespace fp {
namespace {

constexpr std::string_view kMagic = "FPPS";
constexpr std::uint32_t kVersion = 1;

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

}  // namespace

void OutcomeCounts::add(const OutcomeCounts& o, int sign) {
  const auto apply = [sign](std::uint64_t& a, std::uint64_t b) { a = sign > 0 ? a + b : a - b; };
  apply(consumed, o.consumed);
  apply(accepted, o.accepted);
  apply(duplicate, o.duplicate);
  apply(rejected, o.rejected);
  for (std::size_t i = 0; i < kReasonCount; ++i)
    apply(rejected_by_reason[i], o.rejected_by_reason[i]);
  if (accepted_by_kind.size() < o.accepted_by_kind.size()) {
    accepted_by_kind.resize(o.accepted_by_kind.size(), 0);
  }
  for (std::size_t i = 0; i < o.accepted_by_kind.size(); ++i) {
    apply(accepted_by_kind[i], o.accepted_by_kind[i]);
  }
}

std::string encode_partition(std::int32_t partition, const PartitionState& state,
                             const Catalog& catalog, const Roster& roster,
                             const Aggregator& aggregator) {
  SnapshotWriter w;
  w.raw(kMagic.data(), kMagic.size());
  w.u32(kVersion);
  w.i32(partition);

  w.u64(roster.regions().size());
  for (const Region& r : roster.regions()) w.str(r.code);
  w.u64(roster.cadres().size());
  for (const Cadre& c : roster.cadres()) w.str(c.cadre_id);
  w.u64(catalog.kinds().size());
  for (const Kind& k : catalog.kinds()) {
    w.str(k.name);
    w.u64(k.fields.size());
    for (const ValueField& f : k.fields) w.str(f.name);
  }

  const OutcomeCounts& c = state.counts;
  w.u64(c.consumed);
  w.u64(c.accepted);
  w.u64(c.duplicate);
  w.u64(c.rejected);
  w.u64(kReasonCount);
  for (std::size_t i = 0; i < kReasonCount; ++i) {
    w.str(kReasonNames[i]);
    w.u64(c.rejected_by_reason[i]);
  }
  for (std::size_t k = 0; k < catalog.kinds().size(); ++k) {
    w.u64(k < c.accepted_by_kind.size() ? c.accepted_by_kind[k] : 0);
  }

  w.u64(state.deduper.size());
  state.deduper.for_each([&w](RegionId village, std::string_view id, std::int32_t day) {
    w.u32(village);
    w.i32(day);
    w.str(id);
  });

  w.u64(state.aggregates.index.size());
  for (const FlatIndex::Slot& s : state.aggregates.index.slots()) {
    if (s.key == FlatIndex::kEmpty) continue;
    const BlockKey k = BlockKey::unpack(s.key);
    w.u8(static_cast<std::uint8_t>(k.level));
    w.u32(k.entity);
    w.u32(k.kind);
    w.i32(k.window);
    for (std::uint32_t f = 0; f < aggregator.block_size(k.kind); ++f) {
      w.i128(state.aggregates.cells[s.a + f]);
    }
  }

  w.u64(state.activity.spans.size());
  for (const ActivitySpan& s : state.activity.spans) {
    w.u32(s.cadre);
    w.i32(s.day);
    w.i64(s.first_ms);
    w.i64(s.last_ms);
  }

  const std::uint64_t sum = snapshot_checksum(w.buffer());
  w.u64(sum);
  return std::move(w.buffer());
}

DecodedPartition decode_partition(std::int32_t partition, std::string_view bytes,
                                  const Catalog& catalog, const Roster& roster,
                                  const Aggregator& aggregator, std::int32_t horizon_days) {
  if (bytes.size() < kMagic.size() + 8 + 8 || bytes.substr(0, kMagic.size()) != kMagic) {
    throw SnapshotError("snapshot: not a partition snapshot");
  }
  const std::string_view body = bytes.substr(0, bytes.size() - 8);
  SnapshotReader tail(bytes.substr(bytes.size() - 8));
  if (tail.u64() != snapshot_checksum(body)) throw SnapshotError("snapshot: checksum mismatch");

  SnapshotReader r(body.substr(kMagic.size()));
  if (const std::uint32_t v = r.u32(); v != kVersion) {
    throw SnapshotError("snapshot: unsupported version " + std::to_string(v));
  }
  if (const std::int32_t p = r.i32(); p != partition) {
    throw SnapshotError("snapshot: is for partition " + std::to_string(p) + ", not " +
                        std::to_string(partition));
  }

  // Names -> current ids.
  std::vector<RegionId> regions(r.count(4));
  for (RegionId& id : regions) {
    const std::string_view code = r.str();
    const auto found = roster.find_region(code);
    if (!found) throw SnapshotError("snapshot: region " + quoted(code) + " is not in the roster");
    id = *found;
  }
  std::vector<CadreId> cadres(r.count(4));
  for (CadreId& id : cadres) {
    const std::string_view cadre_id = r.str();
    const auto found = roster.find_cadre(cadre_id);
    if (!found)
      throw SnapshotError("snapshot: cadre " + quoted(cadre_id) + " is not in the roster");
    id = *found;
  }
  struct KindMap {
    KindId kind;
    std::vector<std::uint32_t> slots;  // snapshot slot -> current slot
  };
  std::vector<KindMap> kinds(r.count(12));
  for (KindMap& km : kinds) {
    const std::string_view name = r.str();
    const auto found = catalog.find(name);
    if (!found) throw SnapshotError("snapshot: kind " + quoted(name) + " is not in the catalog");
    km.kind = *found;
    const Kind& kind = catalog.kind(*found);
    km.slots.assign(1 + r.count(4), 0);
    for (std::size_t f = 1; f < km.slots.size(); ++f) {
      const std::string_view field = r.str();
      std::optional<std::uint32_t> slot;
      for (std::size_t i = 0; i < kind.fields.size(); ++i) {
        if (kind.fields[i].name == field) slot = static_cast<std::uint32_t>(1 + i);
      }
      if (!slot) {
        throw SnapshotError("snapshot: field " + quoted(field) + " of kind " + quoted(name) +
                            " is not in the catalog");
      }
      km.slots[f] = *slot;
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
    if (!reason) throw SnapshotError("snapshot: unknown reason " + quoted(name));
    c.rejected_by_reason[static_cast<std::size_t>(*reason)] = r.u64();
  }
  for (const KindMap& km : kinds) c.accepted_by_kind[km.kind] += r.u64();
  if (c.consumed != c.accepted + c.duplicate + c.rejected) {
    throw SnapshotError("snapshot: outcome counts do not add up");
  }

  const auto region_at = [&regions](std::uint32_t i) {
    if (i >= regions.size()) throw SnapshotError("snapshot: region index out of range");
    return regions[i];
  };
  const std::uint64_t ids = r.count(12);
  for (std::uint64_t i = 0; i < ids; ++i) {
    const RegionId village = region_at(r.u32());
    const std::int32_t day = r.i32();
    const std::string_view id = r.str();
    if (id.empty() || id.size() > 0xFFFF) throw SnapshotError("snapshot: bad report id");
    st.deduper.insert(village, id, day);
  }

  const std::uint64_t blocks = r.count(13 + 16);
  out.block_keys.reserve(blocks);
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
    if (window != kTotalWindow && (window < 0 || window >= BlockKey::kWindowBias)) {
      throw SnapshotError("snapshot: bad window");
    }
    out.block_keys.push_back(BlockKey::pack(level, entity, km.kind, window));
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
    bool inserted = false;
    FlatIndex::Slot* slot =
        st.activity.index.find_or_insert(CadreActivity::key(s.cadre, s.day), inserted);
    if (!inserted) throw SnapshotError("snapshot: repeated activity span");
    slot->a = static_cast<std::uint32_t>(st.activity.spans.size());
    st.activity.spans.push_back(s);
  }
  if (!r.at_end()) throw SnapshotError("snapshot: trailing bytes");
  return out;
}

}  // namespace fp
