// CSV to JSON roster: rows become entries in file order, then the roster rules are
// checked by loading the result and any error is traced back to its CSV cell.
#include "model/roster_csv.h"

#include <fstream>
#include <sstream>

#include "model/csv_table.h"
#include "model/roster.h"

namespace fp {
namespace {

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (c < 0x20) {
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    } else {
      out.push_back(ch);
    }
  }
  out.push_back('"');
}

void append_key_value(std::string& out, std::string_view key, std::string_view value) {
  append_json_string(out, key);
  out += ": ";
  append_json_string(out, value);
}

bool is_positive_int(std::string_view s) {
  if (s.empty() || s.size() > 9 || s[0] < '1' || s[0] > '9') return false;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataFileError(path.string() + ": cannot open the file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

class RosterCsvConverter {
 public:
  RosterCsvConverter(const CsvTable& regions, const CsvTable& cadres)
      : regions_(regions), cadres_(cadres) {
    regions_.require_columns({"level", "code", "name", "parent"});
    cadres_.require_columns({"cadre_id", "name", "tier", "region", "round"});
    level_ = *regions_.column("level");
    code_ = *regions_.column("code");
    name_ = *regions_.column("name");
    parent_ = *regions_.column("parent");
  }

  std::string convert() {
    sort_regions();
    std::string json = "{\"version\": 1,\n \"city\": ";
    append_region(json, city_rows_.front(), nullptr);
    json += ",\n";
    append_regions(json, "counties", county_rows_, nullptr);
    append_regions(json, "towns", town_rows_, "county");
    append_regions(json, "villages", village_rows_, "town");
    append_cadres(json);
    json += "}\n";
    check(json);
    return json;
  }

 private:
  void sort_regions() {
    for (std::size_t r = 0; r < regions_.rows().size(); ++r) {
      const CsvRow& row = regions_.rows()[r];
      const std::string& level = row.cells[level_];
      if (level == "city") {
        if (!city_rows_.empty()) {
          regions_.fail(row.line, level_,
                        "a second city row (the first is on line " +
                            std::to_string(regions_.rows()[city_rows_.front()].line) + ")");
        }
        if (!row.cells[parent_].empty()) regions_.fail(row.line, parent_, "the city has no parent");
        city_rows_.push_back(r);
      } else if (level == "county") {
        county_rows_.push_back(r);
      } else if (level == "town") {
        town_rows_.push_back(r);
      } else if (level == "village") {
        village_rows_.push_back(r);
      } else {
        regions_.fail(row.line, level_,
                      "level \"" + level + "\" is not one of city, county, town, village");
      }
    }
    if (city_rows_.empty()) regions_.fail(1, level_, "no row with level \"city\"");
    // A county's parent is the city; the cell may be left empty.
    const std::string& city_code = regions_.rows()[city_rows_.front()].cells[code_];
    for (const std::size_t r : county_rows_) {
      const CsvRow& row = regions_.rows()[r];
      if (!row.cells[parent_].empty() && row.cells[parent_] != city_code) {
        regions_.fail(row.line, parent_,
                      "parent \"" + row.cells[parent_] + "\" of a county must be the city \"" +
                          city_code + "\" (or empty)");
      }
    }
  }

  void append_region(std::string& json, std::size_t r, const char* parent_key) const {
    const CsvRow& row = regions_.rows()[r];
    json += '{';
    append_key_value(json, "code", row.cells[code_]);
    json += ", ";
    append_key_value(json, "name", row.cells[name_]);
    if (parent_key != nullptr) {
      json += ", ";
      append_key_value(json, parent_key, row.cells[parent_]);
    }
    json += '}';
  }

  void append_regions(std::string& json, const char* section, const std::vector<std::size_t>& rows,
                      const char* parent_key) const {
    json += " \"";
    json += section;
    json += "\": [";
    for (std::size_t i = 0; i < rows.size(); ++i) {
      json += i == 0 ? "\n  " : ",\n  ";
      append_region(json, rows[i], parent_key);
    }
    json += rows.empty() ? "],\n" : "\n ],\n";
  }

  // Known columns get their JSON types; any other non-empty cell is copied as a string key.
  void append_cadres(std::string& json) const {
    const auto& header = cadres_.header();
    json += " \"cadres\": [";
    for (std::size_t i = 0; i < cadres_.rows().size(); ++i) {
      const CsvRow& row = cadres_.rows()[i];
      json += i == 0 ? "\n  {" : ",\n  {";
      bool first = true;
      for (const char* key : {"cadre_id", "name", "tier", "region", "round"}) {
        const std::string& cell = row.cells[*cadres_.column(key)];
        if (!first) json += ", ";
        first = false;
        if (std::string_view(key) == "round" && is_positive_int(cell)) {
          json += "\"round\": ";
          json += cell;
        } else {
          append_key_value(json, key, cell);
        }
      }
      for (std::size_t c = 0; c < header.size(); ++c) {
        const std::string& key = header[c];
        if (key == "cadre_id" || key == "name" || key == "tier" || key == "region" ||
            key == "round" || row.cells[c].empty()) {
          continue;
        }
        json += ", ";
        append_key_value(json, key, row.cells[c]);
      }
      json += '}';
    }
    json += cadres_.rows().empty() ? "]\n" : "\n ]\n";
  }

  // Loads the JSON; a rule broken by an entry is reported at the CSV cell it came from.
  void check(const std::string& json) const {
    try {
      (void)Roster::parse(json, regions_.source_name());
    } catch (const RosterEntryError& e) {
      if (e.section() == "cadres") {
        const CsvRow& row = cadres_.rows().at(e.index());
        const std::size_t column = cadres_.column(e.key()).value_or(0);
        cadres_.fail(row.line, column,
                     "cadre \"" + row.cells[*cadres_.column("cadre_id")] + "\": column \"" +
                         cadres_.header()[column] + "\": " + e.problem());
      }
      const std::vector<std::size_t>* rows = e.section() == "city"       ? &city_rows_
                                             : e.section() == "counties" ? &county_rows_
                                             : e.section() == "towns"    ? &town_rows_
                                             : e.section() == "villages" ? &village_rows_
                                                                         : nullptr;
      if (rows == nullptr) throw;
      const CsvRow& row = regions_.rows().at(rows->at(e.index()));
      const std::size_t column = (e.key() == "county" || e.key() == "town") ? parent_
                                 : e.key() == "name"                        ? name_
                                                                            : code_;
      regions_.fail(row.line, column,
                    row.cells[level_] + " \"" + row.cells[code_] + "\": column \"" +
                        regions_.header()[column] + "\": " + e.problem());
    }
  }

  const CsvTable& regions_;
  const CsvTable& cadres_;
  std::size_t level_ = 0, code_ = 0, name_ = 0, parent_ = 0;
  std::vector<std::size_t> city_rows_, county_rows_, town_rows_, village_rows_;
};

}  // namespace

std::string roster_json_from_csv(const RosterCsvText& csv) {
  const CsvTable regions = CsvTable::parse(csv.regions, csv.regions_name);
  const CsvTable cadres = CsvTable::parse(csv.cadres, csv.cadres_name);
  return RosterCsvConverter(regions, cadres).convert();
}

std::string roster_json_from_csv_files(const std::filesystem::path& regions,
                                       const std::filesystem::path& cadres) {
  const std::string regions_text = read_file(regions);
  const std::string cadres_text = read_file(cadres);
  const std::string regions_name = regions.string();
  const std::string cadres_name = cadres.string();
  return roster_json_from_csv({regions_text, regions_name, cadres_text, cadres_name});
}

}  // namespace fp
