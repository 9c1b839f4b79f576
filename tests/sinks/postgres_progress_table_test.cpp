// ProgressTable against a real PostgreSQL server: keys written several times in
// one write and across writes hold their latest figures, exactly, and cancel()
// ends a write that waits on another session's lock.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "sinks/postgres/progress_table.h"
#include "tests/support/postgres_server.h"

namespace fp {
namespace {

using Row = std::pair<std::string, std::string>;  // value::text, reports
using Table = std::map<std::string, Row>;         // "level|id|metric|window" -> figures

Table read_table(const std::string& uri) {
  pqxx::connection connection(uri);
  pqxx::work work(connection);
  Table table;
  for (const auto& row : work.exec(
           "SELECT level, id, metric, \"window\", value::text, reports::text FROM progress")) {
    table[row[0].as<std::string>() + "|" + row[1].as<std::string>() + "|" +
          row[2].as<std::string>() + "|" + row[3].as<std::string>()] = {row[4].as<std::string>(),
                                                                        row[5].as<std::string>()};
  }
  return table;
}

ProgressFields row(std::string id, std::string metric, std::string window, std::string value,
                   std::string reports) {
  return {"county",
          std::move(id),
          std::move(metric),
          std::move(window),
          std::move(value),
          std::move(reports),
          "2026-12-07T08:00:00.000+08:00"};
}

class ProgressTableTest : public ::testing::Test {
 protected:
  test::PostgresServer postgres_;
};

TEST_F(ProgressTableTest, TheLatestRowOfAKeyWinsWithinAWriteAndAcrossWrites) {
  ProgressTable table(postgres_.uri());
  table.prepare();
  // One write with "440823|funds_raised.yuan|total" three times.
  const std::vector<ProgressFields> first = {
      row("440823", "funds_raised.yuan", "total", "0.1", "1"),
      row("440823", "funds_raised.count", "total", "1", "1"),
      row("440823", "funds_raised.yuan", "total", "0.3", "2"),
      row("440881", "funds_raised.yuan", "2026-12-07", "12.5", "1"),
      row("440823", "funds_raised.yuan", "total", "100000000000.123", "3"),
  };
  EXPECT_EQ(table.upsert(first), 3U);
  EXPECT_EQ(read_table(postgres_.uri()),
            (Table{{"county|440823|funds_raised.yuan|total", {"100000000000.123", "3"}},
                   {"county|440823|funds_raised.count|total", {"1", "1"}},
                   {"county|440881|funds_raised.yuan|2026-12-07", {"12.5", "1"}}}));

  // The next write changes one key twice and adds one; the others stay.
  const std::vector<ProgressFields> second = {
      row("440823", "funds_raised.yuan", "total", "100000000001.1", "4"),
      row("440823", "funds_raised.yuan", "2026-12-08", "7", "1"),
      row("440823", "funds_raised.yuan", "total", "100000000001.5", "5"),
  };
  EXPECT_EQ(table.upsert(second), 2U);
  EXPECT_EQ(read_table(postgres_.uri()),
            (Table{{"county|440823|funds_raised.yuan|total", {"100000000001.5", "5"}},
                   {"county|440823|funds_raised.count|total", {"1", "1"}},
                   {"county|440881|funds_raised.yuan|2026-12-07", {"12.5", "1"}},
                   {"county|440823|funds_raised.yuan|2026-12-08", {"7", "1"}}}));

  // Writing the same figures again (a replay) changes nothing.
  table.upsert(second);
  EXPECT_EQ(read_table(postgres_.uri()).at("county|440823|funds_raised.yuan|total"),
            (Row{"100000000001.5", "5"}));
}

TEST_F(ProgressTableTest, CancelEndsAWriteWaitingOnAnotherSessionsLock) {
  ProgressTable table(postgres_.uri());
  table.prepare();
  pqxx::connection locker(postgres_.uri());
  pqxx::work lock(locker);
  lock.exec0("LOCK TABLE progress IN ACCESS EXCLUSIVE MODE");

  std::atomic<bool> done = false;
  std::atomic<bool> threw = false;
  std::thread writer([&] {
    try {
      table.upsert(std::vector<ProgressFields>{row("440823", "x.count", "total", "1", "1")});
    } catch (const std::exception&) {
      threw = true;
    }
    done = true;
  });
  // The write may not have reached the server yet: cancel until it ends.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!done && std::chrono::steady_clock::now() < deadline) {
    table.cancel();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  writer.join();
  EXPECT_TRUE(threw);
  lock.abort();
  EXPECT_TRUE(read_table(postgres_.uri()).empty());
}

}  // namespace
}  // namespace fp
