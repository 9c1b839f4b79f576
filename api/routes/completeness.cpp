// GET /v1/completeness: per region of a level, how many of its villages reported on a day.
#include "api/routes/handlers.h"
#include "model/civil_time.h"
#include "model/decimal.h"
#include "model/json_text.h"
#include "processors/core.h"

namespace fp {

ApiResponse handle_completeness(const RouteContext& context, const RequestParameters& params) {
  auto level = parse_level(params.get("level"), Level::county, false);
  if (level.error) return *level.error;
  std::int32_t day = cst_day(context.now_ms);
  if (const std::string* text = params.get("date")) {
    auto d = parse_day(*text);
    if (!d) return bad_parameter("date", "expected a day YYYY-MM-DD, got \"" + *text + "\"");
    day = *d;
  }
  const Roster& roster = context.core.roster();
  const std::vector<Completeness> rows = context.core.completeness(*level.value, day);
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

}  // namespace fp
