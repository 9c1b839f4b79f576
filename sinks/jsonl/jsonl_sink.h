// Appends progress rows to a JSON Lines file as they change (`--jsonl FILE`).
#pragma once

#include <cstdio>
#include <string>

#include "metrics/pipeline_probe.h"
#include "sinks/progress_row.h"
#include "sinks/sink.h"

namespace fp {

struct SinkContext;

// One row per changed key per batch. A row counts as durable once handed to
// the operating system (fflush at flush() time), not once fsync'ed: the file is
// a convenience output, and the pipeline's recovery state lives in Kafka.
class JsonlSink final : public Sink {
 public:
  JsonlSink(SinkContext& context, const std::string& path);  // throws when it cannot open
  ~JsonlSink() override;

  [[nodiscard]] std::string_view name() const override { return "jsonl"; }
  void write(std::span<const RawMessage> messages, const BatchResult& result) override;
  void flush() override;
  [[nodiscard]] std::uint64_t mark() const override { return written_; }
  [[nodiscard]] bool durable(std::uint64_t mark) const override { return flushed_ >= mark; }
  [[nodiscard]] std::size_t unacknowledged() const override {
    return static_cast<std::size_t>(written_ - flushed_);
  }

 private:
  Clock clock_;
  ProgressRowRenderer renderer_;
  SinkProbe probe_;
  std::FILE* file_ = nullptr;
  std::uint64_t written_ = 0;  // rows
  std::uint64_t flushed_ = 0;
  std::string row_;
};

}  // namespace fp
