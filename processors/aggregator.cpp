#include "processors/aggregator.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace fp {
namespace {

// A shared block's header cell: bytes 0-7 the key, 8-11 the last batch that moved it.
std::uint32_t header_batch(const Int128& h) {
  std::uint32_t b;
  std::memcpy(&b, reinterpret_cast<const char*>(&h) + 8, 4);
  return b;
}
void set_header_batch(Int128& h, std::uint32_t batch) {
  std::memcpy(reinterpret_cast<char*>(&h) + 8, &batch, 4);
}
Int128 make_header(std::uint64_t key) {
  Int128 h = 0;
  std::memcpy(&h, &key, 8);
  return h;
}

// Starts loading the cache lines of a block of n cells.
void prefetch_block(const Int128* first, std::uint32_t n) {
  __builtin_prefetch(first, 1);
  __builtin_prefetch(first + n - 1, 1);
}

constexpr std::size_t kMaxBlockCells = 64;  // a kind's fields + its count, bounded by the catalog

}  // namespace

Aggregator::Aggregator(const Catalog& catalog, const Roster& roster)
    : catalog_(catalog), roster_(roster) {
  if (catalog.kinds().size() > BlockKey::kMaxKind) throw std::length_error("too many kinds");
  MetricId next = 0;
  for (std::size_t k = 0; k < catalog.kinds().size(); ++k) {
    const auto fields = static_cast<std::uint32_t>(catalog.kinds()[k].fields.size());
    if (fields + 1 > kMaxBlockCells) throw std::length_error("a kind has too many fields");
    block_size_.push_back(1 + fields);
    first_metric_.push_back(next);
    for (std::uint32_t slot = 0; slot <= fields; ++slot) {
      metric_kind_.push_back(static_cast<KindId>(k));
      metric_slot_.push_back(slot);
      ++next;
    }
  }
  roster_grew();
}

void Aggregator::roster_grew() {
  const std::size_t regions = roster_.regions().size(), cadres = roster_.cadres().size();
  if (regions > BlockKey::kMaxEntity || cadres > BlockKey::kMaxEntity) {
    throw std::length_error("roster too large for the aggregate key");
  }
  for (auto r = static_cast<RegionId>(region_holders_.size()); r < regions; ++r) {
    level_entities_[static_cast<std::size_t>(roster_.region(r).level)].push_back(r);
  }
  for (auto c = static_cast<CadreId>(cadre_holders_.size()); c < cadres; ++c) {
    level_entities_[static_cast<std::size_t>(Level::cadre)].push_back(c);
  }
  region_holders_.resize(regions);
  cadre_holders_.resize(cadres);
}

void Aggregator::begin_batch() {
  moved_.clear();
  if (++batch_ == 0) {  // wrapped: forget old marks so no block looks already moved
    for (PartialAggregates* part : parts_) {
      if (part == nullptr) continue;
      for (FlatIndex::Slot& s : part->index.slots()) {
        if (s.key != FlatIndex::kEmpty && !is_shared(s.key)) s.b = 0;
      }
    }
    for (const FlatIndex::Slot& s : shared_index_.slots()) {
      if (s.key != FlatIndex::kEmpty) set_header_batch(shared_cells_[s.a], 0);
    }
    batch_ = 1;
  }
}

void Aggregator::join(PartialAggregates& part) {
  if (part.slot >= 0) return;
  const auto free = std::find(parts_.begin(), parts_.end(), nullptr);
  part.slot = static_cast<std::int32_t>(free - parts_.begin());
  if (free == parts_.end()) {
    parts_.push_back(&part);
  } else {
    *free = &part;
  }
  // Blocks it already holds (a partition that left and joins again).
  for (FlatIndex::Slot& s : part.index.slots()) {
    if (s.key == FlatIndex::kEmpty) continue;
    if (!is_shared(s.key)) {
      note_holder(s.key, part.slot);
      continue;
    }
    const std::uint32_t n = block_size_[BlockKey::unpack(s.key).kind];
    s.b = shared_block(s.key, n);
    for (std::uint32_t f = 0; f < n; ++f) shared_cells_[s.b + 1 + f] += part.cells[s.a + f];
  }
}

void Aggregator::remove(PartialAggregates& part) {
  if (part.slot < 0) return;
  for (const FlatIndex::Slot& s : part.index.slots()) {
    if (s.key == FlatIndex::kEmpty || !is_shared(s.key)) continue;
    const std::uint32_t n = block_size_[BlockKey::unpack(s.key).kind];
    for (std::uint32_t f = 0; f < n; ++f) shared_cells_[s.b + 1 + f] -= part.cells[s.a + f];
  }
  for (auto* holders : {&region_holders_, &cadre_holders_}) {
    for (std::vector<std::int32_t>& h : *holders) std::erase(h, part.slot);
  }
  parts_[static_cast<std::size_t>(part.slot)] = nullptr;
  part.slot = -1;
}

const std::vector<std::int32_t>& Aggregator::holders(std::uint64_t key) const {
  const BlockKey k = BlockKey::unpack(key);
  return k.level == Level::cadre ? cadre_holders_[k.entity] : region_holders_[k.entity];
}

void Aggregator::note_holder(std::uint64_t key, std::int32_t slot) {
  const BlockKey k = BlockKey::unpack(key);
  auto& h = k.level == Level::cadre ? cadre_holders_[k.entity] : region_holders_[k.entity];
  if (std::find(h.begin(), h.end(), slot) == h.end()) h.push_back(slot);
}

std::size_t Aggregator::block_count() const {
  std::size_t n = 0;
  for (const PartialAggregates* part : parts_) {
    if (part != nullptr) n += part->index.size();
  }
  return n;
}

void Aggregator::add(PartialAggregates& part, const Report& report) {
  Staged staged;
  stage(part, report, staged);
  add_staged(std::span(&staged, 1));
}

void Aggregator::stage(PartialAggregates& part, const Report& report, Staged& out) const {
  out.part = &part;
  out.report = &report;
  const Roster::Chain chain = roster_.chain(report.village);
  const std::uint32_t entities[5] = {chain.city, chain.county, chain.town, chain.village,
                                     report.cadre};
  for (int i = 0; i < kBlocks; ++i) {
    out.keys[i] = BlockKey::pack(static_cast<Level>(i / 2), entities[i / 2], report.kind,
                                 i % 2 == 0 ? kTotalWindow : report.cst_day);
    part.index.prefetch(out.keys[i]);
  }
}

void Aggregator::add_staged(std::span<Staged> run) {
  for (Staged& s : run) resolve(s);
  for (const Staged& s : run) apply(s);
}

FlatIndex::Slot* Aggregator::local_block(PartialAggregates& part, std::uint64_t key,
                                         std::uint32_t n) {
  bool inserted = false;
  FlatIndex::Slot* slot = part.index.find_or_insert(key, inserted);
  if (inserted) {
    if (part.cells.size() + n > UINT32_MAX) throw std::length_error("partition cells exceed 2^32");
    slot->a = static_cast<std::uint32_t>(part.cells.size());
    part.cells.resize(part.cells.size() + n);
    if (is_shared(key)) {
      slot->b = shared_block(key, n);
    } else {
      note_holder(key, part.slot);
    }
  }
  return slot;
}

std::uint32_t Aggregator::shared_block(std::uint64_t key, std::uint32_t n) {
  bool inserted = false;
  FlatIndex::Slot* slot = shared_index_.find_or_insert(key, inserted);
  if (inserted) {
    if (shared_cells_.size() + 1 + n > UINT32_MAX) {
      throw std::length_error("shared cells exceed 2^32");
    }
    slot->a = static_cast<std::uint32_t>(shared_cells_.size());
    shared_cells_.push_back(make_header(key));
    shared_cells_.resize(shared_cells_.size() + n);
  }
  return slot->a;
}

void Aggregator::resolve(Staged& s) {
  PartialAggregates& part = *s.part;
  join(part);
  const std::uint32_t n = block_size_[s.report->kind];
  for (int i = 0; i < kBlocks; ++i) {
    FlatIndex::Slot* slot = local_block(part, s.keys[i], n);
    s.local[i] = slot->a;
    prefetch_block(&part.cells[slot->a], n);
    if (i < kSharedBlocks) {
      s.shared[i] = slot->b;
      prefetch_block(&shared_cells_[slot->b], n + 1);
    } else if (slot->b != batch_) {
      slot->b = batch_;
      moved_.push_back(s.keys[i]);
    }
  }
}

void Aggregator::apply(const Staged& s) {
  const Report& report = *s.report;
  const std::uint32_t n = block_size_[report.kind];
  PartialAggregates& part = *s.part;
  Int128* cells = part.cells.data();
  for (int i = 0; i < kBlocks; ++i) {
    Int128* pc = cells + s.local[i];
    pc[0] += 1;
    for (std::uint32_t f = 1; f < n; ++f) pc[f] += report.values[f - 1].milli;
  }
  if (part.track_changes) {
    for (int i = 0; i < kBlocks; ++i) part.note_changed(s.keys[i], s.local[i]);
  }
  for (int i = 0; i < kSharedBlocks; ++i) {
    Int128* gc = &shared_cells_[s.shared[i]];
    gc[1] += 1;
    for (std::uint32_t f = 1; f < n; ++f) gc[f + 1] += report.values[f - 1].milli;
    if (header_batch(gc[0]) != batch_) {
      set_header_batch(gc[0], batch_);
      moved_.push_back(s.keys[i]);
    }
  }
}

void Aggregator::collect_moved(std::vector<std::uint64_t>& blocks) const {
  blocks.insert(blocks.end(), moved_.begin(), moved_.end());
}

bool Aggregator::sum(std::uint64_t key, Int128* out) const {
  const std::uint32_t n = block_size_[BlockKey::unpack(key).kind];
  std::fill_n(out, n, Int128{0});
  if (is_shared(key)) {
    const FlatIndex::Slot* s = shared_index_.find(key);
    if (s != nullptr) std::copy_n(&shared_cells_[s->a + 1], n, out);
    return out[0] != 0;
  }
  for (const std::int32_t slot : holders(key)) {
    const PartialAggregates& part = *parts_[static_cast<std::size_t>(slot)];
    const FlatIndex::Slot* s = part.index.find(key);
    if (s == nullptr) continue;
    const Int128* c = &part.cells[s->a];
    for (std::uint32_t f = 0; f < n; ++f) out[f] += c[f];
  }
  return out[0] != 0;
}

void Aggregator::block_changes(std::uint64_t key, std::vector<ProgressChange>& out) const {
  Int128 cells[kMaxBlockCells];
  if (sum(key, cells)) append_changes(key, cells, out);
}

void Aggregator::append_changes(std::uint64_t key, const Int128* cells,
                                std::vector<ProgressChange>& out) const {
  const BlockKey k = BlockKey::unpack(key);
  const auto reports = static_cast<std::int64_t>(cells[0]);
  const std::uint32_t n = block_size_[k.kind];
  const MetricId first = first_metric_[k.kind];
  out.push_back({{k.level, k.entity, first, k.window}, {DecimalSum{cells[0] * 1000}, reports}});
  for (std::uint32_t f = 1; f < n; ++f) {
    out.push_back({{k.level, k.entity, static_cast<MetricId>(first + f), k.window},
                   {DecimalSum{cells[f]}, reports}});
  }
}

void Aggregator::add_block(PartialAggregates& part, std::uint64_t key, const Int128* values) {
  join(part);
  const std::uint32_t n = block_size_[BlockKey::unpack(key).kind];
  const FlatIndex::Slot* slot = local_block(part, key, n);
  Int128* pc = &part.cells[slot->a];
  for (std::uint32_t f = 0; f < n; ++f) pc[f] += values[f];
  if (!is_shared(key)) return;
  Int128* gc = &shared_cells_[slot->b + 1];
  for (std::uint32_t f = 0; f < n; ++f) gc[f] += values[f];
}

bool Aggregator::set_block(PartialAggregates& part, std::uint64_t key, const Int128* values) {
  join(part);
  const std::uint32_t n = block_size_[BlockKey::unpack(key).kind];
  const FlatIndex::Slot* slot = local_block(part, key, n);
  Int128* pc = &part.cells[slot->a];
  Int128* gc = is_shared(key) ? &shared_cells_[slot->b + 1] : nullptr;
  bool changed = false;
  for (std::uint32_t f = 0; f < n; ++f) {
    const Int128 step = values[f] - pc[f];
    if (step == 0) continue;
    changed = true;
    pc[f] = values[f];
    if (gc != nullptr) gc[f] += step;
  }
  return changed;
}

void Aggregator::keys_where(const std::function<bool(std::uint64_t)>& wanted,
                            std::vector<std::uint64_t>& out) const {
  for (const FlatIndex::Slot& s : shared_index_.slots()) {
    if (s.key != FlatIndex::kEmpty && wanted(s.key)) out.push_back(s.key);
  }
  const std::size_t shared_end = out.size();
  for (const PartialAggregates* part : parts_) {
    if (part == nullptr) continue;
    for (const FlatIndex::Slot& s : part->index.slots()) {
      if (s.key != FlatIndex::kEmpty && !is_shared(s.key) && wanted(s.key)) out.push_back(s.key);
    }
  }
  // An own block held by two partitions (a cadre reporting in both) once.
  std::sort(out.begin() + static_cast<std::ptrdiff_t>(shared_end), out.end());
  out.erase(std::unique(out.begin() + static_cast<std::ptrdiff_t>(shared_end), out.end()),
            out.end());
}

std::vector<std::uint64_t> Aggregator::scan(const ProgressQuery& q, std::int32_t from,
                                            std::int32_t to) const {
  std::vector<std::uint64_t> keys;
  const bool shared = q.level < Level::village;
  for (const PartialAggregates* part : parts_) {
    if (part == nullptr || shared) continue;
    for (const FlatIndex::Slot& s : part->index.slots()) {
      if (s.key == FlatIndex::kEmpty) continue;
      const BlockKey k = BlockKey::unpack(s.key);
      if (k.level != q.level || (q.entity && k.entity != *q.entity)) continue;
      if (q.metric && metric_kind_[*q.metric] != k.kind) continue;
      if (k.window < from || k.window > to) continue;
      keys.push_back(s.key);
    }
  }
  for (const FlatIndex::Slot& s : shared_index_.slots()) {
    if (!shared || s.key == FlatIndex::kEmpty) continue;
    const BlockKey k = BlockKey::unpack(s.key);
    if (k.level != q.level || (q.entity && k.entity != *q.entity)) continue;
    if (q.metric && metric_kind_[*q.metric] != k.kind) continue;
    if (k.window < from || k.window > to) continue;
    keys.push_back(s.key);
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

void Aggregator::query(const ProgressQuery& q, std::vector<ProgressRow>& out) const {
  const bool total = q.from_window == kTotalWindow;
  const std::int32_t from = q.from_window, to = total ? kTotalWindow : q.to_window;
  if (!total && to < from) return;
  const std::size_t begin = out.size();
  const auto kinds = static_cast<KindId>(catalog_.kinds().size());
  const std::int64_t span = static_cast<std::int64_t>(to) - from + 1;
  const auto& entities = level_entities_[static_cast<std::size_t>(q.level)];
  const std::int64_t entity_count = q.entity ? 1 : static_cast<std::int64_t>(entities.size());
  Int128 cells[kMaxBlockCells];
  auto read = [&](std::uint64_t key) {
    if (sum(key, cells)) append_rows(key, cells, q.metric, out);
  };
  if (entity_count * span * kinds <= static_cast<std::int64_t>(block_count())) {
    // Few possible keys: look each up.
    for (std::size_t e = 0; e < static_cast<std::size_t>(entity_count); ++e) {
      const std::uint32_t entity = q.entity ? *q.entity : entities[e];
      if (q.entity &&
          entity >= (q.level == Level::cadre ? cadre_holders_.size() : region_holders_.size())) {
        return;
      }
      for (KindId kind = 0; kind < kinds; ++kind) {
        if (q.metric && metric_kind_[*q.metric] != kind) continue;
        for (std::int32_t w = from; w <= to; ++w) read(BlockKey::pack(q.level, entity, kind, w));
      }
    }
  } else {
    for (const std::uint64_t key : scan(q, from, to)) read(key);
  }
  std::sort(out.begin() + static_cast<std::ptrdiff_t>(begin), out.end(),
            [](const ProgressRow& a, const ProgressRow& b) {
              if (a.key.entity != b.key.entity) return a.key.entity < b.key.entity;
              if (a.key.metric != b.key.metric) return a.key.metric < b.key.metric;
              return a.key.window < b.key.window;
            });
}

std::vector<std::pair<MetricId, DecimalSum>> Aggregator::city_totals() const {
  std::vector<std::pair<MetricId, DecimalSum>> out;
  Int128 c[kMaxBlockCells];
  for (std::size_t k = 0; k < catalog_.kinds().size(); ++k) {
    const auto kind = static_cast<KindId>(k);
    if (!sum(BlockKey::pack(Level::city, roster_.city(), kind, kTotalWindow), c)) continue;
    out.emplace_back(first_metric_[kind], DecimalSum{c[0] * 1000});
    for (std::uint32_t f = 1; f < block_size_[kind]; ++f) {
      out.emplace_back(static_cast<MetricId>(first_metric_[kind] + f), DecimalSum{c[f]});
    }
  }
  return out;
}

void Aggregator::append_rows(std::uint64_t key, const Int128* c, std::optional<MetricId> metric,
                             std::vector<ProgressRow>& out) const {
  if (c[0] == 0) return;  // no data
  const BlockKey k = BlockKey::unpack(key);
  const auto reports = static_cast<std::int64_t>(c[0]);
  const MetricId first = first_metric_[k.kind];
  const std::uint32_t n = block_size_[k.kind];
  for (std::uint32_t f = 0; f < n; ++f) {
    const auto m = static_cast<MetricId>(first + f);
    if (metric && *metric != m) continue;
    const DecimalSum value{f == 0 ? c[0] * 1000 : c[f]};
    out.push_back({{k.level, k.entity, m, k.window}, {value, reports}});
  }
}

}  // namespace fp
