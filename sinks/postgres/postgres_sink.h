// Upserts progress rows into a PostgreSQL table (`--postgres URI`, contract
// section 6): progress(level, id, metric, window, value, reports, updated_at),
// primary key (level, id, metric, window).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "metrics/pipeline_probe.h"
#include "sinks/progress_batcher.h"
#include "sinks/progress_row.h"
#include "sinks/sink.h"

namespace fp {

struct SinkContext;
class ProgressTable;

// Rows come from a ProgressBatcher, as for the progress topic; each flush
// (timer or flush()) becomes one batch.
// libpqxx blocks, so one worker thread owns the connection (ProgressTable): it
// creates the table at start and writes everything queued since its last
// write in one transaction (COPY, then one INSERT ... ON CONFLICT DO UPDATE).
// Values are absolute, so a replay rewrites the same figures and never
// double-counts; destruction cancels a statement the server holds up. The worker reports back
// through the io_context, where mark()/durable() advance; a connection or write that still fails
// after kAttempts tries stops the pipeline (context.on_error), so offsets are never committed past
// rows that are not in the database.
class PostgresSink final : public Sink {
 public:
  // Starts the worker, which connects in the background.
  PostgresSink(SinkContext& context, std::string uri, std::chrono::milliseconds flush_interval);
  ~PostgresSink() override;
  PostgresSink(const PostgresSink&) = delete;
  PostgresSink& operator=(const PostgresSink&) = delete;

  [[nodiscard]] std::string_view name() const override { return "postgres"; }
  void write(std::span<const RawMessage> messages, const BatchResult& result) override;
  void flush() override;
  [[nodiscard]] std::uint64_t mark() const override { return queued_; }
  [[nodiscard]] bool durable(std::uint64_t mark) const override { return written_ >= mark; }
  [[nodiscard]] std::size_t unacknowledged() const override {
    return static_cast<std::size_t>(queued_ - written_);
  }
  void set_backlog(bool behind) override { batcher_.set_backlog(behind); }

  // Tries per connection or write, the first retry's delay (doubled each
  // time), and how often destruction repeats its cancel until the worker is out.
  static constexpr int kAttempts = 5;
  static constexpr std::chrono::milliseconds kFirstRetryDelay{100};
  static constexpr std::chrono::milliseconds kCancelInterval{100};

 private:
  using Batch = std::vector<ProgressFields>;

  void hand_on(std::vector<ProgressChange>&& rows);
  // Worker thread.
  void run_worker();
  void connect();
  void write_batches();
  // Stops the pipeline (context.on_error) with `what`, from the worker.
  void stop(const std::string& what);
  // Runs `step` up to kAttempts times with backoff; false once stopping or out of tries.
  template <typename Step>
  bool with_retries(Step&& step, std::string& error);
  // Posts to the io_context thread, where the sink's state lives.
  template <typename F>
  void post(F&& f);

  // io_context thread.
  Clock clock_;
  ProgressRowRenderer renderer_;
  SinkProbe probe_;
  boost::asio::io_context& io_;
  std::function<void()> on_acked_;
  std::function<void(const std::string&)> on_error_;
  ProgressBatcher batcher_;
  std::uint64_t queued_ = 0;    // rows handed to the worker
  std::uint64_t written_ = 0;   // rows committed to the database
  std::uint64_t upserted_ = 0;  // of them, distinct keys per transaction
  std::uint64_t transactions_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);

  // Shared with the worker.
  const std::string uri_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Batch> batches_;
  bool stopping_ = false;
  bool worker_done_ = false;
  std::mutex table_mutex_;                // guards table_ against cancel() while it is replaced
  std::unique_ptr<ProgressTable> table_;  // set and used by the worker
  std::thread worker_;                    // last: started once everything above exists
};

}  // namespace fp
