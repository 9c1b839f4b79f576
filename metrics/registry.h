// The process's Prometheus registry and its text exposition (served at GET /metrics).
#pragma once

#include <memory>
#include <string>

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
  [[nodiscard]] std::string render() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
};

// The Content-Type of render()'s output.
inline constexpr const char* kExpositionContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace fp
