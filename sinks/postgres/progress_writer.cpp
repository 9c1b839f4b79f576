#include "sinks/postgres/progress_writer.h"

#include <spdlog/spdlog.h>

#include <exception>

#include "sinks/postgres/progress_table.h"

namespace fp {

std::size_t ProgressKeyHash::operator()(const ProgressKey& k) const noexcept {
  std::uint64_t h = (static_cast<std::uint64_t>(k.entity) << 32) ^
                    (static_cast<std::uint64_t>(static_cast<std::uint32_t>(k.window)) << 8) ^
                    (static_cast<std::uint64_t>(k.metric) << 40) ^
                    static_cast<std::uint64_t>(k.level);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return static_cast<std::size_t>(h);
}

ProgressWriter::ProgressWriter(std::string uri, const ProgressRowRenderer& renderer,
                               Callbacks callbacks)
    : uri_(std::move(uri)),
      renderer_(renderer),
      callbacks_(std::move(callbacks)),
      thread_([this] { run(); }) {}

ProgressWriter::~ProgressWriter() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  // A statement may be waiting on the server: cancel it, again until the
  // thread is out, as it may have been between statements.
  std::unique_lock lock(mutex_);
  while (!done_) {
    {
      const std::lock_guard table_lock(table_mutex_);
      if (table_) {
        try {
          table_->cancel();
        } catch (const std::exception& e) {
          spdlog::debug("postgres sink: cancel: {}", e.what());
        }
      }
    }
    wake_.wait_for(lock, kCancelInterval);
  }
  lock.unlock();
  thread_.join();
}

void ProgressWriter::push(Batch batch) {
  {
    const std::lock_guard lock(mutex_);
    batches_.push_back(std::move(batch));
  }
  wake_.notify_all();
}

template <typename Step>
bool ProgressWriter::with_retries(Step&& step, std::string& error) {
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
      callbacks_.attempt_failed("attempt " + std::to_string(attempt) + " of " +
                                std::to_string(kAttempts) + " failed: " + error);
    }
    if (attempt == kAttempts) return false;
    std::unique_lock lock(mutex_);
    if (wake_.wait_for(lock, delay, [this] { return stopping_; })) return false;
    delay *= 2;
  }
}

void ProgressWriter::connect() {
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

bool ProgressWriter::take_queued(Written& taken) {
  std::deque<Batch> batches;
  {
    std::unique_lock lock(mutex_);
    wake_.wait(lock, [this] { return stopping_ || !batches_.empty(); });
    if (stopping_) return false;
    batches.swap(batches_);
  }
  taken = {};
  latest_.clear();
  changes_.clear();
  for (const Batch& batch : batches) {
    taken.through_sequence = batch.sequence;
    taken.changes += batch.changes.size();
    for (const ProgressChange& change : batch.changes) {
      const auto [it, added] = latest_.try_emplace(change.key, changes_.size());
      if (added) {
        changes_.emplace_back(change, batch.updated_ms);
      } else {
        changes_[it->second] = {change, batch.updated_ms};
      }
    }
  }
  // Rendered here rather than on the event loop, which has better things to do.
  rows_.resize(changes_.size());
  for (std::size_t i = 0; i < changes_.size(); ++i) {
    renderer_.fields(changes_[i].first.key, changes_[i].first.value, changes_[i].second, rows_[i]);
  }
  return true;
}

void ProgressWriter::run() {
  std::string error;
  if (!with_retries([this] { connect(); }, error)) {
    callbacks_.failed("cannot connect and create the progress table: " + error);
  } else {
    Written written;
    while (take_queued(written)) {
      // A write is in the table whole or not at all; after a failure the next
      // try starts on a new connection.
      auto write = [&] {
        try {
          if (!table_) connect();
          written.upserted = rows_.empty() ? 0 : table_->upsert(rows_);
        } catch (...) {
          const std::lock_guard lock(table_mutex_);
          table_.reset();
          throw;
        }
      };
      if (!with_retries(write, error)) {
        callbacks_.failed("writing " + std::to_string(rows_.size()) + " rows failed: " + error);
        break;
      }
      callbacks_.written(written);
    }
  }
  {
    const std::lock_guard lock(mutex_);
    done_ = true;
  }
  wake_.notify_all();
}

}  // namespace fp
