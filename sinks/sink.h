// The one interface every output of the pipeline implements: take each processed
// batch, flush on demand, and say when what it was given is durable.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "processors/batch_result.h"
#include "processors/raw_message.h"

namespace fp {

// Threads: every call happens on the pipeline's io_context thread.
//
// Errors: a sink never throws from any of these calls. When an output is lost
// (a write the destination refused, a connection that cannot be restored) the
// sink reports it through SinkContext::on_error (sinks/registry.h), and the
// pipeline stops without committing past it. The pipeline still guards every
// call: an exception escaping a sink becomes a pipeline failure naming the
// sink, never an unwinding through a checkpoint round. A constructor may
// throw: that is a sink that cannot start (make_sink() says so).
class Sink {
 public:
  virtual ~Sink() = default;

  // The name used in configuration and in sink_*_total{sink=...}.
  [[nodiscard]] virtual std::string_view name() const = 0;

  // The effects of one processed batch. `messages` are the batch's raw messages
  // (DeadLetter::index points into them); views are valid during the call only.
  virtual void write(std::span<const RawMessage> messages, const BatchResult& result) = 0;

  // Hands everything buffered or coalesced to the destination now.
  virtual void flush() = 0;

  // A mark covering everything written so far; call after flush(). Offsets may
  // be committed past those writes once durable(mark) holds.
  [[nodiscard]] virtual std::uint64_t mark() const = 0;
  [[nodiscard]] virtual bool durable(std::uint64_t mark) const = 0;

  // Outputs handed on but not yet acknowledged; the pipeline pauses its input
  // when the sinks fall this far behind.
  [[nodiscard]] virtual std::size_t unacknowledged() const = 0;

  // The pipeline is working through a backlog (its batches come full): a sink
  // that coalesces may hold outputs longer, as flush() still hands them on at
  // every checkpoint round. Called before each write().
  virtual void set_backlog(bool /*behind*/) {}
};

}  // namespace fp
