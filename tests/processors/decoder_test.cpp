#include "processors/decoder.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <vector>

#include "tests/processors/report_samples.h"

namespace fp {
namespace {

using samples::ReportBuilder;

class DecoderTest : public ::testing::Test {
 protected:
  bool decode(std::string_view payload) { return decoder_.decode(payload, out_, why_); }

  Decoder decoder_;
  DecodedReport out_;
  Rejection why_;
};

TEST_F(DecoderTest, KeepsRawNumberTokensAndUnescapedStrings) {
  ASSERT_TRUE(
      decode(R"({"v" : 1 , "report_id":"a\"b\u00e9","values":{"yuan" : 91000.50 ,"jin":1.5e3},
                       "tags":{"crop":"\u8fa3\u6912"},"note":"line\nnext"})"))
      << why_.detail;
  EXPECT_EQ(out_.v.kind, JsonKind::number);
  EXPECT_EQ(out_.v.text, "1");
  EXPECT_EQ(out_.report_id.kind, JsonKind::string);
  EXPECT_EQ(out_.report_id.text, "a\"bé");
  EXPECT_EQ(out_.values.kind, JsonKind::object);
  ASSERT_EQ(out_.value_members.size(), 2U);
  EXPECT_EQ(out_.value_members[0].name, "yuan");
  EXPECT_EQ(out_.value_members[0].value.text, "91000.50");
  EXPECT_EQ(out_.value_members[1].name, "jin");
  EXPECT_EQ(out_.value_members[1].value.text, "1.5e3");
  ASSERT_EQ(out_.tag_members.size(), 1U);
  EXPECT_EQ(out_.tag_members[0].name, "crop");
  EXPECT_EQ(out_.tag_members[0].value.text, "辣椒");
  EXPECT_EQ(out_.note.text, "line\nnext");
  EXPECT_EQ(out_.cadre_id.kind, JsonKind::absent);
}

TEST_F(DecoderTest, RecordsTheJsonKindOfEveryField) {
  ASSERT_TRUE(decode(R"({"v":null,"report_id":true,"cadre_id":false,"village":[1],"kind":{"a":1},
                       "at":-0.5e-3,"values":[{"x":1}],"tags":"t","note":{}})"))
      << why_.detail;
  EXPECT_EQ(out_.v.kind, JsonKind::null);
  EXPECT_EQ(out_.report_id.kind, JsonKind::boolean);
  EXPECT_EQ(out_.cadre_id.kind, JsonKind::boolean);
  EXPECT_EQ(out_.village.kind, JsonKind::array);
  EXPECT_EQ(out_.kind.kind, JsonKind::object);
  EXPECT_EQ(out_.at.kind, JsonKind::number);
  EXPECT_EQ(out_.at.text, "-0.5e-3");
  EXPECT_EQ(out_.values.kind, JsonKind::array);
  EXPECT_TRUE(out_.value_members.empty());
  EXPECT_EQ(out_.tags.kind, JsonKind::string);
  EXPECT_EQ(out_.note.kind, JsonKind::object);
}

TEST_F(DecoderTest, ForgetsThePreviousPayload) {
  ASSERT_TRUE(decode(ReportBuilder().json()));
  ASSERT_TRUE(decode("{}"));
  EXPECT_EQ(out_.v.kind, JsonKind::absent);
  EXPECT_EQ(out_.values.kind, JsonKind::absent);
  EXPECT_TRUE(out_.value_members.empty());
  EXPECT_TRUE(out_.tag_members.empty());
}

TEST_F(DecoderTest, EmptyPayloadIsMalformed) {
  EXPECT_FALSE(decode(std::string_view()));
  EXPECT_EQ(why_.reason, Reason::malformed_json);
  EXPECT_FALSE(decode(""));
  EXPECT_EQ(why_.reason, Reason::malformed_json);
}

TEST_F(DecoderTest, SizeLimitIsExactly64KiB) {
  const std::string base = ReportBuilder().with("pad", R"("")").json();
  const auto sized = [&](std::size_t n) {
    return ReportBuilder().with("pad", "\"" + std::string(n - base.size(), 'x') + "\"").json();
  };
  EXPECT_TRUE(decode(sized(kMaxPayloadBytes))) << why_.detail;
  EXPECT_FALSE(decode(sized(kMaxPayloadBytes + 1)));
  EXPECT_EQ(why_.reason, Reason::too_large);
  // Too large wins over everything else: the bytes are not even looked at.
  EXPECT_FALSE(decode(std::string(kMaxPayloadBytes + 1, '\xff')));
  EXPECT_EQ(why_.reason, Reason::too_large);
}

TEST_F(DecoderTest, NestingIsLimitedTo1024Levels) {
  const auto nested = [](int levels) {  // the report object is the first level
    return R"({"x":)" + std::string(static_cast<std::size_t>(levels - 1), '[') +
           std::string(static_cast<std::size_t>(levels - 1), ']') + "}";
  };
  EXPECT_TRUE(decode(nested(1024))) << why_.detail;
  EXPECT_FALSE(decode(nested(1025)));
  EXPECT_EQ(why_.reason, Reason::malformed_json);
  EXPECT_FALSE(decode(nested(30000)));
  EXPECT_EQ(why_.reason, Reason::malformed_json);
}

TEST_F(DecoderTest, DuplicateKeysAreMalformed) {
  EXPECT_FALSE(decode(R"({"at":"a","at":"a"})"));
  EXPECT_EQ(why_.reason, Reason::malformed_json);
  std::string many = R"({"values":{)";
  for (int i = 0; i < 40; ++i) many += "\"f" + std::to_string(i) + "\":1,";
  EXPECT_TRUE(decode(many + R"("f40":1}})")) << why_.detail;
  EXPECT_FALSE(decode(many + R"("f7":1}})"));
  EXPECT_EQ(why_.reason, Reason::malformed_json);
  EXPECT_NE(why_.detail.find("values.f7"), std::string::npos) << why_.detail;
  // Ignored fields may repeat, and may repeat keys inside them.
  EXPECT_TRUE(decode(R"({"x":1,"x":{"a":1,"a":2}})")) << why_.detail;
}

// simdjson's DOM parser validates the whole document eagerly: the decoder, which is lazy,
// must agree with it on what is well-formed JSON.
class DecoderAgreesWithDom : public DecoderTest {
 protected:
  void check(const std::string& payload) {
    SCOPED_TRACE(::testing::PrintToString(payload));
    const bool ok = decode(payload);
    if (!simdjson::validate_utf8(payload.data(), payload.size())) {
      ASSERT_FALSE(ok);
      EXPECT_EQ(why_.reason, Reason::invalid_utf8);
      return;
    }
    simdjson::dom::element root;
    const auto error = dom_.parse(payload).get(root);
    // The DOM parser also rejects numbers a double cannot hold; the decoder keeps those
    // (they become bad_value if they are report values).
    if (error == simdjson::NUMBER_ERROR) return;
    if (error != simdjson::SUCCESS) {
      ASSERT_FALSE(ok) << "DOM: " << simdjson::error_message(error);
      EXPECT_EQ(why_.reason, Reason::malformed_json) << why_.detail;
    } else if (!root.is_object()) {
      ASSERT_FALSE(ok);
      EXPECT_EQ(why_.reason, Reason::not_an_object) << why_.detail;
    } else if (!ok) {
      EXPECT_EQ(why_.reason, Reason::malformed_json) << why_.detail;
      EXPECT_NE(why_.detail.find("appears twice"), std::string::npos) << why_.detail;
    }
  }

  simdjson::dom::parser dom_;
};

const std::vector<std::string>& samples_to_mutate() {
  static const std::vector<std::string> samples = {
      ReportBuilder().json(),
      ReportBuilder()
          .with("extra", R"({"a":[1,-2.5e-3,true,false,null,"\u00e9\"\\\/\b\f\n\r\t"],"b":{}})")
          .json(),
      R"([{"a":[]},"x",0.1,{}])",
  };
  return samples;
}

TEST_F(DecoderAgreesWithDom, OnEveryPrefix) {
  for (const std::string& s : samples_to_mutate()) {
    for (std::size_t n = 0; n < s.size(); ++n) check(s.substr(0, n));
  }
}

TEST_F(DecoderAgreesWithDom, OnEverySingleByteDeletion) {
  for (const std::string& s : samples_to_mutate()) {
    for (std::size_t i = 0; i < s.size(); ++i) check(s.substr(0, i) + s.substr(i + 1));
  }
}

TEST_F(DecoderAgreesWithDom, OnEverySingleByteReplacement) {
  const std::string replacements = "{}[],:\"\\ tfn0-.eE\x01";
  for (const std::string& s : samples_to_mutate()) {
    for (std::size_t i = 0; i < s.size(); ++i) {
      for (char c : replacements) {
        std::string m = s;
        m[i] = c;
        check(m);
      }
    }
  }
}

TEST_F(DecoderAgreesWithDom, OnHandPickedDocuments) {
  for (const char* doc : {
           "",
           " ",
           "{",
           "}",
           "{}",
           "[]",
           "{}}",
           "{}{}",
           "{} ",
           " {} ",
           "{,}",
           "{\"a\"}",
           "{\"a\":}",
           "{\"a\":1,}",
           "{\"a\":1,,\"b\":2}",
           "{\"a\":[1,]}",
           "{\"a\":[,1]}",
           "{\"a\":[1 2]}",
           "{\"a\":{\"b\":1]}",
           "{\"a\":[1}",
           "{\"a\":\"\\u12\"}",
           "{\"a\":\"\\uD834\\uDD1E\"}",
           "{\"a\":\"\\uDD1E\"}",
           "{\"a\":\"\\uD834\"}",
           "{\"a\":\"\\uD834x\"}",
           "{\"a\":truex}",
           "{\"a\":true1}",
           "{\"a\":nulll}",
           "{\"a\":-}",
           "{\"a\":-01}",
           "{\"a\":1.5e+}",
           "{\"a\":0x10}",
           "{\"a\":Infinity}",
           "{\"a\":\"x\"y}",
           "{1:2}",
           "{null:1}",
           "{\"a\":1:2}",
           "\"\\u0000\"",
           "0",
           "-0",
           "true",
           "nul",
           "[[[]]]",
           "{\"a\":[[[{}]]]}",
       }) {
    check(doc);
  }
}

}  // namespace
}  // namespace fp
