// One way (picked at random among several) to break each rule of contract section 4.
#include "simulate/malformation.h"

#include <array>
#include <string_view>

#include "model/civil_time.h"

namespace fp::sim {
namespace {

constexpr std::size_t kMaxPayload = 64 * 1024UL;

void append_number(std::int64_t n, std::string& out) { out.append(std::to_string(n)); }

// A JSON text that is not an object, or an object that is cut or mis-punctuated.
void write_malformed_json(ReportDraft& d, Prng& prng, std::string& out) {
  write_report(d, out);
  switch (prng.below(3)) {
    case 0:  // cut before the closing brace
      out.pop_back();
      break;
    case 1:  // a missing comma between two members
      out.erase(out.find(",\"kind\""), 1);
      break;
    default:  // an unquoted key
      out.replace(out.find("\"report_id\""), 11, "report_id");
      break;
  }
}

void write_not_an_object(ReportDraft& d, Prng& prng, std::string& out) {
  std::string object;
  write_report(d, object);
  out.clear();
  switch (prng.below(3)) {
    case 0:  // a batch where one report was expected
      out.push_back('[');
      out.append(object);
      out.push_back(']');
      break;
    case 1:  // the report double-encoded as a string
      append_json_string(object, out);
      break;
    default:
      out.append("null");
      break;
  }
}

// Valid in every field, but over 64 KiB: an ignored extra member carries the bulk.
void write_too_large(ReportDraft& d, Prng& prng, std::string& out) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const std::size_t size = kMaxPayload + 512 + prng.below(4096);
  d.extra.assign(",\"attachment\":\"");
  const std::uint64_t salt = prng.next();
  for (std::size_t i = 0; d.extra.size() < size; ++i) {
    d.extra.push_back(kAlphabet[(i * 7 + salt) % kAlphabet.size()]);
  }
  d.extra.push_back('"');
  write_report(d, out);
}

// Raw bytes that are not UTF-8 inside the note; the JSON around them is well-formed.
void write_invalid_utf8(ReportDraft& d, Prng& prng, std::string& out) {
  static constexpr std::array<std::string_view, 4> kBad = {
      "\xFF\xFE",      // bytes that never occur in UTF-8
      "\xE5\x8F",      // a three-byte sequence cut short
      "\xC0\xAF",      // an overlong '/'
      "\xED\xA0\x80",  // a UTF-16 surrogate
  };
  if (d.note.empty()) d.note = "驻点日记";
  d.note.append(kBad[prng.below(kBad.size())]);
  d.note.append("。");
  write_report(d, out);
}

void write_wrong_type(ReportDraft& d, Prng& prng, std::string& out) {
  switch (prng.below(7)) {
    case 0:
      d.replaced = "report_id";
      append_number(prng.between(1, 999999), d.replacement);
      break;
    case 1:
      d.replaced = "cadre_id";
      append_number(prng.between(1, 9999), d.replacement);
      break;
    case 2:
      d.replaced = "village";
      d.replacement = d.village;  // the code as a number
      break;
    case 3:
      d.replaced = "kind";
      append_number(prng.between(0, 12), d.replacement);
      break;
    case 4:
      d.replaced = "at";  // epoch seconds instead of RFC 3339 text
      append_number(prng.between(1'530'000'000, 1'570'000'000), d.replacement);
      break;
    case 5:
      d.replaced = "values";
      d.replacement = "[1]";
      break;
    default:
      d.replaced = "note";
      if (d.note.empty()) d.note = "工作记录";
      d.replacement = "true";
      break;
  }
  write_report(d, out);
}

void write_unknown_kind(const MalformationContext& c, ReportDraft& d, Prng& prng,
                        std::string& out) {
  static constexpr std::array<std::string_view, 4> kKinds = {"household_visits", "tree_planted",
                                                             "poverty_exit", "Household_Visit"};
  d.kind = kKinds[prng.below(kKinds.size())];
  while (c.catalog.find(d.kind)) d.kind.push_back('x');
  write_report(d, out);
}

void write_unknown_field(const MalformationContext& c, ReportDraft& d, Prng& prng,
                         std::string& out) {
  static constexpr std::array<std::string_view, 3> kFields = {"pigs", "cattle", "bonus_yuan"};
  std::string field(kFields[prng.below(kFields.size())]);
  const Kind& kind = c.catalog.kind(c.kind);
  const auto in_kind = [&](std::string_view name) {
    for (const ValueField& f : kind.fields) {
      if (f.name == name) return true;
    }
    return false;
  };
  while (in_kind(field)) field.push_back('x');
  d.add_value(field, std::to_string(prng.between(1, 5)));
  write_report(d, out);
}

void write_unknown_village(const MalformationContext& c, ReportDraft& d, Prng& prng,
                           std::string& out) {
  // Same county and town digits, a village number the roster does not have.
  std::string code = d.village;
  do {
    code.replace(9, 3, std::to_string(prng.between(900, 999)));
    if (c.roster.find_village(code)) code.replace(6, 3, std::to_string(prng.between(900, 999)));
  } while (c.roster.find_region(code));
  d.village = code;
  write_report(d, out);
}

void write_unknown_cadre(const MalformationContext& c, ReportDraft& d, Prng& prng,
                         std::string& out) {
  do {
    d.cadre_id.assign("C9");
    d.cadre_id.append(std::to_string(prng.between(10000, 99999)));
  } while (c.roster.find_cadre(d.cadre_id));
  write_report(d, out);
}

void write_bad_value(ReportDraft& d, Prng& prng, std::string& out) {
  const std::size_t variant = d.value_count > 0 ? prng.below(7) : 4 + prng.below(3);
  std::string& token = d.values[d.value_count > 0 ? prng.below(d.value_count) : 0].text;
  switch (variant) {
    case 0:  // negative
      token.assign("-");
      append_number(prng.between(1, 500), token);
      break;
    case 1:  // more than 3 fractional digits
      token.clear();
      append_number(prng.between(0, 999), token);
      token.push_back('.');
      append_number(prng.between(1000, 9999) / 10 * 10 + 1 + prng.between(0, 8), token);
      break;
    case 2:  // above 1e12
      token.clear();
      append_number(prng.between(1'000'000'000'001, 9'000'000'000'000), token);
      break;
    case 3:  // an exponent that leaves 4 fractional digits
      token.clear();
      append_number(prng.between(1, 9), token);
      token.append("e-4");
      break;
    case 4:  // report_id with characters outside [A-Za-z0-9_.:-]
      d.report_id.replace(2, 1, prng.below(2) == 0 ? " " : "/");
      break;
    case 5:  // report_id over 64 characters
      while (d.report_id.size() <= 64) d.report_id.append("-resend");
      break;
    default:  // a tag over 64 characters
      d.tag_count = 0;
      d.add_tag("crop", std::string(65 + prng.below(40), 'x'));
      break;
  }
  write_report(d, out);
}

void write_bad_timestamp(ReportDraft& d, Prng& prng, std::string& out) {
  switch (prng.below(5)) {
    case 0:  // no offset
      d.at.resize(d.at.size() - 6);
      break;
    case 1:  // 30 February
      d.at.replace(5, 5, "02-30");
      break;
    case 2:  // hour 25
      d.at.replace(11, 2, "25");
      break;
    case 3:  // a date without a time
      d.at.resize(10);
      break;
    default:
      d.at.assign("昨天下午三点");
      break;
  }
  write_report(d, out);
}

}  // namespace

void write_malformed(Reason reason, const MalformationContext& c, ReportDraft& d, Prng& prng,
                     std::string& out) {
  switch (reason) {
    case Reason::malformed_json:
      return write_malformed_json(d, prng, out);
    case Reason::not_an_object:
      return write_not_an_object(d, prng, out);
    case Reason::too_large:
      return write_too_large(d, prng, out);
    case Reason::invalid_utf8:
      return write_invalid_utf8(d, prng, out);
    case Reason::unsupported_version:
      d.version = prng.below(2) == 0 ? "2" : "0";
      break;
    case Reason::missing_field: {
      static constexpr std::array<std::string_view, 5> kRequired = {"report_id", "cadre_id",
                                                                    "village", "kind", "at"};
      d.dropped = kRequired[prng.below(kRequired.size())];
      break;
    }
    case Reason::wrong_type:
      return write_wrong_type(d, prng, out);
    case Reason::unknown_kind:
      return write_unknown_kind(c, d, prng, out);
    case Reason::unknown_field:
      return write_unknown_field(c, d, prng, out);
    case Reason::unknown_village:
      return write_unknown_village(c, d, prng, out);
    case Reason::unknown_cadre:
      return write_unknown_cadre(c, d, prng, out);
    case Reason::bad_value:
      return write_bad_value(d, prng, out);
    case Reason::bad_timestamp:
      return write_bad_timestamp(d, prng, out);
    case Reason::future_timestamp: {
      // Far beyond any clock skew: a month or two ahead of the simulated clock.
      const std::int64_t at = c.now_ms + 30 * kMsPerDay + prng.between(0, 30 * kMsPerDay);
      d.at.clear();
      append_cst_timestamp(at, d.at);
      break;
    }
    case Reason::too_old: {
      // 2015-01-01 .. 2018-04-30, before the programme started.
      const std::int64_t from = cst_midnight_ms(2015, 1, 1);
      const std::int64_t to = cst_midnight_ms(2018, 4, 30) + 12 * kMsPerHour;
      d.at.clear();
      append_cst_timestamp(prng.between(from, to), d.at);
      break;
    }
  }
  write_report(d, out);
}

}  // namespace fp::sim
