// One connection to the PostgreSQL progress table (contract section 6) that
// upserts batches of rows: COPY into a session-local staging table, then one
// INSERT ... SELECT ... ON CONFLICT per batch.
#pragma once

#include <memory>
#include <pqxx/connection>
#include <span>
#include <string>
#include <vector>

#include "sinks/progress_row.h"

namespace fp {

// COPY parses each row once and needs no per-statement planning, where a
// multi-row INSERT of bound parameters spent most of its time on both. An
// upsert may touch a key only once per statement, so rows of the same key in
// one batch are coalesced first: the last one wins, as values are absolute.
// Rows go in key order, and a table created here compares its key columns
// bytewise (COLLATE "C"): both keep the primary key's upkeep cheap.
//
// Threads: one thread uses it; cancel() may be called from any other.
class ProgressTable {
 public:
  // Connects (blocking); throws pqxx::failure.
  explicit ProgressTable(const std::string& uri);
  ~ProgressTable();
  ProgressTable(const ProgressTable&) = delete;
  ProgressTable& operator=(const ProgressTable&) = delete;

  // Creates the progress table if missing and this session's staging table.
  void prepare();

  // Writes `rows` in one transaction; returns the distinct keys written.
  std::size_t upsert(std::span<const ProgressFields> rows);

  // Asks the server to cancel the statement in progress, if any (the writing
  // thread then sees an exception).
  void cancel();

 private:
  // Indexes into the last batch of the latest row of each key, in batch order.
  void latest_per_key(std::span<const ProgressFields> rows);

  std::unique_ptr<pqxx::connection> connection_;
  std::vector<std::size_t> latest_;
};

}  // namespace fp
