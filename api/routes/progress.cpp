// GET /v1/progress: the aggregates of one level, entity, metric and window, a range summed per
// series or, with by=day, its daily series (contract section 6).
#include <algorithm>

#include "api/routes/handlers.h"
#include "model/civil_time.h"
#include "model/json_text.h"
#include "processors/core.h"

namespace fp {
namespace {

void append_region_or_cadre(std::string& out, const Roster& roster, Level level,
                            std::uint32_t entity) {
  append_key(out, "id");
  if (level == Level::cadre) {
    const Cadre& c = roster.cadre(entity);
    append_json_string(out, c.cadre_id);
    out += ',';
    append_key(out, "name");
    append_json_string(out, c.name);
    if (c.former) out += R"(,"former":true)";
  } else {
    const Region& r = roster.region(entity);
    append_json_string(out, r.code);
    out += ',';
    append_key(out, "name");
    append_json_string(out, r.name);
    if (r.former) out += R"(,"former":true)";
  }
}

std::string window_text(std::int32_t window) {
  return window == kTotalWindow ? std::string("total") : format_day(window);
}

// What a query answers: rows of its window(s) as stored, or, for a range
// without by=day, one row per series summed over the range.
struct ProgressRequest {
  ProgressQuery query;
  bool sum_range = false;
  std::string range_text;  // "FROM..TO" when sum_range
};

// Sums the daily rows of each series (they arrive sorted by entity, metric,
// window) into one row whose window is the range: exact decimal sums.
std::vector<ProgressRow> sum_by_series(const std::vector<ProgressRow>& daily) {
  std::vector<ProgressRow> out;
  for (const ProgressRow& row : daily) {
    if (!out.empty() && out.back().key.level == row.key.level &&
        out.back().key.entity == row.key.entity && out.back().key.metric == row.key.metric) {
      out.back().value.value.add(row.value.value);
      out.back().value.reports += row.value.reports;
    } else {
      out.push_back(row);
    }
  }
  return out;
}

// Fills q.level and q.entity from `level` and `id`; an id alone implies its level.
std::optional<ApiResponse> resolve_entity(const Roster& roster, const RequestParameters& params,
                                          ProgressQuery& q) {
  const std::string* id = params.get("id");
  std::optional<Level> level;
  if (const std::string* level_text = params.get("level")) {
    auto checked = parse_level(level_text, Level::city, true);
    if (checked.error) return checked.error;
    level = checked.value;
  }
  if (id) {
    const auto region = roster.find_region(*id);
    const auto cadre = roster.find_cadre(*id);
    if (!region && !cadre) {
      return bad_parameter("id", "no region code or cadre_id \"" + *id + "\" in the roster");
    }
    if (!level) level = region ? roster.region(*region).level : Level::cadre;
    if (*level == Level::cadre) {
      if (!cadre) return bad_parameter("id", "no cadre_id \"" + *id + "\" in the roster");
      q.entity = *cadre;
    } else {
      if (!region || roster.region(*region).level != *level) {
        return bad_parameter("id", "\"" + *id + "\" is not a " + std::string(to_string(*level)) +
                                       " code in the roster");
      }
      q.entity = *region;
    }
  }
  q.level = level.value_or(Level::city);
  return std::nullopt;
}

std::optional<ApiResponse> resolve_metric_and_window(const ProcessingCore& core,
                                                     const RequestParameters& params,
                                                     ProgressRequest& request) {
  ProgressQuery& q = request.query;
  if (const std::string* metric = params.get("metric")) {
    const auto& names = core.metric_names();
    const auto it = std::find(names.begin(), names.end(), *metric);
    if (it == names.end()) {
      return bad_parameter("metric", "unknown metric \"" + *metric +
                                         "\"; metrics are <kind>.count and <kind>.<field>");
    }
    q.metric = static_cast<MetricId>(it - names.begin());
  }
  if (const std::string* window = params.get("window")) {
    auto checked = parse_window(*window);
    if (checked.error) return checked.error;
    q.from_window = checked.value->from;
    q.to_window = checked.value->to;
  }
  const std::string* by = params.get("by");
  if (by && *by != "day") return bad_parameter("by", "expected day, got \"" + *by + "\"");
  if (by && q.from_window == kTotalWindow) {
    return bad_parameter("by", "by=day needs a window of days (a day or FROM..TO)");
  }
  const std::string* window = params.get("window");
  if (!by && window && window->find("..") != std::string::npos) {
    request.sum_range = true;
    request.range_text = format_day(q.from_window) + ".." + format_day(q.to_window);
  }
  return std::nullopt;
}

std::string render_rows(const ProcessingCore& core, const std::vector<ProgressRow>& rows,
                        const std::string* range_text) {
  const auto& names = core.metric_names();
  std::string body;
  body.reserve(64 + rows.size() * 160);
  body += "{\"rows\":[";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const ProgressRow& row = rows[i];
    if (i) body += ',';
    body += "{\"level\":";
    append_json_string(body, to_string(row.key.level));
    body += ',';
    append_region_or_cadre(body, core.roster(), row.key.level, row.key.entity);
    body += ",\"metric\":";
    append_json_string(body, row.key.metric < names.size() ? names[row.key.metric] : "");
    body += ",\"window\":";
    append_json_string(body, range_text ? *range_text : window_text(row.key.window));
    body += ",\"value\":";
    row.value.value.append_to(body);
    body += ",\"reports\":" + std::to_string(row.value.reports) + '}';
  }
  body += "]}";
  return body;
}

}  // namespace

ApiResponse handle_progress(const RouteContext& context, const RequestParameters& params) {
  ProgressRequest request;
  if (auto error = resolve_entity(context.core.roster(), params, request.query)) return *error;
  if (auto error = resolve_metric_and_window(context.core, params, request)) return *error;
  const std::vector<ProgressRow> rows = context.core.progress(request.query);
  if (!request.sum_range) return json_response(200, render_rows(context.core, rows, nullptr));
  return json_response(200, render_rows(context.core, sum_by_series(rows), &request.range_text));
}

}  // namespace fp
