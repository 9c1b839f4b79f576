// RFC 4180 parsing: quoted cells may hold commas, quotes ("") and line breaks.
#include "model/csv_table.h"

#include <simdjson.h>

#include <algorithm>

#include "model/catalog.h"  // DataFileError

namespace fp {
namespace {

struct RawRow {
  std::size_t line = 0;
  std::vector<std::string> cells;
};

}  // namespace

CsvTable CsvTable::parse(std::string_view text, std::string_view source_name) {
  CsvTable table;
  table.source_name_ = source_name;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);

  std::vector<RawRow> raw;
  std::size_t i = 0;
  std::size_t line = 1;
  const std::size_t n = text.size();
  while (i < n) {
    // Blank lines separate nothing; skip them.
    if (text[i] == '\n' || text[i] == '\r') {
      if (text[i] == '\r' && i + 1 < n && text[i + 1] == '\n') ++i;
      ++i;
      ++line;
      continue;
    }
    RawRow row;
    row.line = line;
    bool row_done = false;
    while (!row_done) {
      std::string cell;
      const std::size_t column = row.cells.size();
      if (i < n && text[i] == '"') {
        const std::size_t quote_line = line;
        ++i;
        bool closed = false;
        while (i < n) {
          const char c = text[i];
          if (c == '"') {
            if (i + 1 < n && text[i + 1] == '"') {
              cell.push_back('"');
              i += 2;
              continue;
            }
            ++i;
            closed = true;
            break;
          }
          if (c == '\n') ++line;
          cell.push_back(c);
          ++i;
        }
        if (!closed) table.fail(quote_line, column, "quoted cell is never closed");
        if (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          table.fail(line, column, "unexpected character after a closing quote");
        }
      } else {
        while (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          if (text[i] == '"') {
            table.fail(line, column, "a quote inside an unquoted cell (quote the whole cell)");
          }
          cell.push_back(text[i++]);
        }
      }
      if (!simdjson::validate_utf8(cell.data(), cell.size())) {
        table.fail(row.line, column, "cell is not valid UTF-8");
      }
      row.cells.push_back(std::move(cell));
      if (i < n && text[i] == ',') {
        ++i;
      } else {
        if (i < n && text[i] == '\r') ++i;
        if (i < n && text[i] == '\n') ++i;
        ++line;
        row_done = true;
      }
    }
    raw.push_back(std::move(row));
  }

  if (raw.empty()) table.fail(1, 0, "empty file (expected a header row)");
  table.header_line_ = raw.front().line;
  table.header_ = std::move(raw.front().cells);
  for (std::size_t c = 0; c < table.header_.size(); ++c) {
    if (table.header_[c].empty()) {
      table.fail(raw.front().line, c, "empty column name in the header");
    }
    for (std::size_t d = 0; d < c; ++d) {
      if (table.header_[d] == table.header_[c]) {
        table.fail(raw.front().line, c, "column \"" + table.header_[c] + "\" appears twice");
      }
    }
  }
  for (std::size_t r = 1; r < raw.size(); ++r) {
    RawRow& row = raw[r];
    if (row.cells.size() != table.header_.size()) {
      table.fail(row.line, std::min(row.cells.size(), table.header_.size()),
                 "row has " + std::to_string(row.cells.size()) + " cells, the header has " +
                     std::to_string(table.header_.size()));
    }
    table.rows_.push_back(CsvRow{row.line, std::move(row.cells)});
  }
  return table;
}

std::optional<std::size_t> CsvTable::column(std::string_view name) const {
  for (std::size_t c = 0; c < header_.size(); ++c) {
    if (header_[c] == name) return c;
  }
  return std::nullopt;
}

void CsvTable::require_columns(const std::vector<std::string_view>& names) const {
  for (std::string_view name : names) {
    if (!column(name)) {
      fail(header_line_, header_.size(),
           "missing column \"" + std::string(name) + "\" in the header");
    }
  }
}

void CsvTable::fail(std::size_t line, std::size_t column, const std::string& message) const {
  throw DataFileError(source_name_ + ":" + std::to_string(line) + ":" + std::to_string(column + 1) +
                      ": " + message);
}

}  // namespace fp
