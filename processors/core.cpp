// The processing core. Single-threaded by design: the owner calls every
// member from one thread (or one Asio strand); nothing here locks.
#include "processors/core.h"

#include <algorithm>
#include <array>
#include <map>

#include "model/civil_time.h"
#include "processors/aggregator.h"
#include "processors/cadre_activity.h"
#include "processors/report_reader.h"
#include "processors/snapshot_codec.h"
#include "processors/validator.h"

namespace fp {

// A valid report waiting for dedupe and aggregation, with its own copy of the id.
struct ProcessingCore::Pending {
  PartitionState* part = nullptr;
  std::size_t index = 0;  // in the batch
  Report report;
  std::uint64_t hash = 0;
  std::array<char, kMaxReportIdChars> id{};
};

namespace {
// Reports go through the later stages in runs of this many: each stage starts
// the loads the next one needs for the whole run, so their cache misses overlap.
constexpr std::size_t kRun = 32;

// Starts loading the first bytes of the next payload while this one is
// decoded: payloads are separate buffers (Kafka messages), which the hardware
// prefetcher does not follow.
void prefetch_payload(std::string_view payload) {
  constexpr std::size_t kLines = 6;
  const std::size_t n = std::min(payload.size(), kLines * 64);
  for (std::size_t at = 0; at < n; at += 64) __builtin_prefetch(payload.data() + at);
}
}  // namespace

struct ProcessingCore::Impl {
  Impl(std::shared_ptr<const Catalog> c, const Roster& r, CoreOptions o, Clock k)
      : catalog(std::move(c)),
        roster(std::make_shared<Roster>(r)),
        options(o),
        metric_names(catalog->metric_names()),
        reader(*catalog, *roster, options, std::move(k)),
        aggregator(*catalog, *roster),
        activity(*roster) {
    totals.accepted_by_kind.assign(catalog->kinds().size(), 0);
  }

  PartitionState& partition(std::int32_t id) {
    if (last_state != nullptr && last_partition == id) return *last_state;
    auto& slot = partitions[id];
    if (!slot) {
      slot = std::make_unique<PartitionState>(options.dedupe_horizon_days, catalog->kinds().size());
      slot->track_changes(track_changes);
    }
    last_partition = id;
    last_state = slot.get();
    return *slot;
  }

  void forget_cached_partition() { last_state = nullptr; }

  // Decodes a snapshot or partial. It throws before any figure changes (the
  // roster may have kept former entities by then, which count in none).
  DecodedPartition decode(std::int32_t partition, std::string_view bytes, bool with_ids) {
    try {
      DecodedPartition decoded = decode_partition(partition, bytes, *catalog, *roster, aggregator,
                                                  options.dedupe_horizon_days, with_ids);
      follow_roster();
      return decoded;
    } catch (...) {
      follow_roster();
      throw;
    }
  }

  // Makes a decoded snapshot partition `partition`'s state, in the view (the
  // partition was dropped first).
  PartitionState& take(std::int32_t partition, DecodedPartition& decoded) {
    PartitionState& st = *decoded.state;
    std::size_t offset = 0;
    for (const std::uint64_t key : decoded.block_keys) {
      aggregator.add_block(st.aggregates, key, &decoded.block_cells[offset]);
      offset += aggregator.block_size(BlockKey::unpack(key).kind);
    }
    activity.merge(st.activity);
    totals.add(st.counts, +1);
    partitions[partition] = std::move(decoded.state);
    forget_cached_partition();
    return st;
  }

  // After the roster grew or changed attachments: it only appends, so ids held stay valid.
  void follow_roster() {
    aggregator.roster_grew();
    activity.roster_changed();
  }

  std::shared_ptr<const Catalog> catalog;
  std::shared_ptr<Roster> roster;  // this core's own copy, which reloads and restores extend
  CoreOptions options;
  std::vector<std::string> metric_names;
  ReportReader reader;
  Aggregator aggregator;
  CadreActivity activity;
  OutcomeCounts totals;  // sum over partitions
  std::map<std::int32_t, std::unique_ptr<PartitionState>> partitions;
  std::int32_t last_partition = 0;
  PartitionState* last_state = nullptr;
  Report report;
  Rejection why;
  std::array<Pending, kRun> pending;
  std::array<Aggregator::Staged, kRun> staged_blocks;
  std::array<CadreActivity::Staged, kRun> staged_spans;
  std::size_t staged = 0;  // reports of the run that passed dedupe
  bool track_changes = false;
};

ProcessingCore::ProcessingCore(std::shared_ptr<const Catalog> catalog,
                               const std::shared_ptr<const Roster>& roster, CoreOptions options,
                               Clock clock)
    : impl_(std::make_unique<Impl>(std::move(catalog), *roster, options, std::move(clock))) {}

ProcessingCore::~ProcessingCore() = default;

void ProcessingCore::process(std::span<const RawMessage> batch, BatchResult& out) {
  Impl& s = *impl_;
  out.clear();
  out.accepted_by_kind.resize(s.catalog->kinds().size(), 0);
  s.aggregator.begin_batch();
  // Runs of kRun messages, each in passes: decode and validate every message
  // (starting the loads of the dedupe slots), dedupe the valid ones in order
  // (starting the loads of the aggregate and activity index slots), then the
  // aggregator and the activity each find their blocks and add. Every stage
  // sees the reports in batch order, so the outcome equals one-by-one processing.
  for (std::size_t start = 0; start < batch.size(); start += kRun) {
    const std::size_t end = std::min(batch.size(), start + kRun);
    std::size_t valid = 0;
    for (std::size_t i = start; i < end; ++i) {
      const RawMessage& m = batch[i];
      if (i + 1 < batch.size()) prefetch_payload(batch[i + 1].payload);
      PartitionState& part = s.partition(m.partition);
      ++part.counts.consumed;
      ++s.totals.consumed;
      if (!s.reader.read(m.payload, s.report, s.why)) {
        reject(part, i, s.why, out);
        continue;
      }
      Pending& p = s.pending[valid++];
      p.part = &part;
      p.index = i;
      p.report = s.report;
      // The reader's views end at its next call; the validator bounds the id's length.
      const std::size_t id_size = std::min(s.report.report_id.size(), p.id.size());
      std::copy_n(s.report.report_id.data(), id_size, p.id.data());
      p.report.report_id = std::string_view(p.id.data(), id_size);
      p.hash = Deduper::hash(p.report.village, p.report.report_id);
      part.deduper.prefetch(p.hash);
    }
    s.staged = 0;
    for (std::size_t k = 0; k < valid; ++k) finish(s.pending[k], out);
    s.aggregator.add_staged(std::span(s.staged_blocks.data(), s.staged));
    s.activity.add_staged(std::span(s.staged_spans.data(), s.staged));
  }
  s.aggregator.collect_moved(out.moved_blocks);
}

// Dedupes a valid report and, when it is new, counts it and stages it for the
// aggregator and the activity.
void ProcessingCore::finish(Pending& p, BatchResult& out) {
  Impl& s = *impl_;
  PartitionState& part = *p.part;
  const Report& r = p.report;
  // With a horizon, an id this old may have been forgotten: judging it could
  // accept a resend twice, so it is rejected loudly instead (contract section 4).
  if (part.deduper.outside_horizon(r.cst_day)) {
    reject_outside_horizon(p, out);
    return;
  }
  if (!part.deduper.insert_hashed(p.hash, r.village, r.report_id, r.cst_day)) {
    ++part.counts.duplicate;
    ++s.totals.duplicate;
    ++out.duplicate;
    return;
  }
  ++part.counts.accepted;
  ++part.counts.accepted_by_kind[r.kind];
  ++s.totals.accepted;
  ++s.totals.accepted_by_kind[r.kind];
  ++out.accepted;
  ++out.accepted_by_kind[r.kind];
  const std::size_t k = s.staged++;
  s.aggregator.stage(part.aggregates, r, s.staged_blocks[k]);
  s.activity.stage(part.activity, r.cadre, r.cst_day, r.at_ms, s.staged_spans[k]);
}

void ProcessingCore::reject(PartitionState& part, std::size_t index, const Rejection& why,
                            BatchResult& out) {
  Impl& s = *impl_;
  const auto reason = static_cast<std::size_t>(why.reason);
  ++part.counts.rejected;
  ++part.counts.rejected_by_reason[reason];
  ++s.totals.rejected;
  ++s.totals.rejected_by_reason[reason];
  ++out.rejected;
  ++out.rejected_by_reason[reason];
  out.dead_letters.push_back({index, why});
}

void ProcessingCore::reject_outside_horizon(const Pending& p, BatchResult& out) {
  PartitionState& part = *p.part;
  const std::int32_t horizon = part.deduper.horizon_days();
  reject(
      part, p.index,
      Rejection{Reason::too_old,
                "at: day " + format_day(p.report.cst_day) + " is more than " +
                    std::to_string(horizon) + " days before the newest report of its partition (" +
                    format_day(part.deduper.newest_day()) +
                    "), outside the duplicate-detection horizon (dedupe.horizon_days = " +
                    std::to_string(horizon) + ")"},
      out);
}

std::string ProcessingCore::snapshot_partition(std::int32_t partition) const {
  const Impl& s = *impl_;
  const auto it = s.partitions.find(partition);
  const PartitionState empty(s.options.dedupe_horizon_days, s.catalog->kinds().size());
  return encode_partition(partition, it == s.partitions.end() ? empty : *it->second, *s.catalog,
                          *s.roster, s.aggregator);
}

void ProcessingCore::restore_partition(std::int32_t partition, std::string_view snapshot) {
  Impl& s = *impl_;
  DecodedPartition decoded = s.decode(partition, snapshot, true);
  drop_partition(partition);
  PartitionState& st = s.take(partition, decoded);
  st.track_changes(s.track_changes);
  st.partial_consumed = st.counts.consumed;
}

void ProcessingCore::track_changes() {
  impl_->track_changes = true;
  for (auto& [id, st] : impl_->partitions) st->track_changes(true);
}

std::string ProcessingCore::take_partial(std::int32_t partition) {
  Impl& s = *impl_;
  const auto it = s.partitions.find(partition);
  if (it == s.partitions.end()) return {};
  PartitionState& st = *it->second;
  if (st.aggregates.changed.empty() && st.activity.changed.empty() &&
      st.counts.consumed == st.partial_consumed) {
    return {};
  }
  std::string partial = encode_partial(partition, st, *s.catalog, *s.roster, s.aggregator);
  st.aggregates.clear_changed();
  st.activity.clear_changed();
  st.partial_consumed = st.counts.consumed;
  return partial;
}

bool ProcessingCore::restore_replica(std::int32_t partition, std::int64_t through_offset,
                                     std::string_view snapshot) {
  Impl& s = *impl_;
  if (const auto it = s.partitions.find(partition);
      it != s.partitions.end() && it->second->exact && through_offset <= it->second->through) {
    return false;
  }
  DecodedPartition decoded = s.decode(partition, snapshot, false);
  drop_partition(partition);
  s.take(partition, decoded).through = through_offset;
  return true;
}

bool ProcessingCore::apply_partial(std::int32_t partition, std::int64_t through_offset,
                                   std::string_view partial, std::vector<ProgressBlockId>& moved) {
  Impl& s = *impl_;
  auto& slot = s.partitions[partition];
  if (!slot) {
    slot =
        std::make_unique<PartitionState>(s.options.dedupe_horizon_days, s.catalog->kinds().size());
  }
  PartitionState& st = *slot;
  if (!st.exact || through_offset <= st.through) return false;
  // Decode first: a corrupt partial throws before anything changes.
  DecodedPartition decoded = s.decode(partition, partial, false);
  s.totals.add(st.counts, -1);
  st.counts = decoded.state->counts;
  s.totals.add(st.counts, +1);
  std::size_t offset = 0;
  for (const std::uint64_t key : decoded.block_keys) {
    if (s.aggregator.set_block(st.aggregates, key, &decoded.block_cells[offset])) {
      moved.push_back(key);
    }
    offset += s.aggregator.block_size(BlockKey::unpack(key).kind);
  }
  for (const ActivitySpan& span : decoded.state->activity.spans) {
    s.activity.merge_span(st.activity, span);
  }
  st.through = through_offset;
  s.forget_cached_partition();
  return true;
}

void ProcessingCore::replica_gap(std::int32_t partition) {
  Impl& s = *impl_;
  auto& slot = s.partitions[partition];
  if (!slot) {
    slot =
        std::make_unique<PartitionState>(s.options.dedupe_horizon_days, s.catalog->kinds().size());
  }
  slot->exact = false;
  s.forget_cached_partition();
}

bool ProcessingCore::replica_lags(std::int32_t partition) const {
  const auto it = impl_->partitions.find(partition);
  return it != impl_->partitions.end() && !it->second->exact;
}

void ProcessingCore::keep_as_replica(std::int32_t partition, std::int64_t through_offset) {
  Impl& s = *impl_;
  const auto it = s.partitions.find(partition);
  if (it == s.partitions.end()) return;
  it->second->deduper = Deduper(s.options.dedupe_horizon_days);
  it->second->track_changes(false);
  it->second->through = through_offset;
  it->second->exact = true;
  s.forget_cached_partition();
}

std::vector<ProgressBlockId> ProcessingCore::block_keys_where(
    const std::function<bool(ProgressBlockId)>& wanted) const {
  std::vector<ProgressBlockId> keys;
  impl_->aggregator.keys_where(wanted, keys);
  return keys;
}

void ProcessingCore::drop_partition(std::int32_t partition) {
  Impl& s = *impl_;
  const auto it = s.partitions.find(partition);
  if (it == s.partitions.end()) return;
  s.aggregator.remove(it->second->aggregates);
  s.totals.add(it->second->counts, -1);
  s.partitions.erase(it);
  std::vector<PartialActivity*> rest;
  for (auto& [id, st] : s.partitions) rest.push_back(&st->activity);
  s.activity.rebuild(rest);
  s.forget_cached_partition();
}

Summary ProcessingCore::summary() const {
  const Impl& s = *impl_;
  Summary out;
  out.consumed = s.totals.consumed;
  out.accepted = s.totals.accepted;
  out.duplicate = s.totals.duplicate;
  out.rejected = s.totals.rejected;
  out.rejected_by_reason = s.totals.rejected_by_reason;
  out.cadres_total = s.roster->current_cadre_count();
  out.cadres_reporting = s.activity.cadres_reporting();
  out.city_totals = s.aggregator.city_totals();
  return out;
}

std::vector<ProgressRow> ProcessingCore::progress(const ProgressQuery& query) const {
  std::vector<ProgressRow> out;
  impl_->aggregator.query(query, out);
  return out;
}

void ProcessingCore::block_changes(ProgressBlockId block, std::vector<ProgressChange>& out) const {
  impl_->aggregator.block_changes(block, out);
}

void ProcessingCore::headline_changes(std::span<const ProgressBlockId> blocks,
                                      std::vector<ProgressChange>& out) const {
  // A county's block is listed once per partition that moved it: sum each once.
  std::vector<ProgressBlockId> headline;
  for (const ProgressBlockId block : blocks) {
    const BlockKey k = BlockKey::unpack(block);
    if (k.window != kTotalWindow || (k.level != Level::city && k.level != Level::county)) continue;
    headline.push_back(block);
  }
  std::sort(headline.begin(), headline.end());
  headline.erase(std::unique(headline.begin(), headline.end()), headline.end());
  for (const ProgressBlockId block : headline) impl_->aggregator.block_changes(block, out);
}

std::vector<SilentCadre> ProcessingCore::silent_cadres(std::int64_t as_of_ms, int days) const {
  return impl_->activity.silent(as_of_ms, days);
}

std::vector<Completeness> ProcessingCore::completeness(Level level, std::int32_t cst_day) const {
  return impl_->activity.completeness(level, cst_day);
}

std::optional<std::int64_t> ProcessingCore::last_report_ms(CadreId cadre) const {
  return impl_->activity.last_report_ms(cadre);
}

void ProcessingCore::update_roster(const Roster& next) {
  impl_->roster->update(next);
  impl_->follow_roster();
}

const Catalog& ProcessingCore::catalog() const { return *impl_->catalog; }
const Roster& ProcessingCore::roster() const { return *impl_->roster; }
const std::vector<std::string>& ProcessingCore::metric_names() const { return impl_->metric_names; }

}  // namespace fp
