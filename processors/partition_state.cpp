#include "processors/partition_state.h"

namespace fp {

void OutcomeCounts::add(const OutcomeCounts& o, int sign) {
  const auto apply = [sign](std::uint64_t& a, std::uint64_t b) { a = sign > 0 ? a + b : a - b; };
  apply(consumed, o.consumed);
  apply(accepted, o.accepted);
  apply(duplicate, o.duplicate);
  apply(rejected, o.rejected);
  for (std::size_t i = 0; i < kReasonCount; ++i) {
    apply(rejected_by_reason[i], o.rejected_by_reason[i]);
  }
  if (accepted_by_kind.size() < o.accepted_by_kind.size()) {
    accepted_by_kind.resize(o.accepted_by_kind.size(), 0);
  }
  for (std::size_t i = 0; i < o.accepted_by_kind.size(); ++i) {
    apply(accepted_by_kind[i], o.accepted_by_kind[i]);
  }
}

}  // namespace fp
