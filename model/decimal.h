// Exact fixed-point numbers (thousandths) from the raw JSON token to the output.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fp {

// A non-negative report value: int64 thousandths. 1e12 (the contract's cap)
// is 1e15 thousandths, far inside int64.
struct Decimal {
  std::int64_t milli = 0;

  static constexpr std::int64_t kScale = 1000;
  static constexpr std::int64_t kMaxMilli = 1'000'000'000'000LL * kScale;  // 1e12

  // Why a token can't be a report value; names the first offending rule.
  enum class ParseError : std::uint8_t {
    none,
    not_a_number,     // not JSON number syntax (e.g. NaN, "1.", "+1")
    negative,         // "-..." (including -0)
    too_many_digits,  // more than 3 fractional digits after trimming zeros
    too_large,        // above 1e12
  };

  // Parses a JSON number token exactly (no double). Accepts exponents when
  // the result is exact at 3 fractional digits, e.g. "1.5e2", "1500e-3".
  static std::optional<Decimal> parse(std::string_view token, ParseError* error = nullptr);

  // Shortest JSON number: "12", "0.5", "19200000.125".
  [[nodiscard]] std::string to_string() const;
  void append_to(std::string& out) const;

  friend constexpr bool operator==(Decimal, Decimal) = default;
  friend constexpr auto operator<=>(Decimal, Decimal) = default;
};

__extension__ using Int128 = __int128;

// An aggregate sum: 128-bit thousandths, so no realistic stream can overflow it
// (the cap per value is 1e15 thousandths; int128 holds ~1.7e38).
struct DecimalSum {
  Int128 milli = 0;

  constexpr void add(Decimal d) { milli += d.milli; }
  constexpr void add(DecimalSum d) { milli += d.milli; }
  constexpr void subtract(DecimalSum d) { milli -= d.milli; }

  [[nodiscard]] std::string to_string() const;
  void append_to(std::string& out) const;

  friend constexpr bool operator==(DecimalSum, DecimalSum) = default;
};

std::string_view to_string(Decimal::ParseError error);

}  // namespace fp
