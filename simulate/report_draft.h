// A simulated report as fields, written as one compact JSON line in the contract's field
// order; malformations edit the draft before it is written.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "model/catalog.h"

namespace fp::sim {

struct ReportDraft {
  struct Member {
    std::string name;
    std::string text;  // values: a JSON number token; tags: plain text
  };

  std::string version = "1";  // raw JSON
  std::string report_id, cadre_id, village, kind;
  std::string at;                                  // RFC 3339 text
  std::array<Member, kMaxValueFields + 1> values;  // one spare for an unknown field
  std::size_t value_count = 0;
  std::array<Member, 2> tags;
  std::size_t tag_count = 0;
  std::string note;  // empty: no note

  // Malformations. `replaced` names a top-level member written as the raw `replacement`
  // (which may be any bytes), `dropped` one left out; `extra` is raw text appended after
  // the last member (e.g. `,"attachment":"..."`).
  std::string_view replaced;
  std::string replacement;
  std::string_view dropped;
  std::string extra;

  void clear_edits() {
    replaced = {};
    replacement.clear();
    dropped = {};
    extra.clear();
  }
  void add_value(std::string_view name, std::string_view token) {
    values[value_count].name.assign(name);
    values[value_count].text.assign(token);
    ++value_count;
  }
  void add_tag(std::string_view name, std::string_view text) {
    tags[tag_count].name.assign(name);
    tags[tag_count].text.assign(text);
    ++tag_count;
  }
};

// Writes {"v":..,"report_id":..,"cadre_id":..,"village":..,"kind":..,"at":..,
// "values":{..},"tags":{..},"note":..} (tags and note only when present) into `out`.
void write_report(const ReportDraft& draft, std::string& out);

// Appends `text` as a JSON string literal (quotes included).
void append_json_string(std::string_view text, std::string& out);

}  // namespace fp::sim
