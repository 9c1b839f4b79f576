// `fieldpulse roster`: converts the spreadsheet form of a roster (two CSV files) to the JSON
// roster.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "app/commands.h"
#include "model/catalog.h"  // DataFileError
#include "model/roster_csv.h"

namespace fp::app {
namespace {

constexpr const char* kDescription =
    "Converts a roster kept in a spreadsheet to the JSON roster that --roster reads.\n"
    "--regions is a CSV with the header level,code,name,parent (one row per city, county,\n"
    "town and village); --cadres a CSV with the header cadre_id,name,tier,region,round (any\n"
    "further column is copied as a string key). UTF-8, optional BOM, RFC 4180 quoting; the\n"
    "format is described in data/README.md. The result is checked with the roster rules\n"
    "before anything is written; an error names FILE:LINE:COLUMN and exits 2.";

struct RosterOptions {
  std::string regions;
  std::string cadres;
  std::string out = "-";
};

// Writes next to the target and renames, so a reader never sees half a roster.
bool write_file(const std::string& path, const std::string& text) {
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) return false;
    out << text;
    out.flush();
    if (!out) return false;
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) std::filesystem::remove(temp, ec);
  return !ec;
}

int run_roster(const RosterOptions& options) {
  std::string json;
  try {
    json = roster_json_from_csv_files(options.regions, options.cadres);
  } catch (const DataFileError& e) {
    std::cerr << "fieldpulse roster: " << e.what() << '\n';
    return kExitUsage;
  }
  if (options.out == "-") {
    std::cout << json << std::flush;
    return std::cout ? kExitOk : kExitRuntime;
  }
  if (!write_file(options.out, json)) {
    std::cerr << "fieldpulse roster: cannot write " << options.out << '\n';
    return kExitRuntime;
  }
  return kExitOk;
}

}  // namespace

void add_roster_command(CLI::App& root, int& exit_code) {
  auto options = std::make_shared<RosterOptions>();
  auto* cmd = root.add_subcommand("roster", "Convert a roster from CSV (spreadsheet) to JSON");
  cmd->footer(kDescription);
  cmd->add_option("--regions", options->regions, "CSV of regions: level,code,name,parent")
      ->required();
  cmd->add_option("--cadres", options->cadres, "CSV of cadres: cadre_id,name,tier,region,round")
      ->required();
  cmd->add_option("--out", options->out, "where to write the JSON roster ('-' = stdout)")
      ->capture_default_str();
  cmd->callback([options, &exit_code] { exit_code = run_roster(*options); });
}

}  // namespace fp::app
