// Progress figures one row per metric, as the PostgreSQL sink's table holds them:
// read from the table, or made from block rows, so the two can be compared.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "tests/pipeline/pipeline_harness.h"

namespace fp::test {

// value (canonical decimal text) and reports of one progress key.
using Figures = std::pair<std::string, std::int64_t>;
// "level|id|metric|window" -> figures
using Table = std::map<std::string, Figures>;

// Every row of the `progress` table.
Table read_table(const std::string& uri);

// Blocks as table rows: a block's reports are its "<kind>.count" metric, each
// value field a metric.
Table table_of(const BlockTable& blocks);

}  // namespace fp::test
