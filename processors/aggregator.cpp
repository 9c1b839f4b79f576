#include "processors/aggregator.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace fp {
namespace {

// A global block's header cell: bytes 0-7 the key, 8-11 the last batch that moved it.
std::uint64_t header_key(const Int128& h) {
  std::uint64_t k;
  std::memcpy(&k, &h, 8);
  return k;
}
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

}  // namespace

Aggregator::Aggregator(const Catalog& catalog, const Roster& roster)
    : catalog_(catalog), roster_(roster) {
  if (catalog.kinds().size() > BlockKey::kMaxKind) throw std::length_error("too many kinds");
  if (roster.regions().size() > BlockKey::kMaxEntity ||
      roster.cadres().size() > BlockKey::kMaxEntity) {
    throw std::length_error("roster too large for the aggregate key");
  }
  MetricId next = 0;
  for (std::size_t k = 0; k < catalog.kinds().size(); ++k) {
    const auto fields = static_cast<std::uint32_t>(catalog.kinds()[k].fields.size());
    block_size_.push_back(1 + fields);
    first_metric_.push_back(next);
    for (std::uint32_t slot = 0; slot <= fields; ++slot) {
      metric_kind_.push_back(static_cast<KindId>(k));
      metric_slot_.push_back(slot);
      ++next;
    }
  }
}

void Aggregator::begin_batch() {
  moved_.clear();
  solo_moved_.clear();
  if (++batch_ == 0) {  // wrapped: forget old marks so no block looks already moved
    for (const FlatIndex::Slot& s : index_.slots()) {
      if (s.key != FlatIndex::kEmpty) set_header_batch(cells_[s.a], 0);
    }
    if (sole_ != nullptr) {
      for (FlatIndex::Slot& s : sole_->index.slots()) s.b = 0;
    }
    batch_ = 1;
  }
}

void Aggregator::reset_global() {
  index_.clear();
  GrowableArray<Int128>().swap(cells_);
  moved_.clear();
  solo_moved_.clear();
}

void Aggregator::solo(PartialAggregates& part) {
  reset_global();
  sole_ = &part;
  for (FlatIndex::Slot& s : part.index.slots()) s.b = 0;  // nothing moved yet in this batch
}

void Aggregator::unsolo() {
  PartialAggregates& part = *sole_;
  sole_ = nullptr;
  for (FlatIndex::Slot& s : part.index.slots()) {
    if (s.key == FlatIndex::kEmpty) continue;
    const KindId kind = BlockKey::unpack(s.key).kind;
    const bool moved = s.b == batch_;
    s.b = global_block(s.key, kind);
    std::copy_n(&part.cells[s.a], block_size_[kind], &cells_[s.b + 1]);
    if (moved) {
      set_header_batch(cells_[s.b], batch_);
      moved_.push_back(s.b);
    }
  }
  solo_moved_.clear();
}

std::size_t Aggregator::block_count() const {
  return sole_ != nullptr ? sole_->index.size() : index_.size();
}

std::uint32_t Aggregator::global_block(std::uint64_t key, KindId kind) {
  bool inserted = false;
  FlatIndex::Slot* slot = index_.find_or_insert(key, inserted);
  if (inserted) {
    if (cells_.size() + 1 + block_size_[kind] > UINT32_MAX) {
      throw std::length_error("aggregate cells exceed 2^32");
    }
    slot->a = static_cast<std::uint32_t>(cells_.size());
    cells_.push_back(make_header(key));
    cells_.resize(cells_.size() + block_size_[kind]);
  }
  return slot->a;
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
  if (sole_ != nullptr) {
    for (const Staged& s : run) {
      if (s.part != sole_) {
        unsolo();  // before any block of the run is resolved against the solo layout
        break;
      }
    }
  }
  if (sole_ != nullptr) {
    for (Staged& s : run) resolve_solo(s);
    for (const Staged& s : run) apply_solo(s);
  } else {
    for (Staged& s : run) resolve_shared(s);
    for (const Staged& s : run) apply_shared(s);
  }
}

FlatIndex::Slot* Aggregator::local_block(PartialAggregates& part, std::uint64_t key,
                                         std::uint32_t n, bool& inserted) {
  inserted = false;
  FlatIndex::Slot* slot = part.index.find_or_insert(key, inserted);
  if (inserted) {
    if (part.cells.size() + n > UINT32_MAX) throw std::length_error("partition cells exceed 2^32");
    slot->a = static_cast<std::uint32_t>(part.cells.size());
    part.cells.resize(part.cells.size() + n);
  }
  return slot;
}

void Aggregator::resolve_solo(Staged& s) {
  PartialAggregates& part = *s.part;
  const std::uint32_t n = block_size_[s.report->kind];
  for (int i = 0; i < kBlocks; ++i) {
    bool inserted = false;
    FlatIndex::Slot* slot = local_block(part, s.keys[i], n, inserted);
    if (slot->b != batch_) {
      slot->b = batch_;
      solo_moved_.push_back({s.keys[i], slot->a});
    }
    s.local[i] = slot->a;
    prefetch_block(&part.cells[slot->a], n);
  }
}

void Aggregator::apply_solo(const Staged& s) {
  const Report& report = *s.report;
  const std::uint32_t n = block_size_[report.kind];
  Int128* cells = s.part->cells.data();
  for (int i = 0; i < kBlocks; ++i) {
    Int128* pc = cells + s.local[i];
    pc[0] += 1;
    for (std::uint32_t f = 1; f < n; ++f) pc[f] += report.values[f - 1].milli;
  }
}

void Aggregator::resolve_shared(Staged& s) {
  PartialAggregates& part = *s.part;
  const std::uint32_t n = block_size_[s.report->kind];
  for (int i = 0; i < kBlocks; ++i) {
    bool inserted = false;
    FlatIndex::Slot* slot = local_block(part, s.keys[i], n, inserted);
    if (inserted) slot->b = global_block(s.keys[i], s.report->kind);
    s.local[i] = slot->a;
    s.global[i] = slot->b;
    prefetch_block(&part.cells[slot->a], n);
    prefetch_block(&cells_[slot->b], n + 1);
  }
}

void Aggregator::apply_shared(const Staged& s) {
  const Report& report = *s.report;
  const std::uint32_t n = block_size_[report.kind];
  Int128* local = s.part->cells.data();
  for (int i = 0; i < kBlocks; ++i) {
    Int128* pc = local + s.local[i];
    Int128* gc = &cells_[s.global[i]];
    pc[0] += 1;
    gc[1] += 1;
    for (std::uint32_t f = 1; f < n; ++f) {
      pc[f] += report.values[f - 1].milli;
      gc[f + 1] += report.values[f - 1].milli;
    }
    if (header_batch(gc[0]) != batch_) {
      set_header_batch(gc[0], batch_);
      moved_.push_back(s.global[i]);
    }
  }
}

void Aggregator::collect_changes(std::vector<ProgressChange>& out,
                                 std::vector<std::uint64_t>& blocks) const {
  // The moved blocks are scattered over the cells: load a few ahead.
  constexpr std::size_t kAhead = 8;
  for (std::size_t i = 0; i < solo_moved_.size(); ++i) {
    if (i + kAhead < solo_moved_.size()) {
      __builtin_prefetch(&sole_->cells[solo_moved_[i + kAhead].offset]);
    }
    append_changes(solo_moved_[i].key, &sole_->cells[solo_moved_[i].offset], out);
    blocks.push_back(solo_moved_[i].key);
  }
  for (std::size_t i = 0; i < moved_.size(); ++i) {
    if (i + kAhead < moved_.size()) __builtin_prefetch(&cells_[moved_[i + kAhead]]);
    const std::uint32_t header = moved_[i];
    const std::uint64_t key = header_key(cells_[header]);
    append_changes(key, &cells_[header + 1], out);
    blocks.push_back(key);
  }
}

void Aggregator::block_changes(std::uint64_t key, std::vector<ProgressChange>& out) const {
  const Int128* cells = find(key);
  if (cells != nullptr && cells[0] != 0) append_changes(key, cells, out);
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
  const KindId kind = BlockKey::unpack(key).kind;
  const std::uint32_t n = block_size_[kind];
  const bool alone = &part == sole_;
  if (!alone && sole_ != nullptr) unsolo();
  bool inserted = false;
  FlatIndex::Slot* slot = part.index.find_or_insert(key, inserted);
  if (inserted) {
    slot->a = static_cast<std::uint32_t>(part.cells.size());
    part.cells.resize(part.cells.size() + n);
    slot->b = alone ? 0 : global_block(key, kind);
  }
  if (alone) {
    Int128* pc = &part.cells[slot->a];
    for (std::uint32_t f = 0; f < n; ++f) pc[f] += values[f];
    return;
  }
  Int128* pc = &part.cells[slot->a];
  Int128* gc = &cells_[slot->b + 1];
  for (std::uint32_t f = 0; f < n; ++f) {
    pc[f] += values[f];
    gc[f] += values[f];
  }
}

void Aggregator::subtract(const PartialAggregates& part) {
  if (&part == sole_) {  // the view was this partition alone: nothing is left
    sole_ = nullptr;
    reset_global();
    return;
  }
  for (const FlatIndex::Slot& s : part.index.slots()) {
    if (s.key == FlatIndex::kEmpty) continue;
    const std::uint32_t n = block_size_[BlockKey::unpack(s.key).kind];
    Int128* gc = &cells_[s.b + 1];
    const Int128* pc = &part.cells[s.a];
    for (std::uint32_t f = 0; f < n; ++f) gc[f] -= pc[f];
  }
}

const Int128* Aggregator::find(std::uint64_t key) const {
  if (sole_ != nullptr) {
    const FlatIndex::Slot* slot = sole_->index.find(key);
    return slot == nullptr ? nullptr : &sole_->cells[slot->a];
  }
  const FlatIndex::Slot* slot = index_.find(key);
  return slot == nullptr ? nullptr : &cells_[slot->a + 1];
}

void Aggregator::append_rows(std::uint64_t key, const Int128* c, std::optional<MetricId> metric,
                             std::vector<ProgressRow>& out) const {
  if (c[0] == 0) return;  // no data (e.g. its partition was dropped)
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

void Aggregator::query(const ProgressQuery& q, std::vector<ProgressRow>& out) const {
  const bool total = q.from_window == kTotalWindow;
  const std::int32_t from = q.from_window, to = total ? kTotalWindow : q.to_window;
  if (!total && to < from) return;
  const std::size_t begin = out.size();
  const auto kinds = static_cast<KindId>(catalog_.kinds().size());
  const std::int64_t span = static_cast<std::int64_t>(to) - from + 1;
  if (q.entity && span * kinds <= static_cast<std::int64_t>(block_count())) {
    // One entity over a short range: direct lookups.
    for (KindId kind = 0; kind < kinds; ++kind) {
      if (q.metric && metric_kind_[*q.metric] != kind) continue;
      for (std::int32_t w = from; w <= to; ++w) {
        const std::uint64_t key = BlockKey::pack(q.level, *q.entity, kind, w);
        if (const Int128* c = find(key)) append_rows(key, c, q.metric, out);
      }
    }
  } else if (sole_ != nullptr) {
    for (const FlatIndex::Slot& s : sole_->index.slots()) {
      if (s.key == FlatIndex::kEmpty) continue;
      const BlockKey k = BlockKey::unpack(s.key);
      if (k.level != q.level || (q.entity && k.entity != *q.entity)) continue;
      if (q.metric && metric_kind_[*q.metric] != k.kind) continue;
      if (k.window < from || k.window > to) continue;
      append_rows(s.key, &sole_->cells[s.a], q.metric, out);
    }
  } else {
    for (const FlatIndex::Slot& g : index_.slots()) {
      if (g.key == FlatIndex::kEmpty) continue;
      const BlockKey k = BlockKey::unpack(g.key);
      if (k.level != q.level || (q.entity && k.entity != *q.entity)) continue;
      if (q.metric && metric_kind_[*q.metric] != k.kind) continue;
      if (k.window < from || k.window > to) continue;
      append_rows(g.key, &cells_[g.a + 1], q.metric, out);
    }
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
  for (KindId kind = 0; kind < catalog_.kinds().size(); ++kind) {
    const Int128* c = find(BlockKey::pack(Level::city, roster_.city(), kind, kTotalWindow));
    if (c == nullptr || c[0] == 0) continue;
    out.emplace_back(first_metric_[kind], DecimalSum{c[0] * 1000});
    for (std::uint32_t f = 1; f < block_size_[kind]; ++f) {
      out.emplace_back(static_cast<MetricId>(first_metric_[kind] + f), DecimalSum{c[f]});
    }
  }
  return out;
}

}  // namespace fp
