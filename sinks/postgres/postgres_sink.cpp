#include "sinks/postgres/postgres_sink.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <exception>
#include <iterator>
#include <utility>

#include "sinks/postgres/progress_table.h"
#include "sinks/registry.h"

namespace fp {

namespace {

constexpr const char* kErrorPrefix = "postgres sink (sinks.postgres.uri): ";

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
  // A statement may be waiting on the server (a lock, a slow disk): cancel it,
  // again until the worker is out, as it may have been between statements.
  std::unique_lock lock(mutex_);
  while (!worker_done_) {
    {
      const std::lock_guard table_lock(table_mutex_);
      if (table_) {
        try {
          table_->cancel();
        } catch (const std::exception& e) {
          spdlog::debug("{}cancel: {}", kErrorPrefix, e.what());
        }
      }
    }
    wake_.wait_for(lock, kCancelInterval);
  }
  lock.unlock();
  worker_.join();
  spdlog::info("postgres sink: {} rows acknowledged, {} not; {} upserted in {} transactions",
               written_, queued_ - written_, upserted_, transactions_);
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
      {
        // Cancelled by destruction: nothing failed.
        const std::lock_guard lock(mutex_);
        if (stopping_) return false;
      }
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
  std::string error;
  // Out of tries, or stopping: then the pipeline is gone and stop() does nothing.
  if (!with_retries([this] { connect(); }, error)) {
    stop("cannot connect and create the progress table: " + error);
  } else {
    write_batches();
  }
  {
    const std::lock_guard lock(mutex_);
    worker_done_ = true;
  }
  wake_.notify_all();
}

void PostgresSink::connect() {
  {
    const std::lock_guard lock(table_mutex_);
    table_.reset();
  }
  auto table = std::make_unique<ProgressTable>(uri_);
  ProgressTable* raw = table.get();
  {
    const std::lock_guard lock(table_mutex_);
    table_ = std::move(table);
  }
  raw->prepare();
}

void PostgresSink::stop(const std::string& what) {
  post([this, what] {
    if (on_error_) on_error_(kErrorPrefix + what);
  });
}

void PostgresSink::write_batches() {
  std::string error;
  Batch rows;
  for (;;) {
    rows.clear();
    std::size_t handed = 0;  // rows as counted by mark(), before coalescing
    std::size_t upserted = 0;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !batches_.empty(); });
      if (stopping_) return;
      // Everything queued goes in one transaction: behind a slow database the
      // batches merge, and keys that changed in several cost one row.
      for (Batch& batch : batches_) {
        handed += batch.size();
        rows.insert(rows.end(), std::make_move_iterator(batch.begin()),
                    std::make_move_iterator(batch.end()));
      }
      batches_.clear();
    }
    // A write is in the table whole or not at all; after a failure the next
    // try starts on a new connection.
    auto write = [&] {
      try {
        if (!table_) connect();
        upserted += table_->upsert(rows);
      } catch (...) {
        const std::lock_guard lock(table_mutex_);
        table_.reset();
        throw;
      }
    };
    if (!with_retries(write, error)) {
      stop("writing " + std::to_string(rows.size()) + " rows failed: " + error);
      return;
    }
    post([this, handed, upserted] {
      written_ += handed;
      upserted_ += upserted;
      ++transactions_;
      probe_.wrote(handed);
      if (on_acked_) on_acked_();
    });
  }
}

}  // namespace fp
