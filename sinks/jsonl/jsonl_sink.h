// Appends changed progress blocks to a JSON Lines file (`--jsonl FILE`), in the
// field-progress row form, one complete row per line.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "metrics/pipeline_probe.h"
#include "sinks/progress_batcher.h"
#include "sinks/progress_row.h"
#include "sinks/sink.h"

namespace fp {

struct SinkContext;

// Blocks come from a ProgressBatcher of the published levels, flushed every
// flush interval even while the pipeline works through a backlog: the contract
// promises rows on disk within the interval. Each flush's rows are rendered
// into one reused buffer and appended with write() in whole lines (at most
// kChunkBytes at a time), so the file always ends with a complete line between
// flushes, and counted as written then.
// flush() also fdatasync()s, so a checkpoint round's mark is durable once
// flush() returns and nothing waits for an acknowledgement. A failed write or
// sync stops the pipeline (context.on_error), as a lost Kafka record does.
class JsonlSink final : public Sink {
 public:
  // Throws std::runtime_error when the file cannot be opened.
  JsonlSink(SinkContext& context, const std::string& path, std::chrono::milliseconds flush_interval,
            LevelSet levels);
  ~JsonlSink() override;
  JsonlSink(const JsonlSink&) = delete;
  JsonlSink& operator=(const JsonlSink&) = delete;

  [[nodiscard]] std::string_view name() const override { return "jsonl"; }
  void write(std::span<const RawMessage> messages, const BatchResult& result) override;
  void flush() override;
  [[nodiscard]] std::uint64_t mark() const override { return written_; }
  [[nodiscard]] bool durable(std::uint64_t mark) const override { return synced_ >= mark; }
  [[nodiscard]] std::size_t unacknowledged() const override { return 0; }

  static constexpr std::size_t kChunkBytes = std::size_t{1} << 20;

 private:
  void append(ProgressBlocks&& blocks);
  bool write_out();  // the buffer's rows; false (and the pipeline told) on failure
  void fail(const std::string& what);

  std::string path_;
  BlockRowRenderer renderer_;
  SinkProbe probe_;
  std::function<void(const std::string&)> on_error_;
  int fd_ = -1;
  bool failed_ = false;
  std::uint64_t written_ = 0;   // rows in the file
  std::uint64_t synced_ = 0;    // rows made durable
  std::string buffer_;          // whole rendered lines not yet written
  std::uint64_t buffered_ = 0;  // rows in buffer_
  ProgressBatcher batcher_;     // last: its handler uses the members above
};

}  // namespace fp
