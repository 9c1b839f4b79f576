// Follows the state topic as it is written: every source partition's
// checkpoints and partials, so an instance keeps replicas of the partitions
// other instances own (docs/scaling-out.md).
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/lifetime_guard.h"
#include "ingest/checkpoint_store.h"
#include "kafka/handles.h"

namespace boost::asio {
class io_context;
}

namespace fp {

class QueueWakeup;

// Record layout of a partial (next to the checkpoints of the same source
// partition P, in state partition P): key "<checkpoint key>/partial/<seq>"
// (seq counts the partials written since the writer's last checkpoint, so a
// compacted topic keeps every partial after the newest checkpoint and drops
// older ones as their keys come round again), header "fp.partial" =
// "1 <through_offset>", value encode_partial().
inline constexpr std::string_view kPartialHeader = "fp.partial";

std::string partial_key(std::string_view checkpoint_key, std::uint64_t seq);
std::string partial_header(std::int64_t through_offset);

struct StateFollowerHandler {
  // The newest complete checkpoint of `partition`, in the order written.
  std::function<void(std::int32_t partition, Checkpoint&& checkpoint)> on_checkpoint;
  // A partial of `partition` as of `through_offset`.
  std::function<void(std::int32_t partition, std::int64_t through_offset, std::string_view partial)>
      on_partial;
  // Records of `partition` went before they were read (retention or
  // compaction): partials may be missing until the next checkpoint.
  std::function<void(std::int32_t partition)> on_gap;
  // Every partition read up to where it ended when the follower started.
  std::function<void()> on_caught_up;
  std::function<void(const std::string&)> on_error;
};

// Reads state partitions 0..N-1 (N: the reports topic's partition count) from
// their oldest retained record and stays at their end, woken by librdkafka's
// queue (no polling). A consumer of its own, assigned (no group, no commits).
// Records of other consumer groups or source topics are skipped.
//
// Threads: construct, call and destroy on the io_context's thread; handlers run there.
class StateFollower {
 public:
  StateFollower(boost::asio::io_context& io,
                const std::vector<std::pair<std::string, std::string>>& properties,
                std::string state_topic, std::string group, std::string source_topic,
                StateFollowerHandler handler);
  ~StateFollower();
  StateFollower(const StateFollower&) = delete;
  StateFollower& operator=(const StateFollower&) = delete;

  // Learns the reports topic's partition count and starts reading. Throws
  // std::runtime_error when a topic is missing or the metadata cannot be read.
  void start();
  [[nodiscard]] std::int32_t partition_count() const {
    return static_cast<std::int32_t>(reads_.size());
  }
  [[nodiscard]] bool caught_up() const { return caught_up_; }

 private:
  struct PartitionRead {
    CheckpointAssembly assembly;
    std::string partial_prefix;  // "<checkpoint key>/partial/"
    std::int64_t next = -1;      // offset expected next; -1 before the first record
    std::int64_t start_end = 0;  // the end when the follower started
    bool reached_start_end = false;
  };
  void wait();
  void drain();
  void read(const rd_kafka_message_t& m);

  boost::asio::io_context& io_;
  std::string state_topic_, group_, source_topic_;
  StateFollowerHandler handler_;
  kafka::KafkaHandle consumer_;
  kafka::QueueHandle queue_;
  std::unique_ptr<QueueWakeup> wakeup_;
  std::vector<PartitionRead> reads_;
  std::size_t behind_ = 0;  // partitions not yet read up to their start end
  bool caught_up_ = false;
  bool waiting_ = false;
  LifetimeGuard guard_;
};

}  // namespace fp
