// The pipeline: Kafka source -> processing core -> sinks, with per-partition state
// checkpoints, offset commits after durability, backpressure and drain.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/lifetime_guard.h"
#include "ingest/checkpoint_store.h"
#include "ingest/kafka_source.h"
#include "ingest/stall_detector.h"
#include "model/clock.h"
#include "pipeline/components.h"
#include "pipeline/readiness.h"
#include "processors/batch_result.h"
#include "processors/raw_message.h"
#include "sinks/registry.h"

namespace fp {

namespace kafka {
class Producer;
}
class PipelineProbe;
class StateFollower;
class WatermarkSampler;

struct PipelineOptions {
  // librdkafka properties for every client (bootstrap.servers and pass-through ones).
  std::vector<std::pair<std::string, std::string>> kafka_properties;
  std::string group = "fieldpulse";
  std::string reports_topic = "field-reports";
  std::string state_topic = "fieldpulse.state";
  std::size_t batch_max = 10000;
  // The values of the source's and the sinks' keys (pipeline/components.h).
  Settings components = component_defaults();
  std::chrono::milliseconds checkpoint_interval{10000};
  // How often each owned partition's partial goes to the other instances
  // (docs/scaling-out.md): what their figures lag behind this one's by.
  std::chrono::milliseconds partial_interval{200};
  std::chrono::milliseconds lag_interval{1000};
  // A partition with lag whose position stands still this long is stalled.
  std::chrono::milliseconds stall_after{30000};
  // Backpressure: pause fetching above this many unacknowledged outputs,
  // resume below half of it (sinks.max_unacknowledged).
  std::size_t max_unacknowledged = 500000;
  // How long a drain waits for the sinks, within the contract's 10 s to exit:
  // leaving the group, closing the outputs and exiting take the rest, up to
  // 2.3 s measured on a loaded machine with sanitizers.
  std::chrono::milliseconds drain_timeout{7000};
  // Sinks made after the configured ones, from the same context: the seam
  // through which tests put a sink they control into the rounds.
  std::vector<std::function<std::unique_ptr<Sink>(SinkContext&)>> added_sinks;
};

// Exactly-once figures per partition (docs/operations.md, "State and recovery"):
//  * each processed batch goes to every sink;
//  * a checkpoint round snapshots the partitions' state with its through-offset,
//    flushes the sinks, waits until every sink acknowledged what it was given,
//    then writes the snapshot to the state topic, and once that is acknowledged
//    commits the through-offset;
//  * on assignment the newest checkpoint is restored and consumption resumes
//    at its through-offset, so nothing before it is applied twice and nothing
//    after it is lost.
//
// Threads: everything runs on the io_context's single thread, which also serves
// HTTP reads of the core.
class Pipeline {
 public:
  Pipeline(boost::asio::io_context& io, ProcessingCore& core, PipelineProbe& probe,
           PipelineOptions options, Clock clock);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Joins the group and starts consuming. Throws std::runtime_error.
  void start();

  // Stops fetching, finishes the current batch, flushes the sinks, checkpoints
  // and commits every owned partition, leaves the group; then calls
  // `done(exit code)`: 0 unless an output failed. When a sink has not
  // acknowledged everything by options.drain_timeout, it stops waiting, commits
  // nothing more and logs what the next start will process again.
  void drain(std::function<void(int)> done);

  // Called once when the pipeline cannot go on (an output was lost, the consumer
  // failed); the owner should stop the process with exit code 1.
  void on_failure(std::function<void(const std::string&)> handler) {
    on_failure_ = std::move(handler);
  }

  // Ready once the first assignment is restored and every owned partition has
  // caught up with the high watermark seen when it was assigned; never while a
  // partition is stalled, while a data gap has been seen, while draining or
  // after a failure.
  [[nodiscard]] Readiness readiness() const;

 private:
  struct PartitionState {
    bool owned = false;
    std::int64_t next_offset = 0;    // next offset to process
    std::int64_t checkpointed = -1;  // through-offset of the newest checkpoint taken
    std::int64_t catch_up_to = 0;    // high watermark at assignment
    std::int64_t high = 0;           // newest high watermark known (fetches, samples)
    std::int64_t resume_from = 0;    // where a restart resumes: the newest durable checkpoint
    std::uint64_t partial_seq = 0;   // partials written since the last checkpoint
    // Writes the rows of the blocks designated to this partition: from its
    // assignment until the next assignment (not the revoke), so changes that
    // arrive while partitions move are written by the instance that had it.
    bool writer = false;
  };
  struct LaterPartial {
    std::int64_t through_offset;
    std::string partial;
  };
  struct RoundPartition {
    std::int32_t partition;
    std::int64_t through_offset;
    std::string snapshot;
    // Partials taken after the snapshot: written again after its chunks, so a
    // reader that starts at the checkpoint misses none (state_follower.h).
    std::vector<LaterPartial> later_partials;
  };
  struct Round {
    std::vector<std::int32_t> to_snapshot;  // taken one per io turn, so HTTP and batches interleave
    bool sealed = false;                    // every snapshot taken and the sink marks set
    std::vector<RoundPartition> partitions;
    std::vector<std::uint64_t> sink_marks;
    bool state_written = false;
    std::uint64_t state_mark = 0;
    bool synchronous_commit = false;
    std::function<void()> on_committed;
  };

  void process(std::span<const RawMessage> batch);
  // Figures across instances (docs/scaling-out.md).
  void publish_partial(std::int32_t partition);
  void arm_partial_timer();
  void replica_checkpoint(std::int32_t partition, Checkpoint&& checkpoint);
  void replica_partial(std::int32_t partition, std::int64_t through_offset,
                       std::string_view partial);
  void replica_gap(std::int32_t partition);
  // Hands blocks whose global values changed to the gauges, and those this
  // instance writes (designated()) to the sinks.
  void emit_changes(std::vector<ProgressBlockId> moved);
  // Whether this instance writes `block`'s rows: it is the writer of the
  // block's designated partition, so each key has one writer at a time.
  bool designated(ProgressBlockId block);
  // Writes again every block designated to `partitions` (taken over: their
  // previous writer may have died before its rows were durable).
  void restate(std::span<const std::int32_t> partitions);
  void restate_next();
  std::vector<PartitionOffset> assign(std::span<const std::int32_t> partitions);
  std::map<std::int32_t, Watermarks> assigned_watermarks(std::span<const std::int32_t> partitions);
  void revoke(const std::vector<std::int32_t>& partitions, std::function<void()> done);
  void start_round(const std::vector<std::int32_t>& partitions, bool synchronous,
                   std::function<void()> on_committed);
  void snapshot_next(Round* round);
  void advance_rounds();
  void acked();
  void fail(const std::string& why);
  void end_drain_unacknowledged();
  void report_gap(std::int32_t partition, std::int64_t from, std::int64_t to,
                  const std::string& why);
  void arm_checkpoint_timer();
  void arm_lag_timer();
  void sample_lag();
  void watch_stall(std::int32_t partition, std::chrono::steady_clock::time_point now);
  PartitionState& state(std::int32_t partition);
  std::vector<std::int32_t> owned_partitions() const;
  std::size_t unacknowledged();
  // Calls `call` on each sink. A sink that throws breaks the contract in
  // sinks/sink.h; it fails the pipeline with its name instead of unwinding
  // through the round. False once the pipeline has failed.
  bool for_each_sink(const std::function<void(Sink&)>& call);

  boost::asio::io_context& io_;
  ProcessingCore& core_;
  PipelineProbe& probe_;
  PipelineOptions options_;
  Clock clock_;
  std::vector<std::unique_ptr<Sink>> sinks_;
  std::unique_ptr<kafka::Producer> state_writer_;
  std::unique_ptr<KafkaSource> source_;
  std::unique_ptr<WatermarkSampler> watermark_sampler_;
  std::unique_ptr<StateFollower> state_follower_;
  StallDetector stalls_;
  BatchResult result_;
  BatchResult replica_result_;
  std::vector<ProgressBlockId> replica_moved_;
  std::vector<ProgressBlockId> restating_;  // blocks whose rows are still to be written again
  bool restate_posted_ = false;
  std::vector<PartitionState> partitions_;  // by partition number
  std::deque<Round> rounds_;
  std::uint64_t generation_ = 0;
  boost::asio::steady_timer checkpoint_timer_;
  boost::asio::steady_timer lag_timer_;
  boost::asio::steady_timer drain_timer_;
  boost::asio::steady_timer partial_timer_;
  bool assigned_once_ = false;
  bool rebalancing_ = false;  // partitions revoked, the next assignment not yet restored
  bool draining_ = false;
  bool failed_ = false;
  std::vector<std::string> gaps_;
  std::string failure_;
  std::function<void(const std::string&)> on_failure_;
  std::function<void(int)> drained_;
  LifetimeGuard guard_;
};

}  // namespace fp
