#include "processors/decoder.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <optional>
#include <string>

namespace fp {
namespace {

namespace od = simdjson::ondemand;

constexpr std::size_t kBufferBytes = kMaxPayloadBytes + simdjson::SIMDJSON_PADDING;

// On-Demand does not limit nesting (only debug builds check it, by assertion), and checking
// is recursive, so the decoder stops at simdjson's DOM default: containers nested deeper than
// this are malformed_json.
constexpr int kMaxDepth = 1024;

bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim_trailing_space(std::string_view token) {
  while (!token.empty() && is_json_space(token.back())) token.remove_suffix(1);
  return token;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// RFC 8259 number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
// On-Demand does not check tokens it is not asked to parse, so the decoder does.
bool is_json_number(std::string_view t) {
  std::size_t i = 0;
  const std::size_t n = t.size();
  if (i < n && t[i] == '-') ++i;
  if (i >= n || !is_digit(t[i])) return false;
  if (t[i] == '0') {
    ++i;
  } else {
    while (i < n && is_digit(t[i])) ++i;
  }
  if (i < n && t[i] == '.') {
    ++i;
    if (i >= n || !is_digit(t[i])) return false;
    while (i < n && is_digit(t[i])) ++i;
  }
  if (i < n && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < n && (t[i] == '+' || t[i] == '-')) ++i;
    if (i >= n || !is_digit(t[i])) return false;
    while (i < n && is_digit(t[i])) ++i;
  }
  return i == n;
}

enum class KnownField : std::uint8_t {
  v,
  report_id,
  cadre_id,
  village,
  kind,
  at,
  values,
  tags,
  note
};
constexpr std::array<std::string_view, 9> kKnownNames = {
    "v", "report_id", "cadre_id", "village", "kind", "at", "values", "tags", "note"};

// Dispatches on the length first: most keys are then settled by one short comparison.
std::optional<KnownField> known_field(std::string_view key) {
  auto is = [key](KnownField f) -> std::optional<KnownField> {
    if (key == kKnownNames[static_cast<std::size_t>(f)]) return f;
    return std::nullopt;
  };
  switch (key.size()) {
    case 1:
      return is(KnownField::v);
    case 2:
      return is(KnownField::at);
    case 4:
      switch (key[0]) {
        case 'k':
          return is(KnownField::kind);
        case 't':
          return is(KnownField::tags);
        case 'n':
          return is(KnownField::note);
        default:
          return std::nullopt;
      }
    case 6:
      return is(KnownField::values);
    case 7:
      return is(KnownField::village);
    case 8:
      return is(KnownField::cadre_id);
    case 9:
      return is(KnownField::report_id);
    default:
      return std::nullopt;
  }
}

// The first '"' or '\\' at or after p, read eight bytes at a time. Only for a
// place inside a string of a payload stage 1 accepted: its closing quote comes
// before the end of the payload, and the buffer's padding covers the last read.
const char* quote_or_backslash(const char* p) {
  static_assert(std::endian::native == std::endian::little);
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  for (;; p += 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    const std::uint64_t q = word ^ (kOnes * '"'), b = word ^ (kOnes * '\\');
    // A byte's high bit is set where it is zero (wrongly also above a zero
    // byte, never below one, so the lowest set bit is always right).
    const std::uint64_t hit = ((q - kOnes) & ~q & kHigh) | ((b - kOnes) & ~b & kHigh);
    if (hit != 0) return p + std::countr_zero(hit) / 8;
  }
}

// A decoding failure: the simdjson error (or none, for the decoder's own checks) and what it is.
struct Failure {
  simdjson::error_code error = simdjson::SUCCESS;
  const char* what = nullptr;  // when error == SUCCESS
};

}  // namespace

std::string_view describe(JsonKind kind) {
  switch (kind) {
    case JsonKind::absent:
      return "nothing";
    case JsonKind::null:
      return "null";
    case JsonKind::boolean:
      return "a boolean";
    case JsonKind::number:
      return "a number";
    case JsonKind::string:
      return "a string";
    case JsonKind::object:
      return "an object";
    case JsonKind::array:
      return "an array";
  }
  return "a value";
}

std::string shorten_for_detail(std::string_view text) {
  constexpr std::size_t kMax = 64;
  if (text.size() <= kMax) return std::string(text);
  std::size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U) --cut;
  return std::string(text.substr(0, cut)) + "...";
}

void DecodedReport::clear() {
  v = report_id = cadre_id = village = kind = at = values = tags = note = JsonField{};
  value_members.clear();
  tag_members.clear();
}

struct Decoder::Parser {
  od::parser json;
  std::unique_ptr<char[]> buffer{new char[kBufferBytes]};
  std::optional<simdjson::dom::parser> root_check;  // only for documents that are not objects
  std::vector<std::string_view> sorted_names;       // duplicate check of large objects
  Failure failure;

  Parser() {
    // One allocation up front: every accepted payload fits, so the hot path never allocates.
    if (json.allocate(kMaxPayloadBytes, kMaxDepth + 8) != simdjson::SUCCESS) throw std::bad_alloc();
  }

  // A string or key without escapes is its raw text: stage 1 has already
  // rejected control characters inside strings, so it needs neither checking
  // nor simdjson's copy into its string buffer. `raw` is just after the opening
  // quote; false when a backslash comes before the closing quote (the caller
  // then unescapes, and so checks, it).
  static bool plain_text(const char* raw, std::string_view& out) {
    const char* stop = quote_or_backslash(raw);
    if (*stop != '"') return false;
    out = std::string_view(raw, static_cast<std::size_t>(stop - raw));
    return true;
  }

  bool fail(simdjson::error_code e) {
    failure = {e, nullptr};
    return false;
  }
  bool fail(const char* what) {
    failure = {simdjson::SUCCESS, what};
    return false;
  }

  // Reads any value into `out`, checking every token inside it. `depth`: containers around it.
  bool read(od::value value, JsonField& out, int depth) {
    od::json_type type{};
    if (auto e = value.type().get(type)) return fail(e);
    switch (type) {
      case od::json_type::string: {
        out.kind = JsonKind::string;
        // The token first, then consume the value so the iterator moves past it.
        if (plain_text(value.raw_json_token().data() + 1, out.text)) {
          od::raw_json_string ignored;
          if (auto e = value.get_raw_json_string().get(ignored)) return fail(e);
          return true;
        }
        if (auto e = value.get_string().get(out.text)) return fail(e);
        return true;
      }
      case od::json_type::number: {
        out.kind = JsonKind::number;
        out.text = trim_trailing_space(value.raw_json_token());
        return is_json_number(out.text) || fail("invalid number");
      }
      case od::json_type::boolean: {
        out.kind = JsonKind::boolean;
        out.text = trim_trailing_space(value.raw_json_token());
        return out.text == "true" || out.text == "false" || fail("invalid literal");
      }
      case od::json_type::null: {
        out.kind = JsonKind::null;
        out.text = trim_trailing_space(value.raw_json_token());
        return out.text == "null" || fail("invalid literal");
      }
      case od::json_type::object: {
        out.kind = JsonKind::object;
        if (depth >= kMaxDepth) return fail("nested too deeply");
        od::object object;
        if (auto e = value.get_object().get(object)) return fail(e);
        return check_object(object, depth + 1);
      }
      case od::json_type::array: {
        out.kind = JsonKind::array;
        if (depth >= kMaxDepth) return fail("nested too deeply");
        od::array array;
        if (auto e = value.get_array().get(array)) return fail(e);
        return check_array(array, depth + 1);
      }
    }
    return fail("unexpected token");
  }

  bool check_object(od::object& object, int depth) {
    for (auto member : object) {
      od::field field;
      if (auto e = std::move(member).get(field)) return fail(e);
      std::string_view key;
      if (!plain_text(field.key().raw(), key)) {
        if (auto e = field.unescaped_key().get(key)) return fail(e);
      }
      JsonField ignored;
      if (!read(field.value(), ignored, depth)) return false;
    }
    return true;
  }

  bool check_array(od::array& array, int depth) {
    for (auto element : array) {
      od::value value;
      if (auto e = element.get(value)) return fail(e);
      JsonField ignored;
      if (!read(value, ignored, depth)) return false;
    }
    return true;
  }

  // Reads an object's members into `members` (for `values` and `tags`); other kinds into `out`.
  bool read_members(od::value value, JsonField& out, std::vector<JsonMember>& members) {
    od::json_type type{};
    if (auto e = value.type().get(type)) return fail(e);
    if (type != od::json_type::object) return read(value, out, 1);
    out.kind = JsonKind::object;
    od::object object;
    if (auto e = value.get_object().get(object)) return fail(e);
    for (auto member : object) {
      od::field field;
      if (auto e = std::move(member).get(field)) return fail(e);
      JsonMember& m = members.emplace_back();
      if (!plain_text(field.key().raw(), m.name)) {
        if (auto e = field.unescaped_key().get(m.name)) return fail(e);
      }
      if (!read(field.value(), m.value, 2)) return false;
    }
    return true;
  }

  // The first name that appears twice, if any.
  std::optional<std::string_view> duplicate_name(const std::vector<JsonMember>& members) {
    const std::size_t n = members.size();
    if (n <= 8) {
      for (std::size_t i = 1; i < n; ++i) {
        for (std::size_t j = 0; j < i; ++j) {
          if (members[i].name == members[j].name) return members[i].name;
        }
      }
      return std::nullopt;
    }
    sorted_names.clear();
    for (const auto& m : members) sorted_names.push_back(m.name);
    std::sort(sorted_names.begin(), sorted_names.end());
    auto it = std::adjacent_find(sorted_names.begin(), sorted_names.end());
    if (it != sorted_names.end()) return *it;
    return std::nullopt;
  }

  // Full validation for a root that is not an object: the reason depends on whether it is JSON.
  bool root_is_valid_json(const char* data, std::size_t size) {
    if (!root_check) root_check.emplace();
    return root_check->parse(data, size, false).error() == simdjson::SUCCESS;
  }

  // The steps of Decoder::decode (defined below, after the rejection helpers).
  bool open_root(std::string_view payload, od::document& doc, od::object& root, Rejection& why);
  bool read_root_member(od::field field, DecodedReport& out, std::uint32_t& seen, Rejection& why);
  bool check_rest(od::document& doc, const DecodedReport& out, Rejection& why);
};

Decoder::Decoder() : parser_(std::make_unique<Parser>()) {}
Decoder::~Decoder() = default;

namespace {

void reject(Rejection& why, Reason reason, std::string detail) {
  why.reason = reason;
  why.detail = std::move(detail);
}

JsonKind kind_of(od::json_type type) {
  switch (type) {
    case od::json_type::array:
      return JsonKind::array;
    case od::json_type::object:
      return JsonKind::object;
    case od::json_type::number:
      return JsonKind::number;
    case od::json_type::string:
      return JsonKind::string;
    case od::json_type::boolean:
      return JsonKind::boolean;
    case od::json_type::null:
      return JsonKind::null;
  }
  return JsonKind::absent;
}

std::string quoted_field(std::string_view key) {
  return "field \"" + shorten_for_detail(key) + "\"";
}

std::string malformed_detail(std::string_view where, const Failure& f) {
  std::string detail = "invalid JSON";
  if (!where.empty()) {
    detail += " in ";
    detail += where;
  }
  detail += ": ";
  detail += f.what != nullptr ? f.what : simdjson::error_message(f.error);
  return detail;
}

}  // namespace

namespace {

// Where each scalar field of a report is kept (values and tags have members).
JsonField* scalar_slot(DecodedReport& out, KnownField field) {
  switch (field) {
    case KnownField::v:
      return &out.v;
    case KnownField::report_id:
      return &out.report_id;
    case KnownField::cadre_id:
      return &out.cadre_id;
    case KnownField::village:
      return &out.village;
    case KnownField::kind:
      return &out.kind;
    case KnownField::at:
      return &out.at;
    case KnownField::note:
      return &out.note;
    case KnownField::values:
    case KnownField::tags:
      break;
  }
  return nullptr;
}

bool check_size(std::string_view payload, Rejection& why) {
  if (payload.size() > kMaxPayloadBytes) {
    reject(why, Reason::too_large,
           "payload is " + std::to_string(payload.size()) + " bytes, more than " +
               std::to_string(kMaxPayloadBytes));
    return false;
  }
  if (payload.empty()) {  // also keeps a null data() away from memcpy
    reject(why, Reason::malformed_json, "invalid JSON: the payload is empty");
    return false;
  }
  return true;
}

}  // namespace

// The payload's root object, or a rejection saying why there is none.
bool Decoder::Parser::open_root(std::string_view payload, od::document& doc, od::object& root,
                                Rejection& why) {
  char* buf = buffer.get();
  std::memcpy(buf, payload.data(), payload.size());
  std::memset(buf + payload.size(), 0, simdjson::SIMDJSON_PADDING);
  // iterate() runs simdjson's stage 1 over the whole payload, which validates
  // UTF-8 as it goes: once it succeeds the payload is valid UTF-8, so a separate
  // pass is needed only to tell invalid UTF-8 from other defects it reports.
  if (auto e = json.iterate(buf, payload.size(), kBufferBytes).get(doc)) {
    if (e == simdjson::UTF8_ERROR || !simdjson::validate_utf8(payload.data(), payload.size())) {
      reject(why, Reason::invalid_utf8, "payload is not valid UTF-8");
    } else {
      reject(why, Reason::malformed_json, malformed_detail("", {e, nullptr}));
    }
    return false;
  }
  od::json_type root_type{};
  if (auto e = doc.type().get(root_type)) {
    reject(why, Reason::malformed_json, malformed_detail("", {e, nullptr}));
    return false;
  }
  if (root_type != od::json_type::object) {
    if (!root_is_valid_json(buf, payload.size())) {
      reject(why, Reason::malformed_json, "invalid JSON: not a single well-formed JSON value");
    } else {
      reject(why, Reason::not_an_object,
             "payload is " + std::string(describe(kind_of(root_type))) + ", not an object");
    }
    return false;
  }
  if (auto e = doc.get_object().get(root)) {
    reject(why, Reason::malformed_json, malformed_detail("", {e, nullptr}));
    return false;
  }
  return true;
}

// One member of the root object into `out`; `seen` has a bit per known field read so far.
bool Decoder::Parser::read_root_member(od::field field, DecodedReport& out, std::uint32_t& seen,
                                       Rejection& why) {
  std::string_view key;
  if (plain_text(field.key().raw(), key)) {
    // no escapes: the raw text is the key
  } else if (auto e = field.unescaped_key().get(key)) {
    reject(why, Reason::malformed_json, malformed_detail("a key", {e, nullptr}));
    return false;
  }
  const auto known = known_field(key);
  bool ok = true;
  if (!known) {
    JsonField ignored;
    ok = read(field.value(), ignored, 1);
  } else {
    const auto bit = 1U << static_cast<unsigned>(*known);
    if ((seen & bit) != 0) {
      reject(why, Reason::malformed_json,
             "invalid JSON: field \"" + std::string(key) + "\" appears twice");
      return false;
    }
    seen |= bit;
    if (*known == KnownField::values) {
      ok = read_members(field.value(), out.values, out.value_members);
    } else if (*known == KnownField::tags) {
      ok = read_members(field.value(), out.tags, out.tag_members);
    } else {
      ok = read(field.value(), *scalar_slot(out, *known), 1);
    }
  }
  if (!ok) reject(why, Reason::malformed_json, malformed_detail(quoted_field(key), failure));
  return ok;
}

// After the root object: nothing else in the payload, and no name twice in values or tags.
bool Decoder::Parser::check_rest(od::document& doc, const DecodedReport& out, Rejection& why) {
  // Trailing content: On-Demand stops after the root object, so look for anything left.
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    reject(why, Reason::malformed_json, "invalid JSON: content after the report object");
    return false;
  }
  for (const auto* members : {&out.value_members, &out.tag_members}) {
    if (auto name = duplicate_name(*members)) {
      const char* parent = members == &out.value_members ? "values." : "tags.";
      reject(why, Reason::malformed_json,
             "invalid JSON: field \"" + std::string(parent) + shorten_for_detail(*name) +
                 "\" appears twice");
      return false;
    }
  }
  return true;
}

bool Decoder::decode(std::string_view payload, DecodedReport& out, Rejection& why) {
  out.clear();
  if (!check_size(payload, why)) return false;
  Parser& p = *parser_;
  od::document doc;
  od::object root;
  if (!p.open_root(payload, doc, root, why)) return false;
  std::uint32_t seen = 0;  // bit per KnownField
  for (auto member : root) {
    od::field field;
    if (auto e = std::move(member).get(field)) {
      reject(why, Reason::malformed_json, malformed_detail("", {e, nullptr}));
      return false;
    }
    if (!p.read_root_member(std::move(field), out, seen, why)) return false;
  }
  return p.check_rest(doc, out, why);
}

}  // namespace fp
