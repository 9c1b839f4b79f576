// Upserts progress rows into a PostgreSQL table (`--postgres URI`, contract
// section 6): progress(level, id, metric, window, value, reports, updated_at),
// primary key (level, id, metric, window).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/lifetime_guard.h"
#include "metrics/pipeline_probe.h"
#include "model/clock.h"
#include "sinks/postgres/progress_writer.h"
#include "sinks/progress_batcher.h"
#include "sinks/progress_row.h"
#include "sinks/sink.h"

namespace fp {

struct SinkContext;

// Rows come from a ProgressBatcher, as for the progress topic; each flush
// (timer or flush()) becomes one batch, split by key hash over kConnections
// ProgressWriters, each a connection and thread of its own, so the server
// works on several cores and a key always goes through the same connection
// (its rows stay in order). Values are absolute, so a replay rewrites the same
// figures and never double-counts. The writers report back through the
// io_context, where mark()/durable() advance: a batch is durable once every
// writer has written its part. A writer that still fails after its retries
// stops the pipeline (context.on_error), so offsets are never committed past
// rows that are not in the database.
class PostgresSink final : public Sink {
 public:
  // Starts the writers, which connect in the background.
  PostgresSink(SinkContext& context, const std::string& uri,
               std::chrono::milliseconds flush_interval);
  ~PostgresSink() override;
  PostgresSink(const PostgresSink&) = delete;
  PostgresSink& operator=(const PostgresSink&) = delete;

  [[nodiscard]] std::string_view name() const override { return "postgres"; }
  void write(std::span<const RawMessage> messages, const BatchResult& result) override;
  void flush() override;
  [[nodiscard]] std::uint64_t mark() const override { return sequence_; }
  [[nodiscard]] bool durable(std::uint64_t mark) const override;
  [[nodiscard]] std::size_t unacknowledged() const override {
    return static_cast<std::size_t>(queued_ - written_);
  }
  void set_backlog(bool behind) override { batcher_.set_backlog(behind); }

  static constexpr std::size_t kConnections = 4;

 private:
  void hand_on(std::vector<ProgressChange>&& rows);
  // Posts to the io_context thread, where the sink's state lives.
  template <typename F>
  void post(F&& f);

  // io_context thread.
  Clock clock_;
  ProgressRowRenderer renderer_;  // the writers' too: see ProgressRowRenderer::follow_roster
  SinkProbe probe_;
  boost::asio::io_context& io_;
  std::function<void()> on_acked_;
  std::function<void(const std::string&)> on_error_;
  ProgressBatcher batcher_;
  std::uint64_t sequence_ = 0;                  // batches handed on
  std::vector<std::uint64_t> written_through_;  // per writer: batches in the table
  std::uint64_t queued_ = 0;                    // rows handed on
  std::uint64_t written_ = 0;                   // rows committed to the database
  std::uint64_t upserted_ = 0;                  // of them, distinct keys per transaction
  std::uint64_t transactions_ = 0;
  LifetimeGuard guard_;
  // Taken on the io_context thread; the writers' threads wrap with copies.
  const LifetimeGuard::Token alive_ = guard_.token();
  std::vector<std::unique_ptr<ProgressWriter>> writers_;  // last: they call back into the above
};

}  // namespace fp
