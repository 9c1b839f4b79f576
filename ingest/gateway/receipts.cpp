// Rendering of receipts and of the catalog as JSON text.
#include "ingest/gateway/receipts.h"

#include "model/json_text.h"

namespace fp::gateway {

std::string receipts_json(const std::vector<LineVerdict>& verdicts) {
  std::string out = "{\"results\":[";
  bool first = true;
  for (const LineVerdict& v : verdicts) {
    if (!first) out += ',';
    first = false;
    out += "{\"line\":" + std::to_string(v.line);
    if (!v.report_id.empty()) {
      out += ",\"report_id\":";
      append_json_string(out, v.report_id);
    }
    out += ",\"status\":\"";
    out += to_string(v.status);
    out += '"';
    if (v.status != LineStatus::queued) {
      out += ",\"reason\":\"";
      out += to_string(v.reason);
      out += "\",\"detail\":";
      append_json_string(out, v.detail);
    }
    out += '}';
  }
  out += "]}";
  return out;
}

std::string catalog_json(const Catalog& catalog) {
  std::string out = "{\"kinds\":[";
  bool first_kind = true;
  for (const Kind& kind : catalog.kinds()) {
    if (!first_kind) out += ',';
    first_kind = false;
    out += "{\"name\":";
    append_json_string(out, kind.name);
    out += ",\"label\":";
    append_json_string(out, kind.label);
    out += ",\"fields\":[";
    bool first_field = true;
    for (const ValueField& field : kind.fields) {
      if (!first_field) out += ',';
      first_field = false;
      out += "{\"name\":";
      append_json_string(out, field.name);
      out += ",\"default\":";
      if (field.default_value) {
        append_json_string(out, field.default_value->to_string());
      } else {
        out += "null";
      }
      out += '}';
    }
    out += "]}";
  }
  out += "]}";
  return out;
}

}  // namespace fp::gateway
