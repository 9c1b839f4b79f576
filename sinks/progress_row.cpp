#include "sinks/progress_row.h"

#include "processors/civil_time.h"
#include "sinks/json_text.h"

namespace fp {

void ProgressRowRenderer::append_id(const ProgressKey& key, std::string& out) const {
  if (key.level == Level::cadre) {
    out += core_.roster().cadre(key.entity).cadre_id;
  } else {
    out += core_.roster().region(key.entity).code;
  }
}

void ProgressRowRenderer::append_window(const ProgressKey& key, std::string& out) const {
  if (key.window == kTotalWindow) {
    out += "total";
  } else {
    out += format_day(key.window);
  }
}

void ProgressRowRenderer::key(const ProgressKey& key, std::string& out) const {
  out.clear();
  out += to_string(key.level);
  out.push_back('|');
  append_id(key, out);
  out.push_back('|');
  out += core_.metric_names()[key.metric];
  out.push_back('|');
  append_window(key, out);
}

void ProgressRowRenderer::row(const ProgressKey& key, const ProgressValue& value,
                              std::int64_t updated_ms, std::string& out) const {
  out.clear();
  out += R"({"level":")";
  out += to_string(key.level);
  out += R"(","id":")";
  append_id(key, out);  // codes and cadre ids are plain ASCII (roster-checked)
  out += R"(","name":)";
  append_json_string(out, key.level == Level::cadre ? core_.roster().cadre(key.entity).name
                                                    : core_.roster().region(key.entity).name);
  out += R"(,"metric":")";
  out += core_.metric_names()[key.metric];
  out += R"(","window":")";
  append_window(key, out);
  out += R"(","value":)";
  value.value.append_to(out);
  out += R"(,"reports":)";
  out += std::to_string(value.reports);
  out += R"(,"updated_at":")";
  out += format_rfc3339_cst(updated_ms);
  out += "\"}";
}

void ProgressRowRenderer::fields(const ProgressKey& key, const ProgressValue& value,
                                 std::int64_t updated_ms, ProgressFields& out) const {
  out.level = to_string(key.level);
  out.id.clear();
  append_id(key, out.id);
  out.metric = core_.metric_names()[key.metric];
  out.window.clear();
  append_window(key, out.window);
  out.value.clear();
  value.value.append_to(out.value);
  out.reports = std::to_string(value.reports);
  out.updated_at = format_rfc3339_cst(updated_ms);
}

}  // namespace fp
