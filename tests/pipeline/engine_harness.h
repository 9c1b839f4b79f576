// What the in-process Pipeline tests share: an embedded broker, a pipeline with
// its core and probe on the test's io_context, a sink whose acknowledgements
// the test hands out, and readers of the group's committed offsets.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "kafka/mock_cluster.h"
#include "metrics/pipeline_probe.h"
#include "metrics/registry.h"
#include "pipeline/pipeline.h"
#include "processors/core.h"
#include "sinks/registry.h"

namespace fp::test {

// What a HeldSink was given and what the test has acknowledged of it. Lives
// as long as either the test or the sink holds it.
struct SinkLedger {
  std::uint64_t written = 0;  // messages of the batches written
  std::uint64_t acked = 0;
  std::uint64_t flushes = 0;
  bool auto_ack = false;  // acknowledge each write on the next io turn
  std::string fail_with;  // non-empty: each write reports this error instead
  std::function<void()> on_acked;
  std::function<void(const std::string&)> on_error;

  // Everything written so far is durable.
  void ack();
};

// A sink that counts messages and is durable only as far as the test says.
class HeldSink final : public Sink {
 public:
  HeldSink(SinkContext& context, std::shared_ptr<SinkLedger> ledger);
  ~HeldSink() override;
  HeldSink(const HeldSink&) = delete;
  HeldSink& operator=(const HeldSink&) = delete;

  [[nodiscard]] std::string_view name() const override { return "held"; }
  void write(std::span<const RawMessage> messages, const BatchResult& result) override;
  void flush() override { ++ledger_->flushes; }
  [[nodiscard]] std::uint64_t mark() const override { return ledger_->written; }
  [[nodiscard]] bool durable(std::uint64_t mark) const override { return ledger_->acked >= mark; }
  [[nodiscard]] std::size_t unacknowledged() const override {
    return static_cast<std::size_t>(ledger_->written - ledger_->acked);
  }

 private:
  boost::asio::io_context& io_;
  std::shared_ptr<SinkLedger> ledger_;
};

// A Pipeline of the shipped catalog and demo roster with its own core and metrics.
struct Engine {
  Engine(boost::asio::io_context& io, PipelineOptions options);
  ProcessingCore core;
  MetricsRegistry metrics;
  PipelineProbe probe;
  Pipeline pipeline;
};

// Options for `group` on `bootstrap` with a HeldSink on `ledger` added, no
// periodic round unless `checkpoint_interval` says, and small batches.
PipelineOptions engine_options(
    const std::string& bootstrap, const std::string& group,
    const std::shared_ptr<SinkLedger>& ledger,
    std::chrono::milliseconds checkpoint_interval = std::chrono::hours(1));

// An embedded cluster of `brokers` with fieldpulse's topics, `partitions` each.
std::unique_ptr<kafka::MockCluster> make_cluster(int brokers, int partitions);

// Runs `io` until `done()` holds or `deadline` passes; returns done().
bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
               std::chrono::milliseconds deadline);

using Offsets = std::map<std::int32_t, std::int64_t>;
// The committed offset of each partition of `topic` for `group`; partitions
// without one are left out.
Offsets committed_offsets(const std::string& bootstrap, const std::string& group,
                          const std::string& topic, int partitions);
// The high watermark of each partition of `topic`.
Offsets high_watermarks(const std::string& bootstrap, const std::string& topic, int partitions);

// A Prometheus sample of `metrics`, 0 when absent.
double sample(const MetricsRegistry& metrics, const std::string& series);

}  // namespace fp::test
