// JSON text writers: base64 as RFC 4648 section 10 writes it, UTF-8 checks.
#include "model/json_text.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace fp {
namespace {

std::string base64(std::string_view bytes) {
  std::string out;
  append_base64(out, bytes);
  return out;
}

TEST(JsonText, Base64PadsAsRfc4648) {
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foob"), "Zm9vYg==");
  EXPECT_EQ(base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
}

TEST(JsonText, Base64TakesEveryByteValue) {
  EXPECT_EQ(base64("\xff"), "/w==");
  EXPECT_EQ(base64("\xff\xfe"), "//4=");
  EXPECT_EQ(base64("\xfb\xff\xbf"), "+/+/");
  EXPECT_EQ(base64(std::string_view("\0\0", 2)), "AAA=");
}

TEST(JsonText, Utf8ChecksRejectWhatIsNotUtf8) {
  EXPECT_TRUE(is_valid_utf8("湛江 ok"));
  EXPECT_FALSE(is_valid_utf8("\xff"));
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));      // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));  // a surrogate
  EXPECT_FALSE(is_valid_utf8("\xe6\xb9"));      // cut short
}

}  // namespace
}  // namespace fp
