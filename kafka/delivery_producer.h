// A keyed, idempotent Kafka producer that counts delivery reports and can wait for all of them.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "kafka/config.h"
#include "kafka/handles.h"

namespace fp::kafka {

struct DeliveryCounts {
  std::uint64_t sent = 0;            // accepted by produce()
  std::uint64_t delivered = 0;       // acknowledged by the cluster (acks=all)
  std::uint64_t failed = 0;          // failed delivery reports + messages produce() refused
  std::uint64_t failed_reports = 0;  // failed delivery reports only
  std::uint64_t in_flight() const { return sent - (delivered + failed_reports); }
};

// Defaults: enable.idempotence=true, acks=all, linger.ms=5, batch.size=1 MB,
// then the caller's properties (which may override them).
//
// Every message produce() accepts gets exactly one delivery report; its
// `token` (any 64-bit value the caller chooses: an offset, an index) is handed
// to the DeliveryCallback, so a caller learns when given messages are durable
// (e.g. to commit source offsets only after the outputs are acknowledged).
//
// Threads — who runs the callback:
//  * CallbackThread::kCaller: the thread calling produce(), poll() or flush().
//    The caller must call one of them regularly (produce() serves what is
//    ready). An event loop can ask to be woken: wake_on_report(fd) makes
//    librdkafka write to `fd` when reports are ready; then call poll(0).
//  * CallbackThread::kBackground: a polling thread this producer owns (librdkafka
//    cannot hand delivery reports to its own background thread); the callback
//    must be thread-safe and quick. poll() is then a no-op.
// produce(), flush() and counts() may be called from any one thread at a time.
class DeliveryProducer {
 public:
  using DeliveryCallback = std::function<void(std::uint64_t token, rd_kafka_resp_err_t err)>;
  enum class CallbackThread { kCaller, kBackground };

  struct Options {
    std::string brokers;
    std::vector<Property> properties;  // applied after the defaults
    DeliveryCallback on_delivery;      // optional
    CallbackThread callback_thread = CallbackThread::kCaller;
  };

  // Throws ConfigError naming a refused property, std::runtime_error otherwise.
  explicit DeliveryProducer(Options options);
  // Messages still queued are purged; their callbacks are not called.
  ~DeliveryProducer();
  DeliveryProducer(const DeliveryProducer&) = delete;
  DeliveryProducer& operator=(const DeliveryProducer&) = delete;

  // Queues one message (copied). Without a key the partitioner spreads
  // messages. While librdkafka's queue is full it waits for reports. Returns
  // NO_ERROR, or why the message can never be sent (e.g. MSG_SIZE_TOO_LARGE,
  // UNKNOWN_TOPIC, a fatal idempotence error): then it counts as failed and no
  // callback follows.
  rd_kafka_resp_err_t produce(std::string_view topic, std::optional<std::string_view> key,
                              std::string_view payload, std::uint64_t token = 0);

  // kCaller: serves ready delivery reports, waiting up to `timeout` for one.
  // Returns how many events were served.
  int poll(std::chrono::milliseconds timeout);

  // Waits until every accepted message has had its delivery report (and
  // callback). Returns false if `timeout` passed first.
  bool flush(std::chrono::milliseconds timeout = std::chrono::hours(24));

  // kCaller: librdkafka writes a byte to `fd` (e.g. a pipe an Asio
  // stream_descriptor reads) whenever delivery reports become ready to poll().
  void wake_on_report(int fd);

  DeliveryCounts counts() const;
  rd_kafka_t* raw() noexcept { return rk_.get(); }

 private:
  static void on_report(rd_kafka_t* rk, const rd_kafka_message_t* msg, void* opaque);
  void record(std::uint64_t token, rd_kafka_resp_err_t err);
  bool wait_for_room(std::chrono::milliseconds timeout);

  DeliveryCallback on_delivery_;
  CallbackThread callback_thread_;
  std::atomic<std::uint64_t> sent_{0};
  std::atomic<std::uint64_t> delivered_{0};
  std::atomic<std::uint64_t> failed_reports_{0};
  std::atomic<std::uint64_t> refused_{0};
  std::atomic<bool> closing_{false};
  mutable std::mutex mutex_;  // guards nothing but the condition below
  std::condition_variable reported_;
  KafkaHandle rk_;          // destroyed explicitly in the destructor, after the thread below
  QueueHandle main_queue_;  // only with wake_on_report()
  std::atomic<bool> stop_polling_{false};
  std::thread poll_thread_;  // kBackground only
};

}  // namespace fp::kafka
