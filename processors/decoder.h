// Turns a report payload into typed views of its top-level fields, rejecting anything that is
// not well-formed UTF-8 JSON with an object at the root (simdjson On-Demand).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/reason.h"

namespace fp {

inline constexpr std::size_t kMaxPayloadBytes = 65'536;  // contract: at most 64 KiB

enum class JsonKind : std::uint8_t { absent, null, boolean, number, string, object, array };

// "a string", "an object", ... for details such as "v: must be an integer, got a string".
std::string_view describe(JsonKind kind);

// `text` cut to at most 64 bytes at a UTF-8 boundary, with "..." when cut: payload text quoted in
// rejection details stays short.
std::string shorten_for_detail(std::string_view text);

// One JSON value as the validator needs it. `text` is the unescaped content of a string and the
// raw token of a number (e.g. "91000.50"), so numbers never pass through a double.
struct JsonField {
  JsonKind kind = JsonKind::absent;
  std::string_view text;
};

struct JsonMember {
  std::string_view name;  // unescaped
  JsonField value;
};

// The fields of a report as found in the payload; unknown top-level fields are not kept.
// Views point into the decoder's buffers and stay valid until its next decode().
struct DecodedReport {
  JsonField v, report_id, cadre_id, village, kind, at, values, tags, note;
  std::vector<JsonMember> value_members;  // members of `values` when it is an object
  std::vector<JsonMember> tag_members;    // members of `tags` when it is an object

  void clear();
};

// One reusable simdjson parser and padded input buffer; not thread-safe, one per thread.
//
// Rejections: too_large (> kMaxPayloadBytes), invalid_utf8, malformed_json (anywhere in the
// document, including inside ignored fields, and trailing content), not_an_object.
// A key that appears twice in the report object, in `values` or in `tags` is malformed_json:
// which occurrence a reader honours differs between JSON libraries, so the report is ambiguous.
class Decoder {
 public:
  Decoder();
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // false: `why` holds the reason and a detail naming where the problem is.
  bool decode(std::string_view payload, DecodedReport& out, Rejection& why);

 private:
  struct Parser;
  std::unique_ptr<Parser> parser_;
};

}  // namespace fp
