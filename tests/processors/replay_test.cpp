// `fieldpulse replay` end to end against an independent reading of the contract,
// and the FileSource it runs on.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ingest/file_source.h"
#include "model/catalog.h"
#include "model/decimal.h"
#include "model/roster.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace fp {
namespace {

__extension__ using I128 = __int128;

// ---- A deliberately separate reading of contract section 3 (no fieldpulse parsing code) ----

// A minimal JSON reader that keeps number tokens as text.
struct Json {
  enum Type { kNull, kBool, kNumber, kString, kArray, kObject } type = kNull;
  std::string text;  // number token or decoded string
  std::vector<std::pair<std::string, Json>> members;
  std::vector<Json> items;
  const Json* get(std::string_view key) const {
    for (const auto& [k, v] : members) {
      if (k == key) return &v;
    }
    return nullptr;
  }
};

class JsonReader {
 public:
  explicit JsonReader(std::string_view s) : s_(s) {}
  std::optional<Json> document() {
    Json j;
    if (!value(j, 0)) return std::nullopt;
    ws();
    if (i_ != s_.size()) return std::nullopt;
    return j;
  }

 private:
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
      ++i_;
  }
  bool lit(std::string_view w) {
    if (s_.substr(i_, w.size()) != w) return false;
    i_ += w.size();
    return true;
  }
  static void utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  bool hex4(std::uint32_t& v) {
    if (i_ + 4 > s_.size()) return false;
    v = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s_[i_++];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<std::uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<std::uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<std::uint32_t>(c - 'A' + 10);
      else
        return false;
    }
    return true;
  }
  bool string(std::string& out) {
    if (!lit("\"")) return false;
    while (i_ < s_.size()) {
      const char c = s_[i_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) return false;
      const char e = s_[i_++];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          std::uint32_t cp = 0;
          if (!hex4(cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00) {
            std::uint32_t lo = 0;
            if (!lit("\\u") || !hex4(lo) || lo < 0xDC00 || lo > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp < 0xE000) {
            return false;
          }
          utf8(out, cp);
          break;
        }
        default:
          return false;
      }
    }
    return false;
  }
  bool number(std::string& out) {
    const std::size_t b = i_;
    auto digit = [this] { return i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9'; };
    if (i_ < s_.size() && s_[i_] == '-') ++i_;
    if (!digit()) return false;
    if (s_[i_] == '0')
      ++i_;
    else
      while (digit()) ++i_;
    if (i_ < s_.size() && s_[i_] == '.') {
      ++i_;
      if (!digit()) return false;
      while (digit()) ++i_;
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      if (!digit()) return false;
      while (digit()) ++i_;
    }
    out = std::string(s_.substr(b, i_ - b));
    return true;
  }
  bool value(Json& j, int depth) {
    if (depth > 100) return false;
    ws();
    if (i_ >= s_.size()) return false;
    const char c = s_[i_];
    if (c == '{') {
      ++i_;
      j.type = Json::kObject;
      ws();
      if (lit("}")) return true;
      for (;;) {
        ws();
        std::string key;
        if (!string(key)) return false;
        ws();
        if (!lit(":")) return false;
        Json v;
        if (!value(v, depth + 1)) return false;
        j.members.emplace_back(std::move(key), std::move(v));
        ws();
        if (lit("}")) return true;
        if (!lit(",")) return false;
      }
    }
    if (c == '[') {
      ++i_;
      j.type = Json::kArray;
      ws();
      if (lit("]")) return true;
      for (;;) {
        Json v;
        if (!value(v, depth + 1)) return false;
        j.items.push_back(std::move(v));
        ws();
        if (lit("]")) return true;
        if (!lit(",")) return false;
      }
    }
    if (c == '"') {
      j.type = Json::kString;
      return string(j.text);
    }
    if (lit("true") || lit("false")) {
      j.type = Json::kBool;
      return true;
    }
    if (lit("null")) return true;
    j.type = Json::kNumber;
    return number(j.text);
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

// Exact thousandths of a non-negative JSON number token, if it has at most
// three fractional digits (after exponent) and is at most 1e12.
std::optional<std::int64_t> thousandths(const std::string& token) {
  if (token.empty() || token[0] == '-') return std::nullopt;
  std::string digits;
  long exp = 0;
  std::size_t i = 0;
  while (i < token.size() && std::isdigit(static_cast<unsigned char>(token[i])))
    digits += token[i++];
  if (i < token.size() && token[i] == '.') {
    ++i;
    while (i < token.size() && std::isdigit(static_cast<unsigned char>(token[i]))) {
      digits += token[i++];
      --exp;
    }
  }
  if (i < token.size()) exp += std::stol(token.substr(i + 1));
  exp += 3;  // to thousandths
  while (exp < 0) {
    if (digits.empty() || digits.back() != '0') {
      // strip trailing zeros only; anything else is too precise
      bool all_zero = digits.find_first_not_of('0') == std::string::npos;
      if (!all_zero) return std::nullopt;
      return 0;
    }
    digits.pop_back();
    ++exp;
  }
  const std::size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return 0;
  digits = digits.substr(first);
  if (static_cast<long>(digits.size()) + exp > 16) return std::nullopt;
  I128 v = 0;
  for (char d : digits) v = v * 10 + (d - '0');
  for (long k = 0; k < exp; ++k) v *= 10;
  if (v > static_cast<I128>(1000000000000000LL)) return std::nullopt;
  return static_cast<std::int64_t>(v);
}

// RFC 3339 with offset -> UTC ms; nullopt when malformed or impossible.
std::optional<std::int64_t> utc_ms(const std::string& s) {
  int y, mo, d, h, mi, sec;
  char t;
  if (s.size() < 20 ||
      std::sscanf(s.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d", &y, &mo, &d, &t, &h, &mi, &sec) != 7) {
    return std::nullopt;
  }
  for (std::size_t k : {4U, 7U})
    if (s[k] != '-') return std::nullopt;
  for (std::size_t k : {13U, 16U})
    if (s[k] != ':') return std::nullopt;
  for (std::size_t k : {0U, 1U, 2U, 3U, 5U, 6U, 8U, 9U, 11U, 12U, 14U, 15U, 17U, 18U}) {
    if (!std::isdigit(static_cast<unsigned char>(s[k]))) return std::nullopt;
  }
  if (t != 'T' && t != 't') return std::nullopt;
  std::size_t i = 19;
  std::int64_t ms = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int n = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      if (n < 3) ms = ms * 10 + (s[i] - '0');
      ++n;
      ++i;
    }
    if (n == 0) return std::nullopt;
    for (int k = n; k < 3; ++k) ms *= 10;
  }
  std::int64_t offset_min = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z') && i + 1 == s.size()) {
  } else if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':' &&
             std::isdigit(static_cast<unsigned char>(s[i + 1])) &&
             std::isdigit(static_cast<unsigned char>(s[i + 2])) &&
             std::isdigit(static_cast<unsigned char>(s[i + 4])) &&
             std::isdigit(static_cast<unsigned char>(s[i + 5]))) {
    const int oh = std::stoi(s.substr(i + 1, 2)), om = std::stoi(s.substr(i + 4, 2));
    if (oh > 23 || om > 59) return std::nullopt;
    offset_min = (s[i] == '+' ? 1 : -1) * (oh * 60 + om);
  } else {
    return std::nullopt;
  }
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] + (mo == 2 && leap ? 1 : 0))
    return std::nullopt;
  if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
  if (sec == 60) sec = 59;  // a leap second reads as the last second of its minute
  // Days from civil (H. Hinnant's algorithm).
  const int yy = y - (mo <= 2 ? 1 : 0);
  const int era = (yy >= 0 ? yy : yy - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(yy - era * 400);
  const unsigned doy = static_cast<unsigned>((153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1);
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const std::int64_t days = static_cast<std::int64_t>(era) * 146097 + doe - 719468;
  return ((days * 24 + h) * 60 + mi) * 60000LL + sec * 1000LL + ms - offset_min * 60000LL;
}

std::size_t code_points(const std::string& s) {
  std::size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

struct Oracle {
  std::uint64_t lines = 0, accepted = 0, duplicate = 0, rejected = 0;
  std::map<std::string, I128> totals;  // metric -> thousandths
};

Oracle read_independently(const std::string& file, const Catalog& catalog, const Roster& roster,
                          std::int64_t now_ms) {
  Oracle o;
  std::set<std::pair<std::string, std::string>> seen;
  std::ifstream in(file, std::ios::binary);
  std::string line;
  const std::int64_t start_ms = 1525104000000LL;  // 2018-05-01T00:00:00+08:00
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    ++o.lines;
    const auto valid = [&]() -> bool {
      if (line.size() > 65536) return false;
      if (!simdjson::validate_utf8(line.data(), line.size())) return false;
      const auto doc = JsonReader(line).document();
      if (!doc || doc->type != Json::kObject) return false;
      const auto str = [&](const char* k) -> const std::string* {
        const Json* j = doc->get(k);
        return j != nullptr && j->type == Json::kString ? &j->text : nullptr;
      };
      const Json* v = doc->get("v");
      if (v == nullptr || v->type != Json::kNumber || v->text != "1") return false;
      const std::string* id = str("report_id");
      if (id == nullptr || id->empty() || id->size() > 64) return false;
      for (const char c : *id) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != ':' &&
            c != '-') {
          return false;
        }
      }
      const std::string* cadre = str("cadre_id");
      const std::string* village = str("village");
      const std::string* kind_name = str("kind");
      const std::string* at = str("at");
      if (!cadre || !village || !kind_name || !at) return false;
      if (!roster.find_cadre(*cadre)) return false;
      if (village->size() != 12 || !roster.find_village(*village)) return false;
      const auto kind_id = catalog.find(*kind_name);
      if (!kind_id) return false;
      const auto when = utc_ms(*at);
      if (!when || *when < start_ms || *when > now_ms + 24LL * 3600 * 1000) return false;
      const Json* values = doc->get("values");
      if (values == nullptr || values->type != Json::kObject) return false;
      const Kind& kind = catalog.kind(*kind_id);
      std::vector<std::int64_t> got;
      for (const auto& [k, val] : values->members) {
        bool known = false;
        for (const ValueField& f : kind.fields) known = known || f.name == k;
        if (!known) return false;
      }
      for (const ValueField& f : kind.fields) {
        const Json* val = values->get(f.name);
        if (val == nullptr) {
          if (!f.default_value) return false;
          got.push_back(f.default_value->milli);
          continue;
        }
        if (val->type != Json::kNumber) return false;
        const auto milli = thousandths(val->text);
        if (!milli) return false;
        got.push_back(*milli);
      }
      if (const Json* tags = doc->get("tags")) {
        if (tags->type != Json::kObject) return false;
        for (const auto& [k, t] : tags->members) {
          if (t.type != Json::kString || code_points(t.text) > 64) return false;
        }
      }
      if (const Json* note = doc->get("note")) {
        if (note->type != Json::kString || note->text.size() > 4096) return false;
      }
      if (!seen.insert({*village, *id}).second) {
        ++o.duplicate;
        return true;
      }
      ++o.accepted;
      o.totals[kind.name + ".count"] += 1000;
      for (std::size_t f = 0; f < kind.fields.size(); ++f) {
        o.totals[kind.name + "." + kind.fields[f].name] += got[f];
      }
      return true;
    }();
    if (!valid) ++o.rejected;
  }
  return o;
}

std::string milli_text(I128 v) {
  std::string whole = std::to_string(static_cast<long long>(v / 1000));
  const int frac = static_cast<int>(v % 1000);
  if (frac == 0) return whole;
  char buf[8];
  std::snprintf(buf, sizeof buf, "%03d", frac);
  std::string f = buf;
  while (f.back() == '0') f.pop_back();
  return whole + "." + f;
}

constexpr const char* kNow = "2019-07-30T12:00:00+08:00";
constexpr std::int64_t kNowMs = 1564459200000LL;

std::string run_ok(const std::vector<std::string>& argv) {
  test::Subprocess p(argv);
  const auto status = p.wait_for_exit(std::chrono::minutes(5));
  EXPECT_EQ(status, std::optional<int>(0)) << p.stderr_text();
  return p.stdout_text();
}

TEST(Replay, SimulatedFileMatchesAnIndependentReadingOfTheContract) {
  test::TempDir dir;
  const std::string file = dir.file("reports.ndjson");
  run_ok({FP_BINARY, "simulate", "--out", file, "--count", "20000", "--bad", "0.05", "--dup",
          "0.02", "--seed", "7", "--now", kNow});
  const std::string out = run_ok({FP_BINARY, "replay", "--json", "--now", kNow, file});

  const Catalog catalog = Catalog::load(FP_DATA_DIR "/catalog.toml");
  const Roster roster = Roster::load(FP_DATA_DIR "/zhanjiang-roster.json");
  const Oracle oracle = read_independently(file, catalog, roster, kNowMs);
  ASSERT_EQ(oracle.lines, 20000U);
  ASSERT_GT(oracle.rejected, 500U);
  ASSERT_GT(oracle.duplicate, 100U);

  simdjson::dom::parser parser;
  const simdjson::padded_string text(out);
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(text).get(doc), simdjson::SUCCESS) << out;
  const auto n = [&doc](const char* a, const char* b) {
    return static_cast<std::uint64_t>(doc[a][b].get_uint64().value());
  };
  EXPECT_EQ(n("reports", "consumed"), 20000U);
  EXPECT_EQ(n("reports", "accepted") + n("reports", "duplicate") + n("reports", "rejected"),
            20000U);
  EXPECT_EQ(n("reports", "accepted"), oracle.accepted);
  EXPECT_EQ(n("reports", "duplicate"), oracle.duplicate);
  EXPECT_EQ(n("reports", "rejected"), oracle.rejected);
  std::uint64_t by_reason = 0;
  for (const auto field : doc["reports"]["rejected_by_reason"].get_object()) {
    by_reason += field.value.get_uint64().value();
  }
  EXPECT_EQ(by_reason, oracle.rejected);
  EXPECT_EQ(n("cadres", "total"), roster.cadres().size());
  EXPECT_EQ(doc["as_of"].get_string().value(), kNow);

  // Totals: compare the exact number text the document carries.
  std::map<std::string, std::string> totals;
  for (const auto field : doc["totals"].get_object()) {
    totals[std::string(field.key)] = simdjson::minify(field.value);
  }
  std::map<std::string, std::string> expected;
  for (const auto& [metric, milli] : oracle.totals) expected[metric] = milli_text(milli);
  EXPECT_EQ(totals, expected);
}

TEST(Replay, WritesDeadLettersAndExitsTwoOnBadFlags) {
  test::TempDir dir;
  const std::string file = dir.file("in.ndjson");
  std::ofstream(file) << "{\"v\":1}\n\nnot json\n";
  const std::string dlq = dir.file("dlq.jsonl");
  const std::string out = run_ok({FP_BINARY, "replay", "--dlq", dlq, "--now", kNow, file});
  EXPECT_NE(out.find("rejected"), std::string::npos);
  std::ifstream in(dlq);
  std::string first, second, third;
  std::getline(in, first);
  std::getline(in, second);
  EXPECT_FALSE(std::getline(in, third));
  EXPECT_NE(first.find("\"offset\":0"), std::string::npos) << first;
  EXPECT_NE(second.find("\"reason\":\"malformed_json\""), std::string::npos) << second;
  EXPECT_NE(second.find("\"offset\":2"), std::string::npos) << second;  // line numbers
  EXPECT_NE(second.find("\"payload\":\"not json\""), std::string::npos) << second;

  test::Subprocess bad({FP_BINARY, "replay", "--now", "yesterday", file});
  EXPECT_EQ(bad.wait_for_exit(std::chrono::minutes(1)), std::optional<int>(2));
  EXPECT_NE(bad.stderr_text().find("--now"), std::string::npos);
  test::Subprocess missing({FP_BINARY, "replay", dir.file("absent.ndjson")});
  EXPECT_EQ(missing.wait_for_exit(std::chrono::minutes(1)), std::optional<int>(1));
}

// The report of 2018-05-02 resent after 600 reports of 2019-07: a duplicate by
// default, too_old (naming the horizon) when the operator sets one.
TEST(Replay, AnOldResendIsADuplicateAndAHorizonTakesTheSameKeysAsRun) {
  test::TempDir dir;
  const std::string file = dir.file("history.ndjson");
  {
    std::ofstream out(file);
    const auto line = [&out](const std::string& id, const std::string& day) {
      out << R"({"v":1,"report_id":")" << id
          << R"(","cadre_id":"C0001","village":"440823105201","kind":"household_visit","at":")"
          << day << R"(T10:00:00+08:00","values":{}})" << '\n';
    };
    line("first", "2018-05-02");
    for (int i = 0; i < 600; ++i)
      line("july-" + std::to_string(i),
           "2019-07-" + std::string(i % 30 < 9 ? "0" : "") + std::to_string(i % 30 + 1));
    line("first", "2018-05-02");
  }
  const std::string plain = run_ok({FP_BINARY, "replay", "--json", "--now", kNow, file});
  EXPECT_NE(plain.find(R"("accepted":601,"duplicate":1,"rejected":0)"), std::string::npos) << plain;

  const std::string dlq = dir.file("dlq.jsonl");
  const std::string bounded = run_ok({FP_BINARY, "replay", "--json", "--now", kNow, "--set",
                                      "dedupe.horizon_days=400", "--dlq", dlq, file});
  EXPECT_NE(bounded.find(R"("accepted":601,"duplicate":0,"rejected":1)"), std::string::npos)
      << bounded;
  std::ifstream in(dlq);
  std::string record;
  ASSERT_TRUE(std::getline(in, record));
  EXPECT_NE(record.find(R"("reason":"too_old")"), std::string::npos) << record;
  EXPECT_NE(record.find("dedupe.horizon_days = 400"), std::string::npos) << record;
  EXPECT_NE(record.find(R"("offset":601)"), std::string::npos) << record;

  test::Subprocess bad({FP_BINARY, "replay", "--set", "dedupe.horizon_days=-3", file});
  EXPECT_EQ(bad.wait_for_exit(std::chrono::minutes(1)), std::optional<int>(2));
  EXPECT_NE(bad.stderr_text().find("dedupe.horizon_days"), std::string::npos);
}

// ---- FileSource ----

std::vector<std::pair<std::int64_t, std::string>> read_all(const std::string& path,
                                                           std::size_t chunk, std::size_t max) {
  FileSource source(path, chunk);
  std::vector<RawMessage> batch;
  std::vector<std::pair<std::int64_t, std::string>> out;
  while (source.next(batch, max)) {
    EXPECT_LE(batch.size(), max);
    for (const RawMessage& m : batch) {
      EXPECT_EQ(m.partition, 0);
      out.emplace_back(m.offset, std::string(m.payload));
    }
  }
  return out;
}

TEST(FileSource, CutsLinesAcrossChunkBoundariesAndSkipsEmptyOnes) {
  test::TempDir dir;
  const std::string path = dir.file("x.ndjson");
  std::string text;
  std::vector<std::pair<std::int64_t, std::string>> expected;
  for (int i = 0; i < 500; ++i) {
    if (i % 7 == 3) {
      text += i % 2 ? "\n" : "\r\n";  // empty lines are not messages
      continue;
    }
    const std::string line =
        "{\"n\":" + std::to_string(i) + std::string(static_cast<std::size_t>(i % 50), ' ') + "}";
    expected.emplace_back(i, line);
    text += line + (i % 5 == 0 ? "\r\n" : "\n");
  }
  text += "{\"last\":true}";  // no final newline
  expected.emplace_back(500, "{\"last\":true}");
  std::ofstream(path, std::ios::binary) << text;
  for (const std::size_t chunk :
       {std::size_t{64}, std::size_t{100}, std::size_t{4096}, std::size_t{1} << 20}) {
    for (const std::size_t max : {std::size_t{1}, std::size_t{7}, std::size_t{1000}}) {
      EXPECT_EQ(read_all(path, chunk, max), expected) << chunk << " " << max;
    }
  }
}

TEST(FileSource, ALineLongerThanTheBufferGrowsIt) {
  test::TempDir dir;
  const std::string path = dir.file("long.ndjson");
  const std::string long_line(10000, 'x');
  std::ofstream(path, std::ios::binary) << "a\n" << long_line << "\nb\n";
  const auto got = read_all(path, 64, 10);
  ASSERT_EQ(got.size(), 3U);
  EXPECT_EQ(got[1].second, long_line);
  EXPECT_EQ(got[2], std::make_pair(std::int64_t{2}, std::string("b")));
}

TEST(FileSource, AnEmptyFileHasNoMessagesAndAMissingOneThrows) {
  test::TempDir dir;
  const std::string path = dir.file("empty.ndjson");
  std::ofstream(path).close();
  EXPECT_TRUE(read_all(path, 64, 10).empty());
  EXPECT_THROW(FileSource(dir.file("nope")), std::runtime_error);
}

}  // namespace
}  // namespace fp
