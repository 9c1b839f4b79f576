#include "processors/cadre_activity.h"

#include <algorithm>
#include <climits>

#include "model/civil_time.h"

namespace fp {
namespace {
constexpr std::int64_t kNever = INT64_MIN;
}  // namespace

CadreActivity::CadreActivity(const Roster& roster) : roster_(roster) { roster_changed(); }

void CadreActivity::roster_changed() {
  const std::size_t n = roster_.cadres().size();
  cadre_regions_.resize(n);
  cadre_region_count_.resize(n);
  last_ms_.resize(n, kNever);
  reporting_ = 0;
  for (CadreId c = 0; c < n; ++c) {
    const Roster::Chain chain = roster_.chain(roster_.cadre(c).region);
    const RegionId path[4] = {chain.city, chain.county, chain.town, chain.village};
    std::uint8_t count = 0;
    for (const RegionId r : path) {
      if (count == 0 || cadre_regions_[c][count - 1] != r) cadre_regions_[c][count++] = r;
    }
    cadre_region_count_[c] = count;
    if (last_ms_[c] != kNever && !roster_.cadre(c).former) ++reporting_;
  }
}

void CadreActivity::note_last(CadreId cadre, std::int64_t at_ms) {
  std::int64_t& last = last_ms_[cadre];
  if (last == kNever && !roster_.cadre(cadre).former) ++reporting_;
  if (at_ms > last) last = at_ms;
}

std::uint32_t CadreActivity::global_span(CadreId cadre, std::int32_t day, std::int64_t at_ms) {
  bool inserted = false;
  FlatIndex::Slot* slot = index_.find_or_insert(key(cadre, day), inserted);
  if (inserted) {
    slot->a = static_cast<std::uint32_t>(spans_.size());
    spans_.push_back({cadre, day, at_ms, at_ms});
  }
  return slot->a;
}

void CadreActivity::add(PartialActivity& part, CadreId cadre, std::int32_t day,
                        std::int64_t at_ms) {
  Staged staged;
  stage(part, cadre, day, at_ms, staged);
  add_staged(std::span(&staged, 1));
}

void CadreActivity::stage(PartialActivity& part, CadreId cadre, std::int32_t day,
                          std::int64_t at_ms, Staged& out) const {
  out = {&part, cadre, day, at_ms, 0, 0};
  part.index.prefetch(key(cadre, day));
  index_.prefetch(key(cadre, day));  // needed when the span is new to the partition
}

void CadreActivity::add_staged(std::span<Staged> run) {
  for (Staged& s : run) {
    PartialActivity& part = *s.part;
    bool inserted = false;
    FlatIndex::Slot* slot = part.index.find_or_insert(key(s.cadre, s.day), inserted);
    if (inserted) {
      slot->a = static_cast<std::uint32_t>(part.spans.size());
      part.spans.push_back({s.cadre, s.day, s.at_ms, s.at_ms});
      slot->b = global_span(s.cadre, s.day, s.at_ms);
    }
    s.local = slot->a;
    s.global = slot->b;
    __builtin_prefetch(&part.spans[s.local], 1);
    __builtin_prefetch(&spans_[s.global], 1);
    __builtin_prefetch(&last_ms_[s.cadre], 1);
  }
  for (const Staged& s : run) {
    ActivitySpan& p = s.part->spans[s.local];
    // A new span starts at s.at_ms, so `<=` notes it too.
    if (s.part->track_changes && (s.at_ms <= p.first_ms || s.at_ms > p.last_ms)) {
      s.part->note_changed(s.local);
    }
    p.first_ms = std::min(p.first_ms, s.at_ms);
    p.last_ms = std::max(p.last_ms, s.at_ms);
    ActivitySpan& g = spans_[s.global];
    g.first_ms = std::min(g.first_ms, s.at_ms);
    g.last_ms = std::max(g.last_ms, s.at_ms);
    note_last(s.cadre, s.at_ms);
  }
}

void CadreActivity::merge(PartialActivity& part) {
  for (FlatIndex::Slot& slot : part.index.slots()) {
    if (slot.key == FlatIndex::kEmpty) continue;
    const ActivitySpan& p = part.spans[slot.a];
    slot.b = global_span(p.cadre, p.day, p.first_ms);
    ActivitySpan& g = spans_[slot.b];
    g.first_ms = std::min(g.first_ms, p.first_ms);
    g.last_ms = std::max(g.last_ms, p.last_ms);
    note_last(p.cadre, p.last_ms);
  }
}

void CadreActivity::merge_span(PartialActivity& part, const ActivitySpan& span) {
  bool inserted = false;
  FlatIndex::Slot* slot = part.index.find_or_insert(key(span.cadre, span.day), inserted);
  if (inserted) {
    slot->a = static_cast<std::uint32_t>(part.spans.size());
    part.spans.push_back(span);
    slot->b = global_span(span.cadre, span.day, span.first_ms);
  }
  ActivitySpan& p = part.spans[slot->a];
  p.first_ms = std::min(p.first_ms, span.first_ms);
  p.last_ms = std::max(p.last_ms, span.last_ms);
  ActivitySpan& g = spans_[slot->b];
  g.first_ms = std::min(g.first_ms, span.first_ms);
  g.last_ms = std::max(g.last_ms, span.last_ms);
  note_last(span.cadre, span.last_ms);
}

void CadreActivity::rebuild(const std::vector<PartialActivity*>& parts) {
  index_.clear();
  spans_.clear();
  last_ms_.assign(last_ms_.size(), kNever);
  reporting_ = 0;
  for (PartialActivity* part : parts) merge(*part);
}

std::optional<std::int64_t> CadreActivity::last_report_ms(CadreId cadre) const {
  if (last_ms_[cadre] == kNever) return std::nullopt;
  return last_ms_[cadre];
}

std::vector<SilentCadre> CadreActivity::silent(std::int64_t as_of_ms, int days) const {
  const std::int64_t after = as_of_ms - static_cast<std::int64_t>(std::max(days, 0)) * kMsPerDay;
  std::vector<char> active(last_ms_.size(), 0);
  std::vector<std::int64_t> before(last_ms_.size(), kNever);  // latest at <= as_of
  for (const ActivitySpan& s : spans_) {
    if ((s.first_ms > after && s.first_ms <= as_of_ms) ||
        (s.last_ms > after && s.last_ms <= as_of_ms)) {
      active[s.cadre] = 1;
    } else if (s.last_ms <= as_of_ms) {
      before[s.cadre] = std::max(before[s.cadre], s.last_ms);
    }
  }
  std::vector<SilentCadre> out;
  for (CadreId c = 0; c < last_ms_.size(); ++c) {
    if (active[c] != 0 || roster_.cadre(c).former) continue;
    SilentCadre sc;
    sc.cadre = c;
    if (before[c] != kNever) sc.last_report_ms = before[c];
    out.push_back(sc);
  }
  return out;
}

std::vector<Completeness> CadreActivity::completeness(Level level, std::int32_t day) const {
  std::vector<Completeness> out;
  if (level == Level::cadre) return out;
  std::vector<std::uint32_t> reported(roster_.regions().size(), 0);
  for (CadreId c = 0; c < last_ms_.size(); ++c) {
    if (last_ms_[c] == kNever || roster_.cadre(c).former || index_.find(key(c, day)) == nullptr) {
      continue;
    }
    for (std::uint8_t i = 0; i < cadre_region_count_[c]; ++i) ++reported[cadre_regions_[c][i]];
  }
  for (RegionId r = 0; r < roster_.regions().size(); ++r) {
    if (roster_.region(r).level != level || roster_.region(r).former) continue;
    out.push_back({r, reported[r], roster_.cadres_within(r)});
  }
  return out;
}

}  // namespace fp
