// The contract's progress row (section 6) and its key, rendered from a change.
#pragma once

#include <cstdint>
#include <string>

#include "processors/core.h"

namespace fp {

// A progress row's columns as text, for outputs that store them apart: value is
// the exact decimal, updated_at RFC 3339.
struct ProgressFields {
  std::string level, id, metric, window, value, reports, updated_at;
};

// {"level","id","name","metric","window","value","reports","updated_at"},
// keyed "level|id|metric|window". Reads names from the core's roster and catalog.
class ProgressRowRenderer {
 public:
  explicit ProgressRowRenderer(const ProcessingCore& core) : core_(core) {}

  void key(const ProgressKey& key, std::string& out) const;
  void row(const ProgressKey& key, const ProgressValue& value, std::int64_t updated_ms,
           std::string& out) const;
  void fields(const ProgressKey& key, const ProgressValue& value, std::int64_t updated_ms,
              ProgressFields& out) const;

 private:
  void append_id(const ProgressKey& key, std::string& out) const;
  void append_window(const ProgressKey& key, std::string& out) const;

  const ProcessingCore& core_;
};

}  // namespace fp
