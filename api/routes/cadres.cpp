// GET /v1/cadres/silent: cadres with no accepted report in the last `days` days before `as_of`.
#include <algorithm>

#include "api/routes/handlers.h"
#include "model/civil_time.h"
#include "model/json_text.h"
#include "processors/core.h"

namespace fp {
namespace {

Checked<int> parse_days(const RequestParameters& params) {
  const std::string* text = params.get("days");
  if (!text) return {7, std::nullopt};
  auto v = parse_int(*text);
  if (!v || *v < 1 || *v > kMaxSilentDays) {
    return {std::nullopt,
            bad_parameter("days", "expected a whole number of days from 1 to " +
                                      std::to_string(kMaxSilentDays) + ", got \"" + *text + "\"")};
  }
  return {static_cast<int>(*v), std::nullopt};
}

Checked<std::int64_t> parse_as_of(const RequestParameters& params, std::int64_t now_ms) {
  const std::string* text = params.get("as_of");
  if (!text) return {now_ms, std::nullopt};
  auto t = parse_rfc3339(*text);
  if (!t && text->find(' ') != std::string::npos) {
    // An unescaped "+08:00" arrives as " 08:00" ('+' means space in a query).
    std::string plus = *text;
    std::replace(plus.begin(), plus.end(), ' ', '+');
    t = parse_rfc3339(plus);
  }
  if (!t) {
    return {std::nullopt,
            bad_parameter("as_of",
                          "expected an RFC 3339 timestamp with offset, got \"" + *text + "\"")};
  }
  return {*t, std::nullopt};
}

void append_silent_cadre(std::string& body, const Roster& roster, const SilentCadre& silent) {
  const Cadre& c = roster.cadre(silent.cadre);
  const Region& r = roster.region(c.region);
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
  if (silent.last_report_ms) {
    append_json_string(body, format_rfc3339_cst(*silent.last_report_ms));
  } else {
    body += "null";
  }
  body += '}';
}

}  // namespace

ApiResponse handle_silent_cadres(const RouteContext& context, const RequestParameters& params) {
  const auto days = parse_days(params);
  if (days.error) return *days.error;
  const auto as_of = parse_as_of(params, context.now_ms);
  if (as_of.error) return *as_of.error;
  const std::vector<SilentCadre> silent = context.core.silent_cadres(*as_of.value, *days.value);
  std::string body = "{\"as_of\":";
  append_json_string(body, format_rfc3339_cst(*as_of.value));
  body += ",\"days\":" + std::to_string(*days.value) + ",\"cadres\":[";
  body.reserve(body.size() + silent.size() * 128);
  for (std::size_t i = 0; i < silent.size(); ++i) {
    if (i) body += ',';
    append_silent_cadre(body, context.core.roster(), silent[i]);
  }
  body += "]}";
  return json_response(200, std::move(body));
}

}  // namespace fp
