// The project's one Kafka producer: idempotent (acks=all), every record numbered,
// one delivery result per record, and the prefix of records Kafka has acknowledged.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "kafka/config.h"
#include "kafka/handles.h"

namespace boost::asio {
class io_context;
}

namespace fp {
class QueueWakeup;
}

namespace fp::kafka {

struct Header {
  std::string_view name;
  std::string_view value;
};

// One record. Without a key and with partition < 0 the partitioner spreads
// records; with a key and partition < 0 the key decides.
struct Record {
  std::string_view topic;
  std::optional<std::string_view> key{};
  std::string_view value;
  std::int32_t partition = -1;
  std::span<const Header> headers{};
  // Not copied: `value` must stay unchanged and alive until the record has its
  // delivery result (large checkpoints). Otherwise librdkafka copies it.
  bool borrowed = false;
};

// librdkafka refused a record for good (too large, unknown topic, a fatal
// idempotence error): it has no sequence number and no delivery result follows.
class ProduceError : public std::runtime_error {
 public:
  ProduceError(const std::string& what, rd_kafka_resp_err_t code)
      : std::runtime_error(what), code_(code) {}
  [[nodiscard]] rd_kafka_resp_err_t code() const noexcept { return code_; }

 private:
  rd_kafka_resp_err_t code_;
};

// Defaults: enable.idempotence=true, acks=all, linger.ms=5, compression.type=lz4,
// then the caller's properties (those only consumers take are left out, so one
// shared list configures both).
//
// Records get sequence numbers 1, 2, 3, ... in produce order and exactly one
// delivery result each (on_delivery); durable_through() is the highest n such
// that records 1..n are all acknowledged, which is what offset commits wait for.
// A failed record never becomes durable, so nothing after it counts as durable.
//
// Threads: constructed with an io_context, results are served on its thread
// (librdkafka's queue wakes it, no polling loop), and every method must be
// called there. Without one, results are served by the thread calling
// produce() or flush(); call them from one thread at a time.
class Producer {
 public:
  using OnDelivery = std::function<void(std::uint64_t sequence, rd_kafka_resp_err_t error)>;
  struct Options {
    std::string name;                   // for errors, e.g. "field-progress"
    std::vector<Property> properties;   // bootstrap.servers, ...; after the defaults
    OnDelivery on_delivery{};           // each record's result (optional)
    std::function<void()> on_served{};  // after each round of results served on the io_context
  };

  // Both throw ConfigError naming a refused property, std::runtime_error otherwise.
  Producer(boost::asio::io_context& io, Options options);
  explicit Producer(Options options);
  // Records still queued are purged; their callbacks are not called.
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Hands one record to librdkafka and returns its sequence number. While
  // librdkafka's queue is full it serves results and waits for room. Throws
  // ProduceError when the record can never be sent.
  std::uint64_t produce(const Record& record);

  // Serves results until every record has one or `timeout` passes; says whether all have.
  bool flush(std::chrono::milliseconds timeout);

  [[nodiscard]] std::uint64_t produced() const { return produced_; }
  [[nodiscard]] std::uint64_t durable_through() const { return durable_; }
  [[nodiscard]] std::uint64_t delivered() const { return delivered_; }
  [[nodiscard]] std::uint64_t failed() const { return failed_; }
  // Records without a delivery result yet.
  [[nodiscard]] std::uint64_t in_flight() const { return produced_ - delivered_ - failed_; }

  [[nodiscard]] rd_kafka_t* raw() const { return producer_.get(); }

 private:
  static void on_report(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque);
  void reported(std::uint64_t sequence, rd_kafka_resp_err_t error);
  void serve();

  std::string name_;
  OnDelivery on_delivery_;
  std::function<void()> on_served_;
  KafkaHandle producer_;
  QueueHandle main_queue_;               // with an io_context only
  std::unique_ptr<QueueWakeup> wakeup_;  // with an io_context only
  std::uint64_t produced_ = 0;
  std::uint64_t delivered_ = 0;
  std::uint64_t failed_ = 0;
  std::uint64_t durable_ = 0;
  std::deque<bool> acked_;  // acked_[i] is record durable_ + 1 + i
};

}  // namespace fp::kafka
