// Converts the spreadsheet form of a roster (regions.csv + cadres.csv) to the JSON roster.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace fp {

// The two CSV files (format: data/README.md) and the names used in messages.
struct RosterCsvText {
  std::string_view regions;
  std::string_view regions_name;
  std::string_view cadres;
  std::string_view cadres_name;
};

// Returns the roster as JSON (contract section 2), already checked by loading it
// with Roster::parse. Throws DataFileError naming "<file>:<line>:<column>" of the
// offending cell, including for roster rules (e.g. a parent that is not a town).
std::string roster_json_from_csv(const RosterCsvText& csv);
std::string roster_json_from_csv_files(const std::filesystem::path& regions,
                                       const std::filesystem::path& cadres);

}  // namespace fp
