#include "tests/pipeline/progress_table.h"

#include <pqxx/pqxx>

namespace fp::test {

Table read_table(const std::string& uri) {
  pqxx::connection connection(uri);
  pqxx::work work(connection);
  Table table;
  for (const auto& row :
       work.exec("SELECT level, id, metric, \"window\", value::text, reports FROM progress")) {
    const std::string key = row[0].as<std::string>() + "|" + row[1].as<std::string>() + "|" +
                            row[2].as<std::string>() + "|" + row[3].as<std::string>();
    table[key] = {canonical_number(row[4].as<std::string>()), row[5].as<std::int64_t>()};
  }
  return table;
}

Table table_of(const BlockTable& blocks) {
  Table table;
  for (const auto& [key, figures] : blocks) {
    // key: level|id|kind|window
    const auto kind_at = key.find('|', key.find('|') + 1) + 1;
    const auto window_at = key.find('|', kind_at);
    const std::string prefix = key.substr(0, kind_at);
    const std::string kind = key.substr(kind_at, window_at - kind_at);
    const std::string window = key.substr(window_at);
    table[prefix + kind + ".count" + window] = {std::to_string(figures.reports), figures.reports};
    for (const auto& [field, value] : figures.values) {
      table[prefix + kind + "." + field + window] = {value, figures.reports};
    }
  }
  return table;
}

}  // namespace fp::test
