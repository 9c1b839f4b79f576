// The dead-letter record (contract section 4): where the message came from and
// its bytes, as text when they are UTF-8 and as base64 when not.
#include <gtest/gtest.h>

#include <string>

#include "sinks/dead_letter/dead_letter_sink.h"

namespace fp {
namespace {

RawMessage message_at(std::string_view payload) {
  RawMessage m;
  m.payload = payload;
  m.topic = "field-reports";
  m.partition = 2;
  m.offset = 12345;
  return m;
}

TEST(DeadLetterRecord, NamesTheMessagesTopicPartitionAndOffsetAndKeepsItsText) {
  std::string out;
  render_dead_letter(message_at(R"({"v":1,"kind":"x"})"),
                     {Reason::malformed_json, "expected \"}\""}, out);
  EXPECT_EQ(out, R"({"reason":"malformed_json","detail":"expected \"}\"",)"
                 R"("topic":"field-reports","partition":2,"offset":12345,)"
                 R"("payload":"{\"v\":1,\"kind\":\"x\"}"})");
}

TEST(DeadLetterRecord, BytesThatAreNotUtf8GoAsPaddedBase64) {
  std::string out;
  render_dead_letter(message_at("\xff\xfe{"), {Reason::invalid_utf8, "byte 0"}, out);
  EXPECT_EQ(out, R"({"reason":"invalid_utf8","detail":"byte 0","topic":"field-reports",)"
                 R"("partition":2,"offset":12345,"payload_b64":"//57"})");
  render_dead_letter(message_at("\xff"), {Reason::invalid_utf8, "byte 0"}, out);
  EXPECT_NE(out.find(R"("payload_b64":"/w=="})"), std::string::npos) << out;
}

}  // namespace
}  // namespace fp
