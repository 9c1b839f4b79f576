// The contract's rejection reasons (section 4): the DLQ `reason` and the metric label.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fp {

enum class Reason : std::uint8_t {
  malformed_json,
  not_an_object,
  too_large,
  invalid_utf8,
  unsupported_version,
  missing_field,
  wrong_type,
  unknown_kind,
  unknown_field,
  unknown_village,
  unknown_cadre,
  bad_value,
  bad_timestamp,
  future_timestamp,
  too_old,
};

inline constexpr std::size_t kReasonCount = 15;

inline constexpr std::array<std::string_view, kReasonCount> kReasonNames = {
    "malformed_json", "not_an_object", "too_large",     "invalid_utf8",     "unsupported_version",
    "missing_field",  "wrong_type",    "unknown_kind",  "unknown_field",    "unknown_village",
    "unknown_cadre",  "bad_value",     "bad_timestamp", "future_timestamp", "too_old",
};

constexpr std::string_view to_string(Reason r) { return kReasonNames[static_cast<std::size_t>(r)]; }

constexpr std::optional<Reason> reason_from_string(std::string_view s) {
  for (std::size_t i = 0; i < kReasonCount; ++i) {
    if (kReasonNames[i] == s) return static_cast<Reason>(i);
  }
  return std::nullopt;
}

// Why one message was rejected: the reason and a human-readable detail.
struct Rejection {
  Reason reason = Reason::malformed_json;
  std::string detail;  // human readable, names the field
};

}  // namespace fp
