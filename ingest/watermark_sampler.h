// Samples partitions' high watermarks from the brokers on a thread of its own, so
// lag stays visible when the consumer's fetches (its only other source) stop.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "base/lifetime_guard.h"
#include "ingest/watermarks.h"

namespace boost::asio {
class io_context;
}

namespace fp {

// Every `interval` it asks the brokers (ListOffsets, a client of its own, no
// group) for the watermarks of the partitions last given to set_partitions()
// and hands the answer to `on_sample` on the io_context's thread. A failed or
// slow query (a broker down) only delays the next sample; it never blocks the
// io_context.
//
// Threads: construct, call and destroy on the io_context's thread.
class WatermarkSampler {
 public:
  using Sample = std::map<std::int32_t, Watermarks>;

  WatermarkSampler(boost::asio::io_context& io,
                   const std::vector<std::pair<std::string, std::string>>& properties,
                   std::string topic, std::chrono::milliseconds interval,
                   std::function<void(const Sample&)> on_sample);
  ~WatermarkSampler();  // stops and joins the thread (within one query timeout)
  WatermarkSampler(const WatermarkSampler&) = delete;
  WatermarkSampler& operator=(const WatermarkSampler&) = delete;

  void set_partitions(std::vector<std::int32_t> partitions);

 private:
  struct Client;
  void run();

  boost::asio::io_context& io_;
  std::string topic_;
  std::chrono::milliseconds interval_;
  std::function<void(const Sample&)> on_sample_;
  std::unique_ptr<Client> client_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<std::int32_t> partitions_;  // guarded by mutex_
  bool stopping_ = false;                 // guarded by mutex_
  LifetimeGuard guard_;                   // io thread only
  // What the sampling thread wraps its posts with (a copy per post).
  const LifetimeGuard::Token alive_ = guard_.token();
  std::thread thread_;
};

}  // namespace fp
