#include "processors/validator.h"

#include <array>
#include <chrono>
#include <string>
#include <utility>

#include "model/civil_time.h"

namespace fp {
namespace {

constexpr std::size_t kVillageDigits = 12;

constexpr std::array<bool, 256> make_report_id_chars() {
  std::array<bool, 256> ok{};
  for (int c = '0'; c <= '9'; ++c) ok[static_cast<std::size_t>(c)] = true;
  for (int c = 'a'; c <= 'z'; ++c) ok[static_cast<std::size_t>(c)] = true;
  for (int c = 'A'; c <= 'Z'; ++c) ok[static_cast<std::size_t>(c)] = true;
  for (char c : {'_', '.', ':', '-'}) ok[static_cast<unsigned char>(c)] = true;
  return ok;
}
constexpr std::array<bool, 256> kReportIdChars = make_report_id_chars();

std::size_t code_points(std::string_view utf8) {
  std::size_t n = 0;
  for (char c : utf8) n += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1 : 0;
  return n;
}

bool all_digits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool reject(Rejection& why, Reason reason, std::string detail) {
  why.reason = reason;
  why.detail = std::move(detail);
  return false;
}

std::string quoted(std::string_view text) { return "\"" + shorten_for_detail(text) + "\""; }

std::string got(const JsonField& f) { return ", got " + std::string(describe(f.kind)); }

// A required string field: missing_field or wrong_type, else true.
bool require_string(const JsonField& f, std::string_view name, Rejection& why) {
  if (f.kind == JsonKind::absent) {
    return reject(why, Reason::missing_field, std::string(name) + ": is missing");
  }
  if (f.kind != JsonKind::string) {
    return reject(why, Reason::wrong_type, std::string(name) + ": must be a string" + got(f));
  }
  return true;
}

// "24 h", "90 s", "1500 ms": the configured skew as an operator wrote it.
std::string duration_text(std::int64_t ms) {
  if (ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + " h";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  return std::to_string(ms) + " ms";
}

bool check_version(const JsonField& v, Rejection& why) {
  if (v.kind == JsonKind::absent) return reject(why, Reason::missing_field, "v: is missing");
  if (v.kind != JsonKind::number) {
    return reject(why, Reason::wrong_type, "v: must be the integer 1" + got(v));
  }
  if (v.text.find_first_of(".eE") != std::string_view::npos) {
    return reject(why, Reason::wrong_type, "v: must be an integer, got " + quoted(v.text));
  }
  if (v.text != "1") {
    return reject(why, Reason::unsupported_version,
                  "v: version " + shorten_for_detail(v.text) + " is not supported (expected 1)");
  }
  return true;
}

bool check_report_id(const JsonField& f, Rejection& why) {
  if (!require_string(f, "report_id", why)) return false;
  const std::string_view id = f.text;
  if (id.empty()) return reject(why, Reason::bad_value, "report_id: is empty");
  for (char c : id) {
    if (!kReportIdChars[static_cast<unsigned char>(c)]) {
      return reject(why, Reason::bad_value,
                    "report_id: " + quoted(id) + " has a character outside [A-Za-z0-9_.:-]");
    }
  }
  if (id.size() > kMaxReportIdChars) {
    return reject(why, Reason::bad_value,
                  "report_id: is " + std::to_string(id.size()) + " characters, more than " +
                      std::to_string(kMaxReportIdChars));
  }
  return true;
}

}  // namespace

Validator::Validator(const Catalog& catalog, const Roster& roster, CoreOptions options, Clock clock)
    : catalog_(catalog), roster_(roster), options_(options), clock_(std::move(clock)) {
  if (!clock_) {
    clock_ = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
}

bool Validator::validate(const DecodedReport& in, Report& out, Rejection& why) const {
  // The version first: another version may define every other field differently.
  if (!check_version(in.v, why)) return false;
  if (!check_report_id(in.report_id, why)) return false;
  out.report_id = in.report_id.text;

  if (!require_string(in.cadre_id, "cadre_id", why)) return false;
  // A former cadre or village (docs/operations.md) is kept for its history only.
  const auto cadre = roster_.find_cadre(in.cadre_id.text);
  if (!cadre || !roster_.is_current(*cadre)) {
    return reject(why, Reason::unknown_cadre,
                  "cadre_id: " + quoted(in.cadre_id.text) + " is not in the roster");
  }
  out.cadre = *cadre;

  if (!require_string(in.village, "village", why)) return false;
  if (in.village.text.size() != kVillageDigits || !all_digits(in.village.text)) {
    return reject(why, Reason::bad_value,
                  "village: " + quoted(in.village.text) + " is not a 12-digit village code");
  }
  const auto village = roster_.find_village(in.village.text);
  if (!village || !roster_.is_current_region(*village)) {
    return reject(why, Reason::unknown_village,
                  "village: " + quoted(in.village.text) + " is not a village in the roster");
  }
  out.village = *village;

  if (!require_string(in.kind, "kind", why)) return false;
  const auto kind = catalog_.find(in.kind.text);
  if (!kind) {
    return reject(why, Reason::unknown_kind,
                  "kind: " + quoted(in.kind.text) + " is not in the catalog");
  }
  out.kind = *kind;

  if (!require_string(in.at, "at", why)) return false;
  const auto at = parse_rfc3339(in.at.text);
  if (!at) {
    return reject(why, Reason::bad_timestamp,
                  "at: " + quoted(in.at.text) + " is not an RFC 3339 timestamp with an offset");
  }
  if (*at < options_.programme_start_ms) {
    return reject(why, Reason::too_old,
                  "at: " + quoted(in.at.text) + " is before the programme start " +
                      format_rfc3339_cst(options_.programme_start_ms));
  }
  const std::int64_t now = clock_();
  if (*at - options_.future_skew_ms > now) {
    return reject(why, Reason::future_timestamp,
                  "at: " + quoted(in.at.text) + " is more than " +
                      duration_text(options_.future_skew_ms) + " ahead of the processing clock (" +
                      format_rfc3339_cst(now) + ")");
  }
  out.at_ms = *at;
  out.cst_day = cst_day(*at);

  if (!check_values(in, catalog_.kind(*kind), out, why)) return false;
  return check_optional(in, why);
}

bool Validator::check_values(const DecodedReport& in, const Kind& kind, Report& out,
                             Rejection& why) const {
  if (in.values.kind == JsonKind::absent) {
    return reject(why, Reason::missing_field, "values: is missing");
  }
  if (in.values.kind != JsonKind::object) {
    return reject(why, Reason::wrong_type, "values: must be an object" + got(in.values));
  }
  std::array<bool, kMaxValueFields> given{};
  for (const JsonMember& m : in.value_members) {
    std::size_t index = 0;
    while (index < kind.fields.size() && kind.fields[index].name != m.name) ++index;
    if (index == kind.fields.size()) {
      std::string fields;
      for (const ValueField& f : kind.fields) {
        if (!fields.empty()) fields += ", ";
        fields += f.name;
      }
      return reject(why, Reason::unknown_field,
                    "values." + shorten_for_detail(m.name) + ": is not a field of " + kind.name +
                        " (" + fields + ")");
    }
    const std::string_view name = kind.fields[index].name;
    if (m.value.kind != JsonKind::number) {
      return reject(why, Reason::wrong_type,
                    "values." + std::string(name) + ": must be a number" + got(m.value));
    }
    Decimal::ParseError error = Decimal::ParseError::none;
    const auto value = Decimal::parse(m.value.text, &error);
    if (!value) {
      return reject(why, Reason::bad_value,
                    "values." + std::string(name) + ": " + std::string(to_string(error)) + " (" +
                        shorten_for_detail(m.value.text) + ")");
    }
    out.values[index] = *value;
    given[index] = true;
  }
  for (std::size_t i = 0; i < kind.fields.size(); ++i) {
    if (given[i]) continue;
    const ValueField& f = kind.fields[i];
    if (!f.default_value) {
      return reject(
          why, Reason::missing_field,
          "values." + f.name + ": is missing and " + kind.name + " has no default for it");
    }
    out.values[i] = *f.default_value;
  }
  for (std::size_t i = kind.fields.size(); i < kMaxValueFields; ++i) out.values[i] = Decimal{};
  return true;
}

bool Validator::check_optional(const DecodedReport& in, Rejection& why) const {
  if (in.tags.kind != JsonKind::absent) {
    if (in.tags.kind != JsonKind::object) {
      return reject(why, Reason::wrong_type, "tags: must be an object of strings" + got(in.tags));
    }
    for (const JsonMember& m : in.tag_members) {
      if (m.value.kind != JsonKind::string) {
        return reject(why, Reason::wrong_type,
                      "tags." + shorten_for_detail(m.name) + ": must be a string" + got(m.value));
      }
      const std::size_t chars = code_points(m.value.text);
      if (chars > kMaxTagChars) {
        return reject(why, Reason::bad_value,
                      "tags." + shorten_for_detail(m.name) + ": is " + std::to_string(chars) +
                          " characters, more than " + std::to_string(kMaxTagChars));
      }
    }
  }
  if (in.note.kind != JsonKind::absent) {
    if (in.note.kind != JsonKind::string) {
      return reject(why, Reason::wrong_type, "note: must be a string" + got(in.note));
    }
    if (in.note.text.size() > kMaxNoteBytes) {
      return reject(why, Reason::bad_value,
                    "note: is " + std::to_string(in.note.text.size()) + " bytes, more than " +
                        std::to_string(kMaxNoteBytes));
    }
  }
  return true;
}

}  // namespace fp
