// An idempotent Kafka producer served on the io_context that numbers every record
// and says which prefix of them Kafka has acknowledged (acks=all).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kafka/handles.h"

namespace boost::asio {
class io_context;
}

namespace fp {

class QueueWakeup;

// Records get sequence numbers 1, 2, 3, ... in produce order; durable_through()
// is the highest n such that records 1..n are all acknowledged, which is what
// offset commits wait for. Delivery reports are served on the io_context thread
// (the producer's main queue wakes it), so every method and callback runs there.
class KafkaWriter {
 public:
  struct Options {
    std::string name;                                             // for logs, e.g. "field-progress"
    std::vector<std::pair<std::string, std::string>> properties;  // bootstrap.servers, ...
  };
  // `on_acked` runs after each served round of delivery reports; `on_error`
  // when a record could not be delivered (the writer cannot recover from that).
  KafkaWriter(boost::asio::io_context& io, Options options, std::function<void()> on_acked,
              std::function<void(const std::string&)> on_error);
  ~KafkaWriter();
  KafkaWriter(const KafkaWriter&) = delete;
  KafkaWriter& operator=(const KafkaWriter&) = delete;

  struct Header {
    std::string_view name;
    std::string_view value;
  };
  // Hands one record to librdkafka (copied) and returns its sequence number.
  // partition < 0: the key decides. Throws std::runtime_error when librdkafka
  // refuses the record (e.g. too large).
  std::uint64_t produce(std::string_view topic, std::int32_t partition, std::string_view key,
                        std::string_view value, std::initializer_list<Header> headers = {});
  // The same without copying `value`: it must stay unchanged and alive until
  // durable_through() covers the returned sequence number (large checkpoints).
  std::uint64_t produce_borrowed(std::string_view topic, std::int32_t partition,
                                 std::string_view key, std::string_view value,
                                 std::initializer_list<Header> headers = {});

  [[nodiscard]] std::uint64_t produced() const { return produced_; }
  [[nodiscard]] std::uint64_t durable_through() const { return durable_; }
  [[nodiscard]] std::size_t in_flight() const {
    return static_cast<std::size_t>(produced_ - durable_);
  }
  [[nodiscard]] std::uint64_t failures() const { return failures_; }

  // Blocks until everything is acknowledged or `timeout` passes (shutdown only).
  bool flush(std::chrono::milliseconds timeout);

  [[nodiscard]] rd_kafka_t* raw() const { return producer_.get(); }

 private:
  std::uint64_t produce_with(int flags, std::string_view topic, std::int32_t partition,
                             std::string_view key, std::string_view value,
                             std::initializer_list<Header> headers);
  static void on_delivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque);
  void delivered(std::uint64_t sequence, rd_kafka_resp_err_t error);
  void serve();

  Options options_;
  std::function<void()> on_acked_;
  std::function<void(const std::string&)> on_error_;
  kafka::KafkaHandle producer_;
  kafka::QueueHandle main_queue_;
  std::unique_ptr<QueueWakeup> wakeup_;
  std::uint64_t produced_ = 0;
  std::uint64_t durable_ = 0;
  std::uint64_t failures_ = 0;
  std::deque<bool> acked_;  // acked_[i] is record durable_ + 1 + i
};

}  // namespace fp
