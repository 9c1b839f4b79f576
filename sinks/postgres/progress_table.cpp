#include "sinks/postgres/progress_table.h"

#include <algorithm>
#include <pqxx/pqxx>
#include <string_view>
#include <tuple>
#include <unordered_map>

namespace fp {

namespace {

constexpr const char* kCreateTable =
    "CREATE TABLE IF NOT EXISTS progress ("
    "level text COLLATE \"C\" NOT NULL, id text COLLATE \"C\" NOT NULL, "
    "metric text COLLATE \"C\" NOT NULL, \"window\" text COLLATE \"C\" NOT NULL, "
    "value numeric NOT NULL, reports bigint NOT NULL, updated_at timestamptz NOT NULL, "
    "PRIMARY KEY (level, id, metric, \"window\"))";

// Private to the session and never WAL-logged; emptied by every commit.
constexpr const char* kCreateStaging =
    "CREATE TEMPORARY TABLE IF NOT EXISTS progress_staging ("
    "level text, id text, metric text, \"window\" text, "
    "value numeric, reports bigint, updated_at timestamptz) ON COMMIT DELETE ROWS";

// The value goes in as decimal text parsed as numeric: exact, never a double.
constexpr const char* kUpsert =
    "INSERT INTO progress (level, id, metric, \"window\", value, reports, updated_at) "
    "SELECT level, id, metric, \"window\", value, reports, updated_at FROM progress_staging "
    "ON CONFLICT (level, id, metric, \"window\") DO UPDATE SET value = EXCLUDED.value, "
    "reports = EXCLUDED.reports, updated_at = EXCLUDED.updated_at";

const std::vector<std::string>& staging_columns() {
  static const std::vector<std::string> columns = {"level", "id",      "metric",    "\"window\"",
                                                   "value", "reports", "updated_at"};
  return columns;
}

}  // namespace

ProgressTable::ProgressTable(const std::string& uri)
    : connection_(std::make_unique<pqxx::connection>(uri)) {}

ProgressTable::~ProgressTable() = default;

void ProgressTable::prepare() {
  {
    // Sessions creating the table at once would collide in the catalog (IF
    // NOT EXISTS checks before it inserts): one at a time.
    pqxx::work work(*connection_);
    work.exec("SELECT pg_advisory_xact_lock(hashtext('fieldpulse.progress'))");
    work.exec0(kCreateTable);
    work.commit();
  }
  pqxx::nontransaction work(*connection_);
  // The staging table of a large write stays in memory (default: 8 MB, then
  // temporary files); only takes effect before the session's first temporary table.
  work.exec0("SET temp_buffers = '64MB'");
  work.exec0(kCreateStaging);
}

void ProgressTable::latest_per_key(std::span<const ProgressFields> rows) {
  latest_.clear();
  // Key -> its slot in latest_.
  std::unordered_map<std::string, std::size_t> position;
  position.reserve(rows.size());
  std::string key;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const ProgressFields& r = rows[i];
    key.clear();
    key.append(r.level).append(1, '\0').append(r.id).append(1, '\0');
    key.append(r.metric).append(1, '\0').append(r.window);
    const auto [it, added] = position.try_emplace(key, latest_.size());
    if (added) {
      latest_.push_back(i);
    } else {
      latest_[it->second] = i;
    }
  }
}

std::size_t ProgressTable::upsert(std::span<const ProgressFields> rows) {
  latest_per_key(rows);
  // In key order the upsert walks the primary key's pages in order, rather
  // than touching one at random per row once the table outgrows shared_buffers.
  std::sort(latest_.begin(), latest_.end(), [&rows](std::size_t a, std::size_t b) {
    const ProgressFields& x = rows[a];
    const ProgressFields& y = rows[b];
    return std::tie(x.level, x.id, x.metric, x.window) <
           std::tie(y.level, y.id, y.metric, y.window);
  });
  pqxx::work work(*connection_);
  {
    pqxx::stream_to copy(work, "progress_staging", staging_columns());
    for (const std::size_t i : latest_) {
      const ProgressFields& r = rows[i];
      copy << std::tie(r.level, r.id, r.metric, r.window, r.value, r.reports, r.updated_at);
    }
    copy.complete();
  }
  work.exec0(kUpsert);
  work.commit();
  return latest_.size();
}

void ProgressTable::cancel() { connection_->cancel_query(); }

}  // namespace fp
