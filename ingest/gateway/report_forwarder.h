// Forwards checked reports to Kafka (idempotent, acks=all, keyed by village) and says,
// on the io_context's thread, when every report of a request is acknowledged.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "kafka/producer.h"

namespace boost::asio {
class io_context;
}

namespace fp::gateway {

struct OutgoingReport {
  std::optional<std::string_view> key;  // the village
  std::string_view payload;
};

// Threading: forward(), the delivery reports and the `done` callbacks run on the
// io_context's thread; reachable() may be read from any thread.
class ReportForwarder {
 public:
  struct Options {
    std::string brokers;
    std::string topic = "field-reports";
    // A report not acknowledged within this (message.timeout.ms) fails, and
    // its request is answered 503.
    std::chrono::milliseconds ack_timeout{10'000};
    std::size_t max_queued = 100'000;         // queue.buffering.max.messages
    std::vector<kafka::Property> properties;  // after the defaults above
  };
  // Throws kafka::ConfigError naming a refused property.
  ReportForwarder(boost::asio::io_context& io, Options options);
  ~ReportForwarder();
  ReportForwarder(const ReportForwarder&) = delete;
  ReportForwarder& operator=(const ReportForwarder&) = delete;

  // Produces every report (copied) and calls `done(true)` once all are
  // acknowledged, `done(false)` once all have a delivery report and one or
  // more failed (or could not be queued). With no reports, `done(true)` now.
  void forward(const std::vector<OutgoingReport>& reports, std::function<void(bool)> done);

  // Reports queued in the producer and not yet acknowledged or failed.
  [[nodiscard]] std::uint64_t in_flight() const;
  // Whether the last metadata request (every 2 s) reached the cluster.
  [[nodiscard]] bool reachable() const { return reachable_.load(); }

  // Waits up to `timeout` for every queued report's delivery report.
  bool flush(std::chrono::milliseconds timeout);

 private:
  struct Pending {
    std::size_t remaining = 0;
    bool failed = false;
    std::function<void(bool)> done;
  };
  void delivered(std::uint64_t sequence, bool ok);
  void probe_cluster();

  std::string topic_;
  std::unordered_map<std::uint64_t, Pending> pending_;         // by batch; io thread only
  std::unordered_map<std::uint64_t, std::uint64_t> batch_of_;  // record sequence -> batch
  std::uint64_t next_batch_ = 1;
  std::unique_ptr<kafka::Producer> producer_;
  std::atomic<bool> reachable_{false};
  std::mutex probe_mutex_;
  std::condition_variable probe_wakeup_;
  bool stopping_ = false;  // guarded by probe_mutex_
  std::thread probe_thread_;
};

}  // namespace fp::gateway
