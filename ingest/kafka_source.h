// Consumes the report topic as a consumer-group member on the io_context: woken by
// librdkafka's queue, drained in batches, with rebalances the pipeline takes part in.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "base/lifetime_guard.h"
#include "ingest/watermarks.h"
#include "kafka/handles.h"
#include "processors/raw_message.h"

namespace boost::asio {
class io_context;
}

namespace fp {

class QueueWakeup;

struct KafkaSourceOptions {
  // librdkafka properties: bootstrap.servers, group.id, fetch sizing, ...
  std::vector<std::pair<std::string, std::string>> properties;
  std::string topic = "field-reports";
  std::size_t batch_max = 10000;  // messages per rd_kafka_consume_batch_queue call
};

struct PartitionOffset {
  std::int32_t partition = 0;
  std::int64_t offset = 0;
};

// What the source asks of its owner. All callbacks run on the io_context thread.
struct KafkaSourceHandler {
  // One batch, possibly from several partitions, in partition order per partition.
  // Views are valid during the call only.
  std::function<void(std::span<const RawMessage>)> on_batch;
  // Partitions were assigned: restore their state and say where each starts
  // (a returned offset < 0 is a librdkafka logical offset, e.g. RD_KAFKA_OFFSET_BEGINNING).
  std::function<std::vector<PartitionOffset>(std::span<const std::int32_t>)> on_assign;
  // Partitions are being revoked: make their work durable and commit, then
  // call `done` (the partitions are released only then).
  std::function<void(std::vector<std::int32_t>, std::function<void()> done)> on_revoke;
  // The prefetch queue filled up and its fetchers were woken once it halved.
  std::function<void()> on_prefetch_full;
  // A fatal consumer error: the process should stop.
  std::function<void(const std::string&)> on_error;
};

// Eager rebalancing: on a rebalance librdkafka's rebalance_cb only records the
// event; it is handled between batches (never in the middle of one), and the
// assignment changes only when the owner has finished (rd_kafka_assign is
// called after on_assign/on_revoke). No message of a revoked partition is
// handed over after on_revoke is called.
//
// Threads: construct, call and destroy on the io_context's thread.
class KafkaSource {
 public:
  KafkaSource(boost::asio::io_context& io, KafkaSourceOptions options, KafkaSourceHandler handler);
  ~KafkaSource();
  KafkaSource(const KafkaSource&) = delete;
  KafkaSource& operator=(const KafkaSource&) = delete;

  // Subscribes and starts waiting for messages. Throws std::runtime_error.
  void start();

  // Backpressure: stops fetching every assigned partition / starts again.
  void pause();
  void resume();
  [[nodiscard]] bool paused() const { return paused_; }

  // Restarts fetching an owned partition at `offset`, the next one to hand out:
  // librdkafka drops what it prefetched for it and fetches anew, which re-arms
  // a fetcher that went quiet after a broker fault. No-op while paused,
  // rebalancing or closing. Returns whether the restart was requested.
  bool refetch(std::int32_t partition, std::int64_t offset);

  // Stops handing out batches (drain); rebalance events are still recorded.
  void stop();

  // Commits offsets (the next offset to read) of owned partitions.
  void commit(std::span<const PartitionOffset> offsets, bool synchronous);

  // Leaves the group and closes the consumer (blocking, bounded by librdkafka).
  void close();

  [[nodiscard]] const std::vector<std::int32_t>& assigned() const { return assigned_; }

  // Watermarks last seen in fetch responses (no request); nullopt if unknown.
  [[nodiscard]] std::optional<std::pair<std::int64_t, std::int64_t>> cached_watermarks(
      std::int32_t partition) const;
  // Asks the brokers (blocking). Throws std::runtime_error on failure.
  [[nodiscard]] std::map<std::int32_t, Watermarks> query_watermarks(
      std::span<const std::int32_t> partitions, int timeout_ms) const;

  [[nodiscard]] const std::string& topic() const { return options_.topic; }

 private:
  struct PendingRebalance {
    rd_kafka_resp_err_t kind;
    kafka::PartitionListHandle partitions;
  };
  static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* partitions, void* opaque);
  void drain();
  void schedule_drain();
  void wait_for_wakeup();
  void handle_rebalance();
  void rebalance_finished();
  void arm_keepalive();
  void wake_fetchers();

  boost::asio::io_context& io_;
  KafkaSourceOptions options_;
  KafkaSourceHandler handler_;
  kafka::KafkaHandle consumer_;
  kafka::QueueHandle queue_;
  std::unique_ptr<QueueWakeup> wakeup_;
  // Drains even when no wake-up comes: librdkafka counts only consume calls as
  // polls and leaves the group after max.poll.interval.ms without one.
  boost::asio::steady_timer keepalive_;
  std::vector<rd_kafka_message_t*> messages_;
  std::vector<RawMessage> batch_;
  std::vector<std::int32_t> assigned_;
  std::vector<bool> owned_;  // by partition
  // By partition: the next offset to hand out (-1: any). A message below it was
  // handed out already (fetched again after a refetch) and is dropped.
  std::vector<std::int64_t> next_;
  std::deque<PendingRebalance> pending_;
  bool rebalancing_ = false;
  bool paused_ = false;
  bool stopped_ = false;
  bool closing_ = false;
  bool waiting_ = false;    // a wake-up wait is armed
  bool scheduled_ = false;  // a drain is posted
  // librdkafka 2.0.2 takes a partition out of fetching when the consumer queue
  // holds queued.min.messages, and looks again only when its broker thread next
  // wakes: up to a second later. fetch_stop_ is that mark; fetchers_benched_
  // says the queue reached it since the last wake_fetchers().
  std::size_t fetch_stop_ = 0;
  bool fetchers_benched_ = false;
  LifetimeGuard guard_;
};

}  // namespace fp
