// The registry and its text exposition.
#include "metrics/registry.h"

#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace fp {

MetricsRegistry::MetricsRegistry() : registry_(std::make_shared<prometheus::Registry>()) {}
MetricsRegistry::~MetricsRegistry() = default;

std::string MetricsRegistry::render() const {
  for (const auto& hook : hooks_) hook();
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace fp
