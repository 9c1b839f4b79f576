// The catalog of report kinds and their value fields (contract section 3), loaded from a data file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "model/decimal.h"

namespace fp {

// Raised by the data-file loaders; what() names the file, line and field.
class DataFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr std::size_t kMaxValueFields = 4;

struct ValueField {
  std::string name;
  std::optional<Decimal> default_value;  // nullopt: the field is required
};

struct Kind {
  std::string name;                // e.g. "produce_sold"
  std::string label;               // e.g. "帮助销售滞销农产品" (display only)
  std::vector<ValueField> fields;  // at most kMaxValueFields, in file order
};

using KindId = std::uint16_t;

class Catalog {
 public:
  // Loads the TOML catalog (format: data/README.md). Throws DataFileError.
  static Catalog load(const std::filesystem::path& file);
  static Catalog parse(std::string_view text, std::string_view source_name);

  [[nodiscard]] const std::vector<Kind>& kinds() const { return kinds_; }
  [[nodiscard]] const Kind& kind(KindId id) const { return kinds_[id]; }
  [[nodiscard]] std::optional<KindId> find(std::string_view name) const;

  // Every metric name in catalog order: "<kind>.count" then "<kind>.<field>".
  [[nodiscard]] std::vector<std::string> metric_names() const;

 private:
  std::vector<Kind> kinds_;
};

}  // namespace fp
