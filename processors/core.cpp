// Placeholder so the tree links while the core is built; replaced by the real one.
#include "processors/core.h"

#include <stdexcept>

namespace fp {

struct ProcessingCore::Impl {
  std::shared_ptr<const Catalog> catalog;
  std::shared_ptr<const Roster> roster;
  std::vector<std::string> metric_names;
};

void BatchResult::clear() { *this = BatchResult{}; }

ProcessingCore::ProcessingCore(std::shared_ptr<const Catalog> catalog,
                               std::shared_ptr<const Roster> roster, CoreOptions /*options*/,
                               Clock /*clock*/)
    : impl_(std::make_unique<Impl>()) {
  impl_->catalog = std::move(catalog);
  impl_->roster = std::move(roster);
}
ProcessingCore::~ProcessingCore() = default;
void ProcessingCore::process(std::span<const RawMessage> /*batch*/, BatchResult& out) {
  out.clear();
  throw std::logic_error("ProcessingCore::process: not built yet");
}
std::string ProcessingCore::snapshot_partition(std::int32_t /*partition*/) const { return {}; }
void ProcessingCore::restore_partition(std::int32_t /*partition*/, std::string_view /*snapshot*/) {}
void ProcessingCore::drop_partition(std::int32_t /*partition*/) {}
Summary ProcessingCore::summary() const { return {}; }
std::vector<ProgressRow> ProcessingCore::progress(const ProgressQuery& /*query*/) const { return {}; }
std::vector<SilentCadre> ProcessingCore::silent_cadres(std::int64_t /*as_of_ms*/, int /*days*/) const {
  return {};
}
std::vector<Completeness> ProcessingCore::completeness(Level /*level*/, std::int32_t /*day*/) const {
  return {};
}
const Catalog& ProcessingCore::catalog() const { return *impl_->catalog; }
const Roster& ProcessingCore::roster() const { return *impl_->roster; }
const std::vector<std::string>& ProcessingCore::metric_names() const { return impl_->metric_names; }

}  // namespace fp
