// The /v1 endpoints: parameter checking and JSON rendering over the core's read side.
#include "api/api_router.h"

#include <algorithm>
#include <charconv>
#include <chrono>

#include "api/dashboard/dashboard_page.h"
#include "api/query_string.h"
#include "api/summary_json.h"
#include "metrics/registry.h"
#include "model/civil_time.h"
#include "model/json_text.h"
#include "processors/core.h"

namespace fp {
namespace {

// Appends `"key":` (key is a plain ASCII literal).
void append_key(std::string& out, std::string_view key) {
  out += '"';
  out += key;
  out += "\":";
}

// Request text echoed in an error: kept as it is when valid UTF-8, else its
// non-ASCII bytes become '?', so the error document is always valid JSON.
std::string printable(std::string_view text) {
  std::string out(text);
  if (!is_valid_utf8(out)) {
    for (char& ch : out) {
      if (static_cast<unsigned char>(ch) >= 0x80) ch = '?';
    }
  }
  return out;
}

ApiResponse json_response(int status, std::string body) {
  return ApiResponse{status, "application/json", std::move(body)};
}

ApiResponse bad_parameter(std::string_view parameter, std::string_view detail) {
  std::string body = "{\"error\":\"bad parameter\",\"parameter\":";
  append_json_string(body, printable(parameter));
  body += ",\"detail\":";
  append_json_string(body, printable(detail));
  body += '}';
  return json_response(400, std::move(body));
}

ApiResponse error_response(int status, std::string_view error) {
  std::string body = "{\"error\":";
  append_json_string(body, error);
  body += '}';
  return json_response(status, std::move(body));
}

// The request's parameters, each allowed name known up front so that an
// unexpected one is a 400 rather than silently ignored.
class Parameters {
 public:
  Parameters(std::vector<QueryParameter> params) : params_(std::move(params)) {}

  [[nodiscard]] const std::string* get(std::string_view name) const {
    for (const QueryParameter& p : params_) {
      if (p.name == name) return &p.value;
    }
    return nullptr;
  }

  // The first parameter not in `allowed`, if any.
  [[nodiscard]] const std::string* unexpected(
      std::initializer_list<std::string_view> allowed) const {
    for (const QueryParameter& p : params_) {
      if (std::find(allowed.begin(), allowed.end(), p.name) == allowed.end()) return &p.name;
    }
    return nullptr;
  }

 private:
  std::vector<QueryParameter> params_;
};

// A check that fails yields the 400 to send.
template <typename T>
struct Checked {
  std::optional<T> value;
  std::optional<ApiResponse> error;
};

std::optional<std::int64_t> parse_int(std::string_view text) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return v;
}

struct WindowRange {
  std::int32_t from = kTotalWindow;
  std::int32_t to = kTotalWindow;
};

Checked<WindowRange> parse_window(std::string_view text) {
  if (text == "total") return {WindowRange{}, std::nullopt};
  const auto dots = text.find("..");
  if (dots == std::string_view::npos) {
    if (auto day = parse_day(text)) return {WindowRange{*day, *day}, std::nullopt};
    return {std::nullopt,
            bad_parameter("window", "expected total, a day YYYY-MM-DD or FROM..TO, got \"" +
                                        std::string(text) + "\"")};
  }
  auto from = parse_day(text.substr(0, dots));
  auto to = parse_day(text.substr(dots + 2));
  if (!from || !to) {
    return {std::nullopt, bad_parameter("window", "expected FROM..TO with days YYYY-MM-DD, got \"" +
                                                      std::string(text) + "\"")};
  }
  if (*from > *to) {
    return {std::nullopt,
            bad_parameter("window", "FROM is after TO in \"" + std::string(text) + "\"")};
  }
  if (*to - *from >= ApiRouter::kMaxWindowDays) {
    return {std::nullopt,
            bad_parameter("window", "a range spans at most " +
                                        std::to_string(ApiRouter::kMaxWindowDays) + " days")};
  }
  return {WindowRange{*from, *to}, std::nullopt};
}

Checked<Level> parse_level(const std::string* text, Level fallback, bool allow_cadre) {
  if (!text) return {fallback, std::nullopt};
  auto level = level_from_string(*text);
  if (!level || (!allow_cadre && *level == Level::cadre)) {
    return {
        std::nullopt,
        bad_parameter("level", std::string("expected city, county, town, village") +
                                   (allow_cadre ? " or cadre" : "") + ", got \"" + *text + "\"")};
  }
  return {*level, std::nullopt};
}

void append_region_or_cadre(std::string& out, const Roster& roster, Level level,
                            std::uint32_t entity) {
  append_key(out, "id");
  if (level == Level::cadre) {
    const Cadre& c = roster.cadre(entity);
    append_json_string(out, c.cadre_id);
    out += ',';
    append_key(out, "name");
    append_json_string(out, c.name);
  } else {
    const Region& r = roster.region(entity);
    append_json_string(out, r.code);
    out += ',';
    append_key(out, "name");
    append_json_string(out, r.name);
  }
}

std::string window_text(std::int32_t window) {
  return window == kTotalWindow ? std::string("total") : format_day(window);
}

}  // namespace

ApiRouter::ApiRouter(const ProcessingCore& core, MetricsRegistry& metrics, ReadinessFn readiness,
                     Clock clock)
    : core_(core), metrics_(metrics), readiness_(std::move(readiness)), clock_(std::move(clock)) {
  if (!clock_) {
    clock_ = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
}

ApiResponse ApiRouter::handle(std::string_view method, std::string_view target) const {
  if (method != "GET") return error_response(405, "method not allowed");
  const auto question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
  QueryError query_error;
  auto parsed = parse_query(query, query_error);
  if (!parsed) return bad_parameter(query_error.parameter, query_error.detail);
  const Parameters params(std::move(*parsed));
  auto no_parameters = [&]() -> std::optional<ApiResponse> {
    if (const std::string* name = params.unexpected({})) {
      return bad_parameter(*name, "this endpoint takes no parameters");
    }
    return std::nullopt;
  };

  if (path == "/healthz") {
    if (auto e = no_parameters()) return *e;
    return json_response(200, "{\"status\":\"ok\"}");
  }
  if (path == "/readyz") {
    if (auto e = no_parameters()) return *e;
    Readiness r = readiness_ ? readiness_() : Readiness{true, {}};
    std::string body = r.ready ? "{\"ready\":true,\"reasons\":[" : "{\"ready\":false,\"reasons\":[";
    for (std::size_t i = 0; i < r.reasons.size(); ++i) {
      if (i) body += ',';
      append_json_string(body, r.reasons[i]);
    }
    body += "]}";
    return json_response(r.ready ? 200 : 503, std::move(body));
  }
  if (path == "/metrics") {
    if (auto e = no_parameters()) return *e;
    return ApiResponse{200, kExpositionContentType, metrics_.render()};
  }
  if (path == "/" || path == "/index.html") {
    return ApiResponse{200, "text/html; charset=utf-8", std::string(dashboard_page_html())};
  }
  if (path == "/v1/summary") {
    if (auto e = no_parameters()) return *e;
    return json_response(200, render_summary_json(core_, clock_()));
  }

  const Roster& roster = core_.roster();
  if (path == "/v1/progress") {
    if (const std::string* name = params.unexpected({"level", "id", "metric", "window"})) {
      return bad_parameter(*name, "unknown parameter; expected level, id, metric, window");
    }
    ProgressQuery q;
    const std::string* level_text = params.get("level");
    const std::string* id = params.get("id");
    std::optional<Level> level;
    if (level_text) {
      auto checked = parse_level(level_text, Level::city, true);
      if (checked.error) return *checked.error;
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
    if (const std::string* metric = params.get("metric")) {
      const auto& names = core_.metric_names();
      const auto it = std::find(names.begin(), names.end(), *metric);
      if (it == names.end()) {
        return bad_parameter("metric", "unknown metric \"" + *metric +
                                           "\"; metrics are <kind>.count and <kind>.<field>");
      }
      q.metric = static_cast<MetricId>(it - names.begin());
    }
    if (const std::string* window = params.get("window")) {
      auto checked = parse_window(*window);
      if (checked.error) return *checked.error;
      q.from_window = checked.value->from;
      q.to_window = checked.value->to;
    }
    const std::vector<ProgressRow> rows = core_.progress(q);
    const auto& names = core_.metric_names();
    std::string body;
    body.reserve(64 + rows.size() * 160);
    body += "{\"rows\":[";
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const ProgressRow& row = rows[i];
      if (i) body += ',';
      body += "{\"level\":";
      append_json_string(body, to_string(row.key.level));
      body += ',';
      append_region_or_cadre(body, roster, row.key.level, row.key.entity);
      body += ",\"metric\":";
      append_json_string(body, row.key.metric < names.size() ? names[row.key.metric] : "");
      body += ",\"window\":";
      append_json_string(body, window_text(row.key.window));
      body += ",\"value\":";
      row.value.value.append_to(body);
      body += ",\"reports\":" + std::to_string(row.value.reports) + '}';
    }
    body += "]}";
    return json_response(200, std::move(body));
  }

  if (path == "/v1/cadres/silent") {
    if (const std::string* name = params.unexpected({"days", "as_of"})) {
      return bad_parameter(*name, "unknown parameter; expected days, as_of");
    }
    int days = 7;
    if (const std::string* text = params.get("days")) {
      auto v = parse_int(*text);
      if (!v || *v < 1 || *v > kMaxSilentDays) {
        return bad_parameter("days", "expected a whole number of days from 1 to " +
                                         std::to_string(kMaxSilentDays) + ", got \"" + *text +
                                         "\"");
      }
      days = static_cast<int>(*v);
    }
    std::int64_t as_of = 0;
    if (const std::string* text = params.get("as_of")) {
      auto t = parse_rfc3339(*text);
      if (!t && text->find(' ') != std::string::npos) {
        // An unescaped "+08:00" arrives as " 08:00" ('+' means space in a query).
        std::string plus = *text;
        std::replace(plus.begin(), plus.end(), ' ', '+');
        t = parse_rfc3339(plus);
      }
      if (!t) {
        return bad_parameter("as_of",
                             "expected an RFC 3339 timestamp with offset, got \"" + *text + "\"");
      }
      as_of = *t;
    } else {
      as_of = clock_();
    }
    const std::vector<SilentCadre> silent = core_.silent_cadres(as_of, days);
    std::string body = "{\"as_of\":";
    append_json_string(body, format_rfc3339_cst(as_of));
    body += ",\"days\":" + std::to_string(days) + ",\"cadres\":[";
    body.reserve(body.size() + silent.size() * 128);
    for (std::size_t i = 0; i < silent.size(); ++i) {
      const Cadre& c = roster.cadre(silent[i].cadre);
      const Region& r = roster.region(c.region);
      if (i) body += ',';
      body += "{\"cadre_id\":";
      append_json_string(body, c.cadre_id);
      body += ",\"name\":";
      append_json_string(body, c.name);
      body += ",\"tier\":";
      append_json_string(body, to_string(c.tier));
      body += ",\"region\":";
      append_json_string(body, r.code);
      body += ",\"region_name\":";
      append_json_string(body, r.name);
      body += ",\"last_report\":";
      if (silent[i].last_report_ms) {
        append_json_string(body, format_rfc3339_cst(*silent[i].last_report_ms));
      } else {
        body += "null";
      }
      body += '}';
    }
    body += "]}";
    return json_response(200, std::move(body));
  }

  if (path == "/v1/completeness") {
    if (const std::string* name = params.unexpected({"level", "date"})) {
      return bad_parameter(*name, "unknown parameter; expected level, date");
    }
    auto level = parse_level(params.get("level"), Level::county, false);
    if (level.error) return *level.error;
    std::int32_t day = cst_day(clock_());
    if (const std::string* text = params.get("date")) {
      auto d = parse_day(*text);
      if (!d) return bad_parameter("date", "expected a day YYYY-MM-DD, got \"" + *text + "\"");
      day = *d;
    }
    const std::vector<Completeness> rows = core_.completeness(*level.value, day);
    std::string body = "{\"level\":";
    append_json_string(body, to_string(*level.value));
    body += ",\"date\":";
    append_json_string(body, format_day(day));
    body += ",\"regions\":[";
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const Region& r = roster.region(rows[i].region);
      if (i) body += ',';
      body += "{\"id\":";
      append_json_string(body, r.code);
      body += ",\"name\":";
      append_json_string(body, r.name);
      body += ",\"reported\":" + std::to_string(rows[i].reported) +
              ",\"total\":" + std::to_string(rows[i].total) + ",\"ratio\":";
      // reported/total to 3 decimals, rounded down: exact JSON, no double.
      const auto milli = rows[i].total == 0
                             ? std::int64_t{0}
                             : static_cast<std::int64_t>(rows[i].reported * 1000 / rows[i].total);
      Decimal{milli}.append_to(body);
      body += '}';
    }
    body += "]}";
    return json_response(200, std::move(body));
  }

  return error_response(404, "not found");
}

}  // namespace fp
