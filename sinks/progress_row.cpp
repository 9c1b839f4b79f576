#include "sinks/progress_row.h"

#include <charconv>
#include <stdexcept>

#include "model/civil_time.h"
#include "model/json_text.h"
#include "processors/core.h"

namespace fp {

namespace {

void append_id(const Roster& roster, const ProgressKey& key, std::string& out) {
  // Codes and cadre ids are plain ASCII (roster-checked).
  out += key.level == Level::cadre ? roster.cadre(key.entity).cadre_id
                                   : roster.region(key.entity).code;
}

void append_window(const ProgressKey& key, std::string& out) {
  if (key.window == kTotalWindow) {
    out += "total";
  } else {
    out += format_day(key.window);  // ten characters: no allocation
  }
}

void append_integer(std::int64_t n, std::string& out) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  out.append(digits, end);
}

std::string json_string(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

}  // namespace

void ProgressRowRenderer::follow_roster() {
  const Roster& roster = core_.roster();
  if (region_codes_.size() == roster.regions().size() &&
      cadre_ids_.size() == roster.cadres().size()) {
    return;
  }
  std::lock_guard lock(mutex_);
  for (std::size_t r = region_codes_.size(); r < roster.regions().size(); ++r) {
    region_codes_.push_back(roster.regions()[r].code);
  }
  for (std::size_t c = cadre_ids_.size(); c < roster.cadres().size(); ++c) {
    cadre_ids_.push_back(roster.cadres()[c].cadre_id);
  }
}

void ProgressRowRenderer::fields(const ProgressKey& key, const ProgressValue& value,
                                 std::int64_t updated_ms, ProgressFields& out) const {
  out.level = to_string(key.level);
  {
    std::lock_guard lock(mutex_);
    out.id = key.level == Level::cadre ? cadre_ids_.at(key.entity) : region_codes_.at(key.entity);
  }
  out.metric = core_.metric_names()[key.metric];
  out.window.clear();
  append_window(key, out.window);
  out.value.clear();
  value.value.append_to(out.value);
  out.reports = std::to_string(value.reports);
  out.updated_at = format_rfc3339_cst(updated_ms);
}

BlockRowRenderer::BlockRowRenderer(const ProcessingCore& core) : core_(core) {
  // Metric ids follow the catalog: each kind's count, then its fields in order.
  for (const Kind& kind : core.catalog().kinds()) {
    kind_names_.push_back(kind.name);
    field_members_.emplace_back();
    for (const ValueField& field : kind.fields) {
      kind_names_.push_back(kind.name);
      field_members_.push_back(json_string(field.name) + ":");
    }
  }
  if (kind_names_.size() != core.metric_names().size()) {
    throw std::logic_error("progress rows: metric ids do not follow the catalog");
  }
  escape_names();
}

void BlockRowRenderer::escape_names() const {
  const Roster& roster = core_.roster();
  region_names_.clear();
  cadre_names_.clear();
  for (const Region& region : roster.regions()) region_names_.push_back(json_string(region.name));
  for (const Cadre& cadre : roster.cadres()) cadre_names_.push_back(json_string(cadre.name));
  names_revision_ = roster.revision();
}

void BlockRowRenderer::append_key(std::span<const ProgressChange> block, std::string& out) const {
  const ProgressKey& key = block.front().key;
  out += to_string(key.level);
  out.push_back('|');
  append_id(core_.roster(), key, out);
  out.push_back('|');
  out += kind_names_[key.metric];
  out.push_back('|');
  append_window(key, out);
}

void BlockRowRenderer::append_row(std::span<const ProgressChange> block, std::string& out) const {
  const ProgressKey& key = block.front().key;
  out += R"({"level":")";
  out += to_string(key.level);
  out += R"(","id":")";
  append_id(core_.roster(), key, out);
  if (names_revision_ != core_.roster().revision()) escape_names();
  out += R"(","name":)";
  out += key.level == Level::cadre ? cadre_names_[key.entity] : region_names_[key.entity];
  out += R"(,"kind":")";
  out += kind_names_[key.metric];
  out += R"(","window":")";
  append_window(key, out);
  out += R"(","reports":)";
  append_integer(block.front().value.reports, out);  // every metric carries the block's count
  out += R"(,"values":{)";
  bool first = true;
  for (const ProgressChange& change : block) {
    const std::string& member = field_members_[change.key.metric];
    if (member.empty()) continue;  // the count: "reports" above
    if (!first) out.push_back(',');
    first = false;
    out += member;
    change.value.value.append_to(out);
  }
  out += "}}";
}

}  // namespace fp
