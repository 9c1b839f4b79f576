// Picks a cadre, a village, a kind, values and a time for each report; resends and breaks
// some on request.
#include "simulate/report_generator.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "model/civil_time.h"
#include "simulate/history_clock.h"
#include "simulate/kind_profiles.h"
#include "simulate/malformation.h"
#include "simulate/prng.h"
#include "simulate/report_draft.h"

namespace fp {

namespace {

constexpr std::size_t kHistorySize = 1024;  // reports a resend may repeat
constexpr std::uint32_t kMillion = 1'000'000;

// Index of the first cumulative weight above `draw` (draw < cumulative.back()).
std::size_t pick_weighted(const std::vector<std::uint64_t>& cumulative, std::uint64_t draw) {
  return static_cast<std::size_t>(std::upper_bound(cumulative.begin(), cumulative.end(), draw) -
                                  cumulative.begin());
}

// Keeps the characters a report_id allows.
std::string id_part(std::string_view s, std::size_t max) {
  std::string out;
  for (const char c : s.substr(0, max)) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == ':' || c == '-';
    out.push_back(ok ? c : '_');
  }
  return out;
}

}  // namespace

struct ReportGenerator::Impl {
  // A cadre who reports, and the villages they report from.
  struct Reporter {
    CadreId cadre;
    std::string id_prefix;                       // "<cadre>-<run>-" inside report ids
    std::uint32_t first_village, village_count;  // a range of village_pool
    std::uint64_t seq = 0;
  };
  struct SentReport {
    sim::ReportDraft draft;
    KindId kind = 0;
  };

  const Catalog& catalog;
  const Roster& roster;
  SimulationOptions options;
  sim::Prng prng;

  std::vector<Reporter> reporters;
  std::vector<std::uint64_t> reporter_weights;  // cumulative
  std::vector<RegionId> village_pool;
  std::vector<std::uint64_t> kind_weights;  // cumulative, by KindId

  std::optional<sim::HistoryClock> history_clock;
  std::int64_t clock_base_ms;
  std::uint64_t clock_base_count = 0;
  std::uint64_t count = 0;

  sim::ReportDraft draft;
  KindId draft_kind = 0;
  std::vector<SentReport> history;
  std::size_t history_next = 0;
  ReportMeta unused_meta;  // for next(line)

  Impl(const Catalog& c, const Roster& r, SimulationOptions o)
      : catalog(c), roster(r), options(o), prng(o.seed), clock_base_ms(o.now_ms) {
    if (o.now_ms < kEarliestSimulationStartMs) {
      throw std::invalid_argument("the simulated start must be 2018-05-02 or later");
    }
    if (o.step_us < 0) throw std::invalid_argument("the simulated step must not be negative");
    if (o.bad_ppm > kMillion || o.dup_ppm > kMillion || o.bad_ppm + o.dup_ppm > kMillion) {
      throw std::invalid_argument("the bad and duplicate fractions must add up to at most 1");
    }
    if (catalog.kinds().empty()) throw std::invalid_argument("the catalog has no kinds");
    if (o.history) make_history_clock(*o.history);
    build_reporters(run_tag());
    build_kind_weights();
  }

  void make_history_clock(const SimulationOptions::History& h) {
    if (h.from_ms < kProgrammeStartMs) {
      throw std::invalid_argument("a history must not begin before the programme start");
    }
    const std::int64_t end_of_today = options.now_ms - cst_time_of_day(options.now_ms) + kMsPerDay;
    if (h.to_ms > end_of_today) {
      throw std::invalid_argument("a history must not end after the processing clock's day");
    }
    if (options.step_us != 0) throw std::invalid_argument("a history has no simulated step");
    if (h.late_ppm > kMillion) throw std::invalid_argument("the late fraction must be at most 1");
    history_clock.emplace(h.from_ms, h.to_ms, h.reports);
  }

  // Distinguishes the report ids of runs with another seed or start (with a history, its
  // first day: its ids do not depend on the processing clock).
  [[nodiscard]] std::string run_tag() const {
    const std::int64_t start = options.history ? options.history->from_ms : options.now_ms;
    sim::Prng tag(options.seed ^ static_cast<std::uint64_t>(start) * 0x9E3779B97F4A7C15ULL);
    static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    std::string out;
    for (int i = 0; i < 4; ++i) out.push_back(kDigits[tag.below(36)]);
    return out;
  }

  void build_reporters(const std::string& tag) {
    // Villages under every region, so that a division cadre reports from a village of
    // their town and a city leader from one of their county.
    std::vector<std::vector<RegionId>> villages_under(roster.regions().size());
    for (RegionId id = 0; id < roster.regions().size(); ++id) {
      if (roster.region(id).level != Level::village) continue;
      for (std::optional<RegionId> at = id; at; at = roster.region(*at).parent) {
        villages_under[*at].push_back(id);
      }
    }
    std::uint64_t total = 0;
    for (CadreId id = 0; id < roster.cadres().size(); ++id) {
      const Cadre& cadre = roster.cadre(id);
      const std::vector<RegionId>& villages = villages_under[cadre.region];
      if (villages.empty()) continue;
      // Stationed cadres report most; about 3% have stopped reporting altogether, except
      // in a history, where the whole roster reports across the period.
      const std::uint64_t tier_weight = cadre.tier == Tier::section    ? 4
                                        : cadre.tier == Tier::division ? 2
                                                                       : 1;
      const bool stopped = prng.chance(30'000) && !history_clock;
      const std::uint64_t weight = stopped ? 0 : tier_weight * (1 + prng.below(4));
      if (weight == 0) continue;
      Reporter reporter{id, id_part(cadre.cadre_id, 24) + "-" + tag + "-",
                        static_cast<std::uint32_t>(village_pool.size()),
                        static_cast<std::uint32_t>(villages.size())};
      village_pool.insert(village_pool.end(), villages.begin(), villages.end());
      reporters.push_back(std::move(reporter));
      total += weight;
      reporter_weights.push_back(total);
    }
    if (reporters.empty()) {
      throw std::invalid_argument("no cadre of the roster is attached to a region with villages");
    }
  }

  void build_kind_weights() {
    std::uint64_t total = 0;
    for (const Kind& kind : catalog.kinds()) {
      const sim::KindProfile* profile = sim::find_kind_profile(kind.name);
      total += profile != nullptr ? profile->reports_per_year : sim::kUnknownKindReportsPerYear;
      kind_weights.push_back(total);
    }
  }

  [[nodiscard]] std::int64_t now_ms() const {
    const auto elapsed_us =
        static_cast<Int128>(count - clock_base_count) * static_cast<Int128>(options.step_us);
    return clock_base_ms + static_cast<std::int64_t>(elapsed_us / 1000);
  }

  // When the work happened: mostly hours before the report is sent, some days, a few
  // (phones offline) weeks; nearly always in working hours, 08:00-20:00 CST.
  std::int64_t event_time(std::int64_t now) {
    const std::uint64_t r = prng.below(1000);
    const std::int64_t lag = r < 850   ? prng.between(0, 6 * kMsPerHour)
                             : r < 960 ? prng.between(6 * kMsPerHour, 3 * kMsPerDay)
                                       : prng.between(3 * kMsPerDay, 30 * kMsPerDay);
    std::int64_t at = now - lag;
    if (prng.chance(950'000)) {
      const std::int64_t time_of_day = cst_time_of_day(at);
      if (time_of_day < 8 * kMsPerHour) {
        at += -time_of_day - kMsPerDay + 8 * kMsPerHour + prng.between(0, 12 * kMsPerHour - 1);
      } else if (time_of_day >= 20 * kMsPerHour) {
        at += -time_of_day + 8 * kMsPerHour + prng.between(0, 12 * kMsPerHour - 1);
      }
    }
    at = std::max(at, kProgrammeStartMs + 8 * kMsPerHour);
    return at - at % 1000;
  }

  // A history's event time: the stream position of this report, or, for a late one,
  // working hours of a day 1-30 days (mostly under a week) before it.
  std::int64_t history_time() {
    const sim::HistoryClock& clock = *history_clock;
    const std::int64_t position =
        clock.position(count, static_cast<std::uint32_t>(prng.next() >> 32));
    if (!prng.chance(options.history->late_ppm) || position - kMsPerDay < clock.from_ms()) {
      return position - position % 1000;
    }
    const std::int64_t max_lag = std::min(30 * kMsPerDay, position - clock.from_ms());
    const std::int64_t lag = prng.chance(700'000)
                                 ? prng.between(kMsPerDay, std::min(7 * kMsPerDay, max_lag))
                                 : prng.between(kMsPerDay, max_lag);
    const std::int64_t day = position - lag;
    const std::int64_t at =
        day - cst_time_of_day(day) + 8 * kMsPerHour + prng.between(0, 10 * kMsPerHour - 1);
    return at - at % 1000;
  }

  void fill_values(const Kind& kind, const sim::KindSample& sample) {
    draft.value_count = 0;
    for (const ValueField& field : kind.fields) {
      const auto* found =
          std::find_if(sample.values.begin(),
                       sample.values.begin() + static_cast<std::ptrdiff_t>(sample.value_count),
                       [&](const sim::KindSample::Value& v) { return v.field == field.name; });
      if (found != sample.values.begin() + static_cast<std::ptrdiff_t>(sample.value_count)) {
        draft.add_value(field.name, found->value.to_string());
      } else if (!field.default_value) {
        draft.add_value(field.name, "1");  // a required field the profile does not know
      }
    }
  }

  void sample(const Kind& kind, sim::KindSample& out) {
    const sim::KindProfile* profile = sim::find_kind_profile(kind.name);
    if (profile != nullptr) {
      profile->sample(prng, out);
    } else {
      sim::sample_generic(kind, prng, out);
    }
  }

  // A new, valid report into `draft`.
  void compose() {
    draft.clear_edits();
    draft.version = "1";
    Reporter& reporter =
        reporters[pick_weighted(reporter_weights, prng.below(reporter_weights.back()))];
    const Cadre& cadre = roster.cadre(reporter.cadre);
    const Region& village =
        roster.region(village_pool[reporter.first_village + prng.below(reporter.village_count)]);
    draft_kind = static_cast<KindId>(pick_weighted(kind_weights, prng.below(kind_weights.back())));
    const Kind& kind = catalog.kind(draft_kind);

    const std::int64_t at = history_clock ? history_time() : event_time(now_ms());
    draft.at.clear();
    append_cst_timestamp(at, draft.at);

    // zj-<day>-<cadre>-<run>-<seq>: unique per run, whatever the village.
    draft.report_id.assign("zj-");
    append_cst_date(at, draft.report_id);
    draft.report_id.push_back('-');
    draft.report_id.append(reporter.id_prefix);
    const std::string seq = std::to_string(++reporter.seq);
    if (seq.size() < 3) draft.report_id.append(3 - seq.size(), '0');
    draft.report_id.append(seq);

    draft.cadre_id.assign(cadre.cadre_id);
    draft.village.assign(village.code);
    draft.kind.assign(kind.name);

    sim::KindSample s;
    sample(kind, s);
    fill_values(kind, s);
    draft.tag_count = 0;
    if (!s.crop.empty() && prng.chance(950'000)) draft.add_tag("crop", s.crop);
    draft.note.clear();
    if (prng.chance(900'000)) sim::render_note(s.note, village.name, s.crop, draft.note);
  }

  void remember() {
    SentReport& slot = history.size() < kHistorySize ? history.emplace_back()
                                                     : history[history_next++ % kHistorySize];
    slot.draft = draft;
    slot.kind = draft_kind;
  }

  // A resend of an earlier valid report: the same bytes, or corrected content.
  void resend(std::string& line, ReportMeta& meta) {
    const SentReport& original = history[prng.below(history.size())];
    draft = original.draft;
    draft_kind = original.kind;
    meta.identical = prng.below(2) == 0;
    if (!meta.identical) {
      const Kind& kind = catalog.kind(draft_kind);
      sim::KindSample s;
      sample(kind, s);
      fill_values(kind, s);
      draft.note.append(draft.note.empty() ? "补报" : "（补报）");
    }
    sim::write_report(draft, line);
  }

  void next(std::string& line, ReportMeta& meta) {
    const std::uint64_t roll = prng.below(kMillion);
    meta.identical = false;
    if (roll < options.dup_ppm && !history.empty()) {
      resend(line, meta);
      meta.intent = ReportIntent::duplicate;
      meta.kind = draft_kind;
    } else {
      compose();
      meta.key.assign(draft.village);
      if (roll >= options.dup_ppm && roll < options.dup_ppm + options.bad_ppm) {
        meta.intent = ReportIntent::bad;
        meta.reason = static_cast<Reason>(prng.below(kReasonCount));
        meta.kind.reset();
        meta.report_id.assign(draft.report_id);
        const sim::MalformationContext context{catalog, roster, draft_kind, now_ms()};
        sim::write_malformed(meta.reason, context, draft, prng, line);
        ++count;
        return;
      }
      meta.intent = ReportIntent::valid;
      meta.kind = draft_kind;
      sim::write_report(draft, line);
      remember();
    }
    meta.key.assign(draft.village);
    meta.report_id.assign(draft.report_id);
    ++count;
  }
};

ReportGenerator::ReportGenerator(const Catalog& catalog, const Roster& roster,
                                 SimulationOptions options)
    : impl_(std::make_unique<Impl>(catalog, roster, options)) {}

ReportGenerator::~ReportGenerator() = default;

void ReportGenerator::next(std::string& line, ReportMeta& meta) { impl_->next(line, meta); }

void ReportGenerator::next(std::string& line) { impl_->next(line, impl_->unused_meta); }

std::int64_t ReportGenerator::now_ms() const { return impl_->now_ms(); }

void ReportGenerator::set_now(std::int64_t now_ms) {
  impl_->clock_base_ms = now_ms;
  impl_->clock_base_count = impl_->count;
}

std::uint64_t ReportGenerator::generated() const { return impl_->count; }

}  // namespace fp
