#include "processors/batch_result.h"

#include <algorithm>

namespace fp {

void BatchResult::clear() {
  accepted = duplicate = rejected = 0;
  rejected_by_reason.fill(0);
  std::fill(accepted_by_kind.begin(), accepted_by_kind.end(), 0);
  dead_letters.clear();
  moved_blocks.clear();
}

}  // namespace fp
