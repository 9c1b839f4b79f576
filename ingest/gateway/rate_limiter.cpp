// Token buckets refilled continuously from the elapsed time.
#include "ingest/gateway/rate_limiter.h"

#include <algorithm>

namespace fp::gateway {

RateLimiter::Clock::duration RateLimiter::take(std::string_view key, Clock::time_point now) {
  auto [it, fresh] = buckets_.try_emplace(std::string(key), Bucket{burst_, now});
  Bucket& b = it->second;
  if (!fresh) {
    const double elapsed = std::chrono::duration<double>(now - b.updated).count();
    b.tokens = std::min(burst_, b.tokens + elapsed * per_second_);
    b.updated = now;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return Clock::duration::zero();
  }
  const double wait_s = (1.0 - b.tokens) / per_second_;
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(wait_s));
}

}  // namespace fp::gateway
