// The set of region levels (and cadre) a progress sink publishes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "model/roster.h"

namespace fp {

class LevelSet {
 public:
  static constexpr LevelSet all() {
    return LevelSet{(1U << (static_cast<int>(Level::cadre) + 1)) - 1};
  }
  // The levels named (city, county, town, village, cadre); throws
  // std::invalid_argument naming an unknown one.
  static LevelSet parse(std::span<const std::string> names) {
    LevelSet set;
    for (const std::string& name : names) {
      const auto level = level_from_string(name);
      if (!level) throw std::invalid_argument("unknown level \"" + name + "\"");
      set.add(*level);
    }
    return set;
  }

  constexpr LevelSet() = default;
  constexpr void add(Level level) { bits_ |= bit(level); }
  [[nodiscard]] constexpr bool contains(Level level) const { return (bits_ & bit(level)) != 0; }
  [[nodiscard]] constexpr bool empty() const { return bits_ == 0; }
  friend constexpr bool operator==(LevelSet, LevelSet) = default;

 private:
  constexpr explicit LevelSet(std::uint32_t bits) : bits_(bits) {}
  static constexpr std::uint32_t bit(Level level) { return 1U << static_cast<int>(level); }
  std::uint32_t bits_ = 0;
};

// The check of each item of a `levels` configuration key: the problem, or nullopt.
inline std::optional<std::string> check_level_name(std::string_view value) {
  if (level_from_string(value)) return std::nullopt;
  return "unknown level \"" + std::string(value) +
         "\"; expected city, county, town, village or cadre";
}

}  // namespace fp
