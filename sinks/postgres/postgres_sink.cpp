#include "sinks/postgres/postgres_sink.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <exception>
#include <pqxx/pqxx>
#include <utility>

#include "sinks/registry.h"

namespace fp {

namespace {

constexpr const char* kCreateTable =
    "CREATE TABLE IF NOT EXISTS progress ("
    "level text NOT NULL, id text NOT NULL, metric text NOT NULL, \"window\" text NOT NULL, "
    "value numeric NOT NULL, reports bigint NOT NULL, updated_at timestamptz NOT NULL, "
    "PRIMARY KEY (level, id, metric, \"window\"))";

constexpr const char* kErrorPrefix = "postgres sink (sinks.postgres.uri): ";

// INSERT ... ON CONFLICT for `rows` rows of 7 parameters each. The value goes
// in as decimal text cast to numeric: exact, never through a double.
std::string upsert_statement(std::size_t rows) {
  std::string sql =
      "INSERT INTO progress (level, id, metric, \"window\", value, reports, updated_at) VALUES ";
  for (std::size_t r = 0; r < rows; ++r) {
    const std::size_t p = r * 7;
    if (r > 0) sql += ',';
    sql += "($" + std::to_string(p + 1) + ",$" + std::to_string(p + 2) + ",$" +
           std::to_string(p + 3) + ",$" + std::to_string(p + 4) + ",$" + std::to_string(p + 5) +
           "::numeric,$" + std::to_string(p + 6) + "::bigint,$" + std::to_string(p + 7) +
           "::timestamptz)";
  }
  sql +=
      " ON CONFLICT (level, id, metric, \"window\") DO UPDATE SET value = EXCLUDED.value, "
      "reports = EXCLUDED.reports, updated_at = EXCLUDED.updated_at";
  return sql;
}

}  // namespace

PostgresSink::PostgresSink(SinkContext& context, std::string uri,
                           std::chrono::milliseconds flush_interval)
    : clock_(context.clock),
      renderer_(context.core),
      probe_(context.probe.sink("postgres")),
      io_(context.io),
      on_acked_(context.on_acked),
      on_error_(context.on_error),
      batcher_(context.io, context.core, flush_interval,
               [this](std::vector<ProgressChange>&& rows) { hand_on(std::move(rows)); }),
      uri_(std::move(uri)),
      worker_([this] { run_worker(); }) {}

PostgresSink::~PostgresSink() {
  *alive_ = false;
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

void PostgresSink::write(std::span<const RawMessage> /*messages*/, const BatchResult& result) {
  batcher_.add(result);
}

void PostgresSink::flush() { batcher_.flush(); }

void PostgresSink::hand_on(std::vector<ProgressChange>&& rows) {
  const std::int64_t now = clock_();
  Batch batch(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    renderer_.fields(rows[i].key, rows[i].value, now, batch[i]);
  }
  queued_ += batch.size();
  {
    const std::lock_guard lock(mutex_);
    batches_.push_back(std::move(batch));
  }
  wake_.notify_one();
}

template <typename F>
void PostgresSink::post(F&& f) {
  boost::asio::post(io_, [alive = alive_, f = std::forward<F>(f)]() mutable {
    if (*alive) f();
  });
}

template <typename Step>
bool PostgresSink::with_retries(Step&& step, std::string& error) {
  auto delay = kFirstRetryDelay;
  for (int attempt = 1;; ++attempt) {
    try {
      step();
      return true;
    } catch (const std::exception& e) {
      error = e.what();
      while (!error.empty() && error.back() == '\n') error.pop_back();
      post([this] { probe_.failed(); });
      spdlog::warn("{}attempt {} of {} failed: {}", kErrorPrefix, attempt, kAttempts, error);
    }
    if (attempt == kAttempts) return false;
    std::unique_lock lock(mutex_);
    if (wake_.wait_for(lock, delay, [this] { return stopping_; })) return false;
    delay *= 2;
  }
}

void PostgresSink::run_worker() {
  std::unique_ptr<pqxx::connection> connection;
  auto connect = [&] {
    connection.reset();
    connection = std::make_unique<pqxx::connection>(uri_);
    pqxx::work work(*connection);
    work.exec0(kCreateTable);
    work.commit();
  };
  const auto stop = [this](const std::string& what) {
    post([this, what] {
      if (on_error_) on_error_(kErrorPrefix + what);
    });
  };

  std::string error;
  // Out of tries, or stopping: then the pipeline is gone and stop() does nothing.
  if (!with_retries(connect, error)) {
    stop("cannot connect and create the progress table: " + error);
    return;
  }
  std::vector<std::string> params;
  for (;;) {
    Batch batch;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !batches_.empty(); });
      if (stopping_) return;
      batch = std::move(batches_.front());
      batches_.pop_front();
    }
    // One transaction per batch: a batch is in the table whole or not at all.
    auto write = [&] {
      if (!connection) connect();
      pqxx::work work(*connection);
      for (std::size_t from = 0; from < batch.size(); from += kRowsPerStatement) {
        const std::size_t rows = std::min(kRowsPerStatement, batch.size() - from);
        params.clear();
        for (std::size_t i = from; i < from + rows; ++i) {
          const ProgressFields& f = batch[i];
          params.insert(params.end(),
                        {f.level, f.id, f.metric, f.window, f.value, f.reports, f.updated_at});
        }
        work.exec_params0(upsert_statement(rows), pqxx::prepare::make_dynamic_params(params));
      }
      work.commit();
    };
    // After a failure the next try starts on a new connection.
    auto write_or_reconnect = [&] {
      try {
        write();
      } catch (...) {
        connection.reset();
        throw;
      }
    };
    if (!with_retries(write_or_reconnect, error)) {
      stop("writing " + std::to_string(batch.size()) + " rows failed: " + error);
      return;
    }
    post([this, rows = batch.size()] {
      written_ += rows;
      probe_.wrote(rows);
      if (on_acked_) on_acked_();
    });
  }
}

}  // namespace fp
