// A small RFC 4180 CSV reader for the spreadsheet forms of data files (UTF-8, optional BOM).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fp {

// One data row: its cells and the line (1-based) where the row starts.
struct CsvRow {
  std::size_t line = 0;
  std::vector<std::string> cells;
};

// A header row plus data rows, every row the header's width. Columns are
// numbered from 1 like spreadsheet columns; errors read "<file>:<line>:<column>: ...".
class CsvTable {
 public:
  // Parses `text`; throws DataFileError naming source_name, line and column for
  // bad quoting, invalid UTF-8, a row of the wrong width, or an empty or
  // repeated header. Blank lines are skipped.
  static CsvTable parse(std::string_view text, std::string_view source_name);

  [[nodiscard]] const std::string& source_name() const { return source_name_; }
  [[nodiscard]] const std::vector<std::string>& header() const { return header_; }
  [[nodiscard]] const std::vector<CsvRow>& rows() const { return rows_; }

  // 0-based index of a header column, if present.
  [[nodiscard]] std::optional<std::size_t> column(std::string_view name) const;

  // Throws DataFileError "<file>:1:<n+1>: ..." unless every name is a column.
  void require_columns(const std::vector<std::string_view>& names) const;

  // "<file>:<line>:<column>: <message>" as a DataFileError; column is 0-based here.
  [[noreturn]] void fail(std::size_t line, std::size_t column, const std::string& message) const;

 private:
  std::string source_name_;
  std::size_t header_line_ = 1;
  std::vector<std::string> header_;
  std::vector<CsvRow> rows_;
};

}  // namespace fp
