// A token bucket per device: the gateway's per-token rate limit (answered 429).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <unordered_map>

namespace fp::gateway {

// Not thread-safe: one per io thread.
class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  // `per_second` requests refill each bucket, which holds at most `burst`.
  RateLimiter(double per_second, double burst) : per_second_(per_second), burst_(burst) {}

  // Zero when a request of `key` may go ahead (and is counted), otherwise how
  // long until one may: the Retry-After.
  Clock::duration take(std::string_view key, Clock::time_point now);

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };
  double per_second_;
  double burst_;
  std::unordered_map<std::string, Bucket> buckets_;  // one per device; the token file bounds it
};

}  // namespace fp::gateway
