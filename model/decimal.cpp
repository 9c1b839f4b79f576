#include "model/decimal.h"

#include <array>

namespace fp {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Appends a signed thousandths value as the shortest exact JSON number.
void append_milli(std::string& out, Int128 milli) {
  if (milli < 0) {
    out.push_back('-');
    milli = -milli;
  }
  auto whole = milli / 1000;
  auto frac = static_cast<int>(milli % 1000);
  std::array<char, 48> digits{};
  std::size_t n = 0;
  do {
    digits[n++] = static_cast<char>('0' + static_cast<int>(whole % 10));
    whole /= 10;
  } while (whole != 0);
  while (n > 0) out.push_back(digits[--n]);
  if (frac != 0) {
    out.push_back('.');
    int div = 100;
    while (frac != 0) {
      out.push_back(static_cast<char>('0' + frac / div));
      frac %= div;
      div /= 10;
    }
  }
}

}  // namespace

std::optional<Decimal> Decimal::parse(std::string_view token, ParseError* error) {
  auto fail = [error](ParseError e) -> std::optional<Decimal> {
    if (error != nullptr) *error = e;
    return std::nullopt;
  };
  if (error != nullptr) *error = ParseError::none;
  std::size_t i = 0;
  const std::size_t n = token.size();
  if (n == 0) return fail(ParseError::not_a_number);
  if (token[0] == '-') {
    // Still check syntax so "-abc" reads as not-a-number, not as negative.
    if (n < 2 || !is_digit(token[1])) return fail(ParseError::not_a_number);
    return fail(ParseError::negative);
  }
  // JSON grammar: int = 0 | [1-9][0-9]*
  if (!is_digit(token[i])) return fail(ParseError::not_a_number);
  if (token[i] == '0' && i + 1 < n && is_digit(token[i + 1])) return fail(ParseError::not_a_number);

  // Collect significant digits into an int128 mantissa with a decimal exponent.
  Int128 mantissa = 0;
  int exponent = 0;     // value = mantissa * 10^exponent
  int significant = 0;  // digits accumulated (bounded to keep int128 safe)
  bool overflow = false;
  auto push_digit = [&](char c, bool fractional) {
    if (mantissa == 0 && c == '0') {
      if (fractional) --exponent;
      return;
    }
    if (significant < 30) {
      mantissa = mantissa * 10 + (c - '0');
      ++significant;
      if (fractional) --exponent;
    } else if (!fractional) {
      overflow = true;  // integer part longer than 30 significant digits
    } else if (c != '0') {
      exponent = -1000;  // non-zero digit beyond precision: too many decimals
    }
  };
  while (i < n && is_digit(token[i])) push_digit(token[i++], false);
  if (i < n && token[i] == '.') {
    ++i;
    if (i >= n || !is_digit(token[i])) return fail(ParseError::not_a_number);
    while (i < n && is_digit(token[i])) push_digit(token[i++], true);
  }
  if (i < n && (token[i] == 'e' || token[i] == 'E')) {
    ++i;
    bool neg = false;
    if (i < n && (token[i] == '+' || token[i] == '-')) neg = token[i++] == '-';
    if (i >= n || !is_digit(token[i])) return fail(ParseError::not_a_number);
    long long e = 0;
    while (i < n && is_digit(token[i])) {
      if (e < 100000) e = e * 10 + (token[i] - '0');
      ++i;
    }
    if (e >= 100000) {
      if (mantissa != 0) return fail(neg ? ParseError::too_many_digits : ParseError::too_large);
      e = 0;  // 0e999999 is zero
    }
    exponent += static_cast<int>(neg ? -e : e);
  }
  if (i != n) return fail(ParseError::not_a_number);
  if (overflow) return fail(ParseError::too_large);
  if (mantissa == 0) return Decimal{0};

  // Strip trailing zeros of the mantissa into the exponent.
  while (mantissa % 10 == 0) {
    mantissa /= 10;
    ++exponent;
  }
  int scale = exponent + 3;  // thousandths = mantissa * 10^(exponent+3)
  if (scale < 0) return fail(ParseError::too_many_digits);
  Int128 milli = mantissa;
  for (int k = 0; k < scale; ++k) {
    milli *= 10;
    if (milli > kMaxMilli) return fail(ParseError::too_large);
  }
  if (milli > kMaxMilli) return fail(ParseError::too_large);
  return Decimal{static_cast<std::int64_t>(milli)};
}

std::string Decimal::to_string() const {
  std::string s;
  append_to(s);
  return s;
}
void Decimal::append_to(std::string& out) const { append_milli(out, milli); }

std::string DecimalSum::to_string() const {
  std::string s;
  append_to(s);
  return s;
}
void DecimalSum::append_to(std::string& out) const { append_milli(out, milli); }

std::string_view to_string(Decimal::ParseError error) {
  switch (error) {
    case Decimal::ParseError::none:
      return "ok";
    case Decimal::ParseError::not_a_number:
      return "is not a plain decimal number";
    case Decimal::ParseError::negative:
      return "is negative";
    case Decimal::ParseError::too_many_digits:
      return "has more than 3 fractional digits";
    case Decimal::ParseError::too_large:
      return "is larger than 1e12";
  }
  return "invalid";
}

}  // namespace fp
