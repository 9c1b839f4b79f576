// The process's Prometheus registry and its text exposition (served at GET /metrics).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace prometheus {
class Registry;
}

namespace fp {

// Owns the registry every probe registers its families in. Counters and gauges
// are updated on the io_context thread; rendering may happen on any thread
// (prometheus-cpp metrics are thread-safe).
class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  [[nodiscard]] prometheus::Registry& registry() { return *registry_; }

  // The Prometheus text exposition format (version 0.0.4) of every family.
  // Runs the before-render hooks first.
  [[nodiscard]] std::string render() const;

  // Called at the start of every render(), on the rendering thread: for gauges
  // that are a function of state (readiness) and are best sampled when scraped.
  void before_render(std::function<void()> hook) { hooks_.push_back(std::move(hook)); }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::vector<std::function<void()>> hooks_;
};

// The Content-Type of render()'s output.
inline constexpr const char* kExpositionContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace fp
