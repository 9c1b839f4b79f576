// Compact JSON writing of simulated reports.
#include "simulate/report_draft.h"

namespace fp::sim {
namespace {

// Writes `,"name":` (no comma before the first member).
void begin_member(std::string_view name, bool& first, std::string& out) {
  if (!first) out.push_back(',');
  first = false;
  out.push_back('"');
  out.append(name);
  out.append("\":");
}

class MemberWriter {
 public:
  MemberWriter(const ReportDraft& draft, std::string& out) : draft_(draft), out_(out) {}

  // False when the member is dropped; writes the replacement itself when replaced.
  bool begin(std::string_view name) {
    if (name == draft_.dropped) return false;
    begin_member(name, first_, out_);
    if (name == draft_.replaced) {
      out_.append(draft_.replacement);
      return false;
    }
    return true;
  }

  void string_member(std::string_view name, std::string_view text) {
    if (begin(name)) append_json_string(text, out_);
  }

 private:
  const ReportDraft& draft_;
  std::string& out_;
  bool first_ = true;
};

}  // namespace

void append_json_string(std::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20) {
      out.append("\\u00");
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xF]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

void write_report(const ReportDraft& d, std::string& out) {
  out.clear();
  out.push_back('{');
  MemberWriter w(d, out);
  if (w.begin("v")) out.append(d.version);
  w.string_member("report_id", d.report_id);
  w.string_member("cadre_id", d.cadre_id);
  w.string_member("village", d.village);
  w.string_member("kind", d.kind);
  w.string_member("at", d.at);
  if (w.begin("values")) {
    out.push_back('{');
    bool first = true;
    for (std::size_t i = 0; i < d.value_count; ++i) {
      begin_member(d.values[i].name, first, out);
      out.append(d.values[i].text);
    }
    out.push_back('}');
  }
  if (d.tag_count > 0 && w.begin("tags")) {
    out.push_back('{');
    bool first = true;
    for (std::size_t i = 0; i < d.tag_count; ++i) {
      begin_member(d.tags[i].name, first, out);
      append_json_string(d.tags[i].text, out);
    }
    out.push_back('}');
  }
  if (!d.note.empty()) w.string_member("note", d.note);
  out.append(d.extra);
  out.push_back('}');
}

}  // namespace fp::sim
