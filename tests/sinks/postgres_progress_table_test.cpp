// ProgressTable against a real PostgreSQL server: keys written several times in
// one write and across writes hold their latest figures, exactly, and cancel()
// ends a write that waits on another session's lock.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "model/catalog.h"
#include "model/roster.h"
#include "processors/core.h"
#include "sinks/postgres/progress_table.h"
#include "sinks/postgres/progress_writer.h"
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

ProgressChange change(std::uint32_t village, std::int32_t window, int milli, std::int64_t reports) {
  ProgressChange c;
  c.key = {Level::village, village, 0, window};
  c.value.value.milli = milli;
  c.value.reports = reports;
  return c;
}

TEST_F(ProgressTableTest, AWriterKeepsTheLatestOfAKeyPushedInSeveralBatches) {
  const auto catalog = std::make_shared<const Catalog>(Catalog::load(FP_DATA_DIR "/catalog.toml"));
  const auto roster =
      std::make_shared<const Roster>(Roster::load(FP_DATA_DIR "/zhanjiang-roster.json"));
  const ProcessingCore core(catalog, roster, CoreOptions{}, [] { return std::int64_t{0}; });
  const ProgressRowRenderer renderer(core);

  std::mutex mutex;
  std::condition_variable written_cv;
  std::uint64_t through = 0;
  std::size_t changes = 0;
  std::string failure;
  ProgressWriter::Callbacks callbacks;
  callbacks.written = [&](const ProgressWriter::Written& w) {
    const std::lock_guard lock(mutex);
    through = w.through_sequence;
    changes += w.changes;
    written_cv.notify_all();
  };
  callbacks.attempt_failed = [](const std::string&) {};
  callbacks.failed = [&](const std::string& why) {
    const std::lock_guard lock(mutex);
    failure = why;
    written_cv.notify_all();
  };
  {
    ProgressWriter writer(postgres_.uri(), renderer, callbacks);
    // Village 0's total three times in the first batch and again in the next
    // two (the writer may take them one by one or together); village 1 once.
    writer.push({{change(0, kTotalWindow, 100, 1), change(1, kTotalWindow, 7, 1),
                  change(0, kTotalWindow, 250, 2), change(0, kTotalWindow, 1100, 3)},
                 1000,
                 1});
    writer.push({{change(0, kTotalWindow, 1200, 4)}, 2000, 2});
    writer.push({{}, 3000, 3});
    writer.push(
        {{change(0, kTotalWindow, 1300, 5), change(0, kTotalWindow, 123456789, 6)}, 4000, 4});
    std::unique_lock lock(mutex);
    ASSERT_TRUE(written_cv.wait_for(lock, std::chrono::seconds(60), [&] {
      return through == 4 || !failure.empty();
    })) << "not written";
    ASSERT_EQ(failure, "");
    EXPECT_EQ(changes, 7U);
  }
  const std::string village0 = roster->region(0).code;
  const std::string village1 = roster->region(1).code;
  const std::string metric = core.metric_names()[0];
  EXPECT_EQ(read_table(postgres_.uri()),
            (Table{{"village|" + village0 + "|" + metric + "|total", {"123456.789", "6"}},
                   {"village|" + village1 + "|" + metric + "|total", {"0.007", "1"}}}));
}

}  // namespace
}  // namespace fp
