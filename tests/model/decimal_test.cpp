// Exact decimals: parsing JSON number tokens, shortest output, and exact sums.
#include "model/decimal.h"

#include <gtest/gtest.h>

#include <string>

namespace fp {
namespace {

using PE = Decimal::ParseError;

std::int64_t milli_of(std::string_view token) {
  PE error = PE::none;
  const auto d = Decimal::parse(token, &error);
  EXPECT_TRUE(d.has_value()) << token << ": " << to_string(error);
  EXPECT_EQ(error, PE::none) << token;
  return d ? d->milli : -1;
}

PE error_of(std::string_view token) {
  PE error = PE::none;
  EXPECT_FALSE(Decimal::parse(token, &error).has_value()) << token;
  return error;
}

TEST(Decimal, ParsesPlainAndExponentForms) {
  EXPECT_EQ(milli_of("0"), 0);
  EXPECT_EQ(milli_of("12"), 12000);
  EXPECT_EQ(milli_of("0.5"), 500);
  EXPECT_EQ(milli_of("1.230"), 1230);
  EXPECT_EQ(milli_of("1e3"), 1000000);
  EXPECT_EQ(milli_of("1.5e2"), 150000);
  EXPECT_EQ(milli_of("1500e-3"), 1500);
  EXPECT_EQ(milli_of("0.0010"), 1);
  EXPECT_EQ(milli_of("91000.50"), 91000500);
  EXPECT_EQ(milli_of("1E+2"), 100000);
  EXPECT_EQ(milli_of("0e5"), 0);
}

TEST(Decimal, AcceptsTheCapExactly) {
  EXPECT_EQ(milli_of("1000000000000"), Decimal::kMaxMilli);
  EXPECT_EQ(milli_of("1e12"), Decimal::kMaxMilli);
}

TEST(Decimal, RejectsTooManyFractionalDigits) {
  EXPECT_EQ(error_of("0.0001"), PE::too_many_digits);
  EXPECT_EQ(error_of("1e-4"), PE::too_many_digits);
}

TEST(Decimal, RejectsNegatives) {
  EXPECT_EQ(error_of("-1"), PE::negative);
  EXPECT_EQ(error_of("-0"), PE::negative);
}

TEST(Decimal, RejectsValuesAboveTheCap) {
  EXPECT_EQ(error_of("1e13"), PE::too_large);
  EXPECT_EQ(error_of("1000000000000.001"), PE::too_large);
  EXPECT_EQ(error_of("123456789012345678901234567890123"), PE::too_large);
}

TEST(Decimal, RejectsNonJsonNumbers) {
  for (const char* token :
       {"NaN", "1.", "+1", "01", "", ".5", "1e", "1e+", "-", "-abc", "1 ", "0x10", "Infinity"}) {
    EXPECT_EQ(error_of(token), PE::not_a_number) << "'" << token << "'";
  }
}

TEST(Decimal, WritesShortestForm) {
  EXPECT_EQ(Decimal{0}.to_string(), "0");
  EXPECT_EQ(Decimal{12000}.to_string(), "12");
  EXPECT_EQ(Decimal{500}.to_string(), "0.5");
  EXPECT_EQ(Decimal{1230}.to_string(), "1.23");
  EXPECT_EQ(Decimal{1}.to_string(), "0.001");
  EXPECT_EQ(Decimal{19200000125}.to_string(), "19200000.125");
  EXPECT_EQ(Decimal{Decimal::kMaxMilli}.to_string(), "1000000000000");
  std::string out = "x=";
  Decimal{50}.append_to(out);
  EXPECT_EQ(out, "x=0.05");
}

TEST(Decimal, RoundTripsThroughText) {
  for (std::int64_t milli :
       std::initializer_list<std::int64_t>{0, 1, 10, 999, 1000, 123456789, Decimal::kMaxMilli}) {
    EXPECT_EQ(milli_of(Decimal{milli}.to_string()), milli);
  }
}

TEST(DecimalSum, AMillionTenthsIsExactlyOneHundredThousand) {
  DecimalSum sum;
  const Decimal tenth = *Decimal::parse("0.1");
  for (int i = 0; i < 1'000'000; ++i) sum.add(tenth);
  EXPECT_EQ(sum.to_string(), "100000");
  EXPECT_EQ(sum, DecimalSum{Int128{100'000'000}});
}

TEST(DecimalSum, GoesBeyondInt64AndSubtracts) {
  DecimalSum sum;
  for (int i = 0; i < 10'000; ++i) sum.add(Decimal{Decimal::kMaxMilli});
  EXPECT_EQ(sum.to_string(), "10000000000000000");
  DecimalSum part;
  part.add(Decimal{Decimal::kMaxMilli});
  sum.subtract(part);
  EXPECT_EQ(sum.to_string(), "9999000000000000");
  DecimalSum negative;
  negative.subtract(part);
  EXPECT_EQ(negative.to_string(), "-1000000000000");
}

}  // namespace
}  // namespace fp
