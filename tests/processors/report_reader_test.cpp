#include "processors/report_reader.h"

#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "model/civil_time.h"
#include "tests/processors/report_samples.h"

namespace fp {
namespace {

using samples::ReportBuilder;

constexpr std::int64_t kHourMs = 3'600'000;

std::string chars(std::size_t n, char c = 'a') { return std::string(n, c); }
std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}
std::string quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

// A valid report padded with an ignored field to exactly `size` bytes.
std::string report_of_size(std::size_t size) {
  std::string base = ReportBuilder().with("pad", "\"\"").json();
  return ReportBuilder().with("pad", quote(chars(size - base.size()))).json();
}

class ReportReaderTest : public ::testing::Test {
 protected:
  Catalog catalog_ = samples::catalog();
  Roster roster_ = samples::roster();
  ReportReader reader_{catalog_, roster_, CoreOptions{}, [] { return samples::kNowMs; }};
  Report report_;
  Rejection why_;
};

struct Case {
  std::string name;
  std::string payload;
  std::optional<Reason> reason;  // nullopt: accepted
  std::string detail_has;        // for rejections: a part of the detail (the field it names)
};

std::vector<Case> cases() {
  const auto r = [] { return ReportBuilder(); };
  return {
      // Accepted, including near misses of every limit.
      {"valid", r().json(), std::nullopt, ""},
      {"unknown_top_level_fields_ignored",
       r().with("extra", R"({"nested":[1,2.5e3,-0.5,true,false,null,"\u00e9\n"],"e":{}})")
           .with("zz", "[]")
           .json(),
       std::nullopt, ""},
      {"no_tags_no_note", r().without("tags").without("note").json(), std::nullopt, ""},
      {"empty_tags", r().with("tags", "{}").json(), std::nullopt, ""},
      {"fields_in_any_order",
       R"({"values":{"yuan":1,"jin":2},"at":"2019-07-28T09:30:00Z","kind":"produce_sold","village":"440823105201","cadre_id":"C0001","report_id":"a","v":1})",
       std::nullopt, ""},
      {"whitespace_everywhere",
       " \n{ \"v\" : 1 ,\t\"report_id\":\"x\", \"cadre_id\":\"C0001\",\r\n "
       "\"village\":\"440823105201\",\"kind\":\"household_visit\",\"at\":\"2019-07-28T09:30:00Z\","
       "\"values\": { } } \n",
       std::nullopt, ""},
      {"report_id_64_chars", r().with("report_id", quote(chars(64))).json(), std::nullopt, ""},
      {"report_id_all_allowed_chars", r().with("report_id", R"("AZaz09_.:-")").json(), std::nullopt,
       ""},
      {"report_id_escaped", r().with("report_id", R"("\u0061b")").json(), std::nullopt, ""},
      {"three_fractional_digits", r().with("values", R"({"yuan":0.125})").json(), std::nullopt, ""},
      {"trailing_zeros_beyond_three", r().with("values", R"({"yuan":1.5000})").json(), std::nullopt,
       ""},
      {"exactly_1e12", r().with("values", R"({"yuan":1000000000000})").json(), std::nullopt, ""},
      {"exactly_1e12_with_fraction_zeros",
       r().with("values", R"({"yuan":1000000000000.000})").json(), std::nullopt, ""},
      {"exponent_exact", r().with("values", R"({"yuan":1.5e3,"jin":1E12})").json(), std::nullopt,
       ""},
      {"zero", r().with("values", R"({"yuan":0,"jin":0.0})").json(), std::nullopt, ""},
      {"note_4096_bytes", r().with("note", quote(chars(4096))).json(), std::nullopt, ""},
      {"note_4096_bytes_multibyte", r().with("note", quote(repeat("辣", 1365) + "a")).json(),
       std::nullopt, ""},
      {"note_escapes_count_decoded", r().with("note", quote(repeat("\\u00e9", 2048))).json(),
       std::nullopt, ""},
      {"tag_64_chars_multibyte",
       r().with("tags", "{\"crop\":" + quote(repeat("辣", 64)) + "}").json(), std::nullopt, ""},
      {"at_skew_boundary", r().with("at", R"("2019-07-31T12:00:00+08:00")").json(), std::nullopt,
       ""},
      {"at_programme_start", r().with("at", R"("2018-05-01T00:00:00+08:00")").json(), std::nullopt,
       ""},
      {"at_utc", r().with("at", R"("2019-07-28T16:30:00Z")").json(), std::nullopt, ""},
      {"at_negative_offset", r().with("at", R"("2019-07-28T16:30:00-05:00")").json(), std::nullopt,
       ""},
      {"at_fractional", r().with("at", R"("2019-07-28T16:30:00.123456+05:45")").json(),
       std::nullopt, ""},
      {"payload_65536_bytes", report_of_size(65536), std::nullopt, ""},

      // too_large, invalid_utf8
      {"payload_65537_bytes", report_of_size(65537), Reason::too_large, "65537 bytes"},
      {"bad_utf8_in_note", r().with("note", "\"\xff\"").json(), Reason::invalid_utf8, "UTF-8"},
      {"bad_utf8_in_ignored_key", r().with("x\xc3", "1").json(), Reason::invalid_utf8, "UTF-8"},
      {"overlong_utf8", r().with("note", "\"\xc0\x80\"").json(), Reason::invalid_utf8, "UTF-8"},
      {"surrogate_utf8", r().with("note", "\"\xed\xa0\x80\"").json(), Reason::invalid_utf8,
       "UTF-8"},
      {"truncated_utf8", r().with("note", "\"\xe8\xbe\"").json(), Reason::invalid_utf8, "UTF-8"},

      // malformed_json, including inside fields the reader ignores
      {"empty", "", Reason::malformed_json, "invalid JSON"},
      {"blank", " \n", Reason::malformed_json, "invalid JSON"},
      {"truncated", r().json().substr(0, 40), Reason::malformed_json, "invalid JSON"},
      {"trailing_comma", R"({"v":1,})", Reason::malformed_json, "invalid JSON"},
      {"missing_colon", R"({"v" 1})", Reason::malformed_json, "invalid JSON"},
      {"missing_comma", R"({"v":1 "report_id":"a"})", Reason::malformed_json, "invalid JSON"},
      {"single_quotes", R"({'v':1})", Reason::malformed_json, "invalid JSON"},
      {"unquoted_key", R"({v:1})", Reason::malformed_json, "invalid JSON"},
      {"trailing_garbage", r().json() + "x", Reason::malformed_json, "invalid JSON"},
      {"two_objects", r().json() + "{}", Reason::malformed_json, "invalid JSON"},
      {"extra_close", r().json() + "}", Reason::malformed_json, "invalid JSON"},
      {"bad_number_in_ignored_field", r().with("extra", "01").json(), Reason::malformed_json,
       "\"extra\""},
      {"bad_literal_in_ignored_field", r().with("extra", "tru").json(), Reason::malformed_json,
       "\"extra\""},
      {"bad_null_in_ignored_field", r().with("extra", "nul").json(), Reason::malformed_json,
       "\"extra\""},
      {"bad_escape_in_ignored_field", r().with("extra", R"("\q")").json(), Reason::malformed_json,
       "\"extra\""},
      {"lone_surrogate_escape", r().with("extra", R"("\ud800")").json(), Reason::malformed_json,
       "\"extra\""},
      {"broken_array_in_ignored_field", r().with("extra", "[1,2,]").json(), Reason::malformed_json,
       "\"extra\""},
      {"broken_object_in_ignored_field", r().with("extra", R"({"a" 1})").json(),
       Reason::malformed_json, "\"extra\""},
      {"deep_bad_in_ignored_field", r().with("extra", R"([{"a":[{"b":[-]}]}])").json(),
       Reason::malformed_json, "\"extra\""},
      {"bad_escape_in_key", r().with("\\x", "1").json(), Reason::malformed_json, "invalid JSON"},
      {"control_char_in_string", r().with("note", "\"a\tb\"").json(), Reason::malformed_json,
       "invalid JSON"},
      {"bad_number_in_values", r().with("values", R"({"yuan":1.})").json(), Reason::malformed_json,
       "\"values\""},
      {"plus_number", r().with("values", R"({"yuan":+1})").json(), Reason::malformed_json,
       "invalid JSON"},
      {"nan", r().with("values", R"({"yuan":NaN})").json(), Reason::malformed_json, "invalid JSON"},
      {"leading_dot", r().with("values", R"({"yuan":.5})").json(), Reason::malformed_json,
       "invalid JSON"},
      {"bad_exponent", r().with("values", R"({"yuan":1e})").json(), Reason::malformed_json,
       "invalid JSON"},
      {"too_deep", r().with("extra", repeat("[", 2000) + repeat("]", 2000)).json(),
       Reason::malformed_json, "invalid JSON"},
      {"duplicate_top_level_key", r().with("v", "1,\"v\":1").json(), Reason::malformed_json,
       "\"v\" appears twice"},
      {"duplicate_value_field", r().with("values", R"({"jin":1,"jin":2})").json(),
       Reason::malformed_json, "values.jin"},
      {"duplicate_tag", r().with("tags", R"({"a":"1","b":"2","a":"3"})").json(),
       Reason::malformed_json, "tags.a"},
      {"broken_array_root", "[1,2", Reason::malformed_json, "invalid JSON"},
      {"broken_scalar_root", "\"abc", Reason::malformed_json, "invalid JSON"},
      {"two_scalars", "1 2", Reason::malformed_json, "invalid JSON"},

      // not_an_object
      {"array_root", "[]", Reason::not_an_object, "an array"},
      {"array_of_report", "[" + r().json() + "]", Reason::not_an_object, "an array"},
      {"number_root", "42", Reason::not_an_object, "a number"},
      {"string_root", R"("report")", Reason::not_an_object, "a string"},
      {"null_root", " null ", Reason::not_an_object, "null"},
      {"bool_root", "true", Reason::not_an_object, "a boolean"},

      // unsupported_version
      {"version_2", r().with("v", "2").json(), Reason::unsupported_version, "v:"},
      {"version_0", r().with("v", "0").json(), Reason::unsupported_version, "v:"},
      {"version_negative", r().with("v", "-1").json(), Reason::unsupported_version, "v:"},
      {"version_huge", r().with("v", "100000000000000000000000").json(),
       Reason::unsupported_version, "v:"},

      // missing_field
      {"missing_v", r().without("v").json(), Reason::missing_field, "v:"},
      {"missing_report_id", r().without("report_id").json(), Reason::missing_field, "report_id:"},
      {"missing_cadre_id", r().without("cadre_id").json(), Reason::missing_field, "cadre_id:"},
      {"missing_village", r().without("village").json(), Reason::missing_field, "village:"},
      {"missing_kind", r().without("kind").json(), Reason::missing_field, "kind:"},
      {"missing_at", r().without("at").json(), Reason::missing_field, "at:"},
      {"missing_values", r().without("values").json(), Reason::missing_field, "values:"},
      {"missing_value_without_default",
       r().with("kind", R"("funds_raised")").with("values", "{}").json(), Reason::missing_field,
       "values.yuan:"},
      {"empty_object", "{}", Reason::missing_field, "v:"},

      // wrong_type
      {"version_string", r().with("v", R"("1")").json(), Reason::wrong_type, "v:"},
      {"version_fraction", r().with("v", "1.0").json(), Reason::wrong_type, "v:"},
      {"version_exponent", r().with("v", "1e0").json(), Reason::wrong_type, "v:"},
      {"version_bool", r().with("v", "true").json(), Reason::wrong_type, "v:"},
      {"version_null", r().with("v", "null").json(), Reason::wrong_type, "v:"},
      {"report_id_number", r().with("report_id", "123").json(), Reason::wrong_type, "report_id:"},
      {"cadre_id_number", r().with("cadre_id", "451").json(), Reason::wrong_type, "cadre_id:"},
      {"cadre_id_null", r().with("cadre_id", "null").json(), Reason::wrong_type, "cadre_id:"},
      {"village_number", r().with("village", "440823105201").json(), Reason::wrong_type,
       "village:"},
      {"kind_array", r().with("kind", R"(["produce_sold"])").json(), Reason::wrong_type, "kind:"},
      {"at_number", r().with("at", "1564277400").json(), Reason::wrong_type, "at:"},
      {"values_array", r().with("values", "[1,2]").json(), Reason::wrong_type, "values:"},
      {"values_string", r().with("values", R"("jin=1")").json(), Reason::wrong_type, "values:"},
      {"values_null", r().with("values", "null").json(), Reason::wrong_type, "values:"},
      {"value_string", r().with("values", R"({"jin":"130000"})").json(), Reason::wrong_type,
       "values.jin:"},
      {"value_bool", r().with("values", R"({"jin":true})").json(), Reason::wrong_type,
       "values.jin:"},
      {"value_null", r().with("values", R"({"yuan":null})").json(), Reason::wrong_type,
       "values.yuan:"},
      {"value_object", r().with("values", R"({"yuan":{"amount":1}})").json(), Reason::wrong_type,
       "values.yuan:"},
      {"value_array", r().with("values", R"({"yuan":[1]})").json(), Reason::wrong_type,
       "values.yuan:"},
      {"tags_array", r().with("tags", R"(["a"])").json(), Reason::wrong_type, "tags:"},
      {"tags_string", r().with("tags", R"("crop")").json(), Reason::wrong_type, "tags:"},
      {"tags_null", r().with("tags", "null").json(), Reason::wrong_type, "tags:"},
      {"tag_number", r().with("tags", R"({"crop":1})").json(), Reason::wrong_type, "tags.crop:"},
      {"tag_null", r().with("tags", R"({"crop":null})").json(), Reason::wrong_type, "tags.crop:"},
      {"note_number", r().with("note", "1").json(), Reason::wrong_type, "note:"},
      {"note_null", r().with("note", "null").json(), Reason::wrong_type, "note:"},

      // unknown_kind, unknown_field, unknown_village, unknown_cadre
      {"unknown_kind", r().with("kind", R"("produce_bought")").json(), Reason::unknown_kind,
       "kind:"},
      {"kind_case_differs", r().with("kind", R"("Produce_Sold")").json(), Reason::unknown_kind,
       "kind:"},
      {"kind_empty", r().with("kind", R"("")").json(), Reason::unknown_kind, "kind:"},
      {"unknown_value_field", r().with("values", R"({"kg":1})").json(), Reason::unknown_field,
       "values.kg:"},
      {"extra_value_field", r().with("values", R"({"jin":1,"yuan":2,"mu":3})").json(),
       Reason::unknown_field, "values.mu:"},
      {"field_of_another_kind", r().with("values", R"({"road_km":1})").json(),
       Reason::unknown_field, "values.road_km:"},
      {"unknown_village", r().with("village", R"("440823105299")").json(), Reason::unknown_village,
       "village:"},
      {"other_city_village", r().with("village", R"("440882105201")").json(),
       Reason::unknown_village, "village:"},
      {"unknown_cadre", r().with("cadre_id", R"("C9999")").json(), Reason::unknown_cadre,
       "cadre_id:"},
      {"cadre_case_differs", r().with("cadre_id", R"("c0451")").json(), Reason::unknown_cadre,
       "cadre_id:"},
      {"cadre_empty", r().with("cadre_id", R"("")").json(), Reason::unknown_cadre, "cadre_id:"},

      // bad_value
      {"report_id_empty", r().with("report_id", R"("")").json(), Reason::bad_value, "report_id:"},
      {"report_id_65_chars", r().with("report_id", quote(chars(65))).json(), Reason::bad_value,
       "report_id:"},
      {"report_id_space", r().with("report_id", R"("a b")").json(), Reason::bad_value,
       "report_id:"},
      {"report_id_slash", r().with("report_id", R"("a/b")").json(), Reason::bad_value,
       "report_id:"},
      {"report_id_non_ascii", r().with("report_id", R"("é")").json(), Reason::bad_value,
       "report_id:"},
      {"report_id_escaped_nul", r().with("report_id", R"("a\u0000")").json(), Reason::bad_value,
       "report_id:"},
      {"village_11_digits", r().with("village", R"("44082310520")").json(), Reason::bad_value,
       "village:"},
      {"village_13_digits", r().with("village", R"("4408231052011")").json(), Reason::bad_value,
       "village:"},
      {"village_letter", r().with("village", R"("44082310520a")").json(), Reason::bad_value,
       "village:"},
      {"village_town_code", r().with("village", R"("440823105")").json(), Reason::bad_value,
       "village:"},
      {"village_padded", r().with("village", R"(" 440823105201")").json(), Reason::bad_value,
       "village:"},
      {"value_negative", r().with("values", R"({"jin":-1})").json(), Reason::bad_value,
       "values.jin:"},
      {"value_negative_zero", r().with("values", R"({"jin":-0})").json(), Reason::bad_value,
       "values.jin:"},
      {"four_fractional_digits", r().with("values", R"({"yuan":1.2345})").json(), Reason::bad_value,
       "values.yuan: has more than 3 fractional digits"},
      {"tiny_fraction", r().with("values", R"({"yuan":0.0001})").json(), Reason::bad_value,
       "values.yuan:"},
      {"just_above_1e12", r().with("values", R"({"yuan":1000000000000.001})").json(),
       Reason::bad_value, "values.yuan:"},
      {"exponent_above_1e12", r().with("values", R"({"yuan":1e13})").json(), Reason::bad_value,
       "values.yuan:"},
      {"huge_exponent", r().with("values", R"({"yuan":1e999999999})").json(), Reason::bad_value,
       "values.yuan:"},
      {"tag_65_chars", r().with("tags", "{\"crop\":" + quote(repeat("辣", 65)) + "}").json(),
       Reason::bad_value, "tags.crop:"},
      {"note_4097_bytes", r().with("note", quote(chars(4097))).json(), Reason::bad_value, "note:"},
      {"note_4097_bytes_multibyte", r().with("note", quote(repeat("辣", 1365) + "ab")).json(),
       Reason::bad_value, "note:"},

      // bad_timestamp, future_timestamp, too_old
      {"impossible_date", r().with("at", R"("2019-02-30T00:00:00+08:00")").json(),
       Reason::bad_timestamp, "at:"},
      {"no_offset", r().with("at", R"("2019-07-28T09:30:00")").json(), Reason::bad_timestamp,
       "at:"},
      {"date_only", r().with("at", R"("2019-07-28")").json(), Reason::bad_timestamp, "at:"},
      {"hour_24", r().with("at", R"("2019-07-28T24:00:00Z")").json(), Reason::bad_timestamp, "at:"},
      {"words", r().with("at", R"("yesterday")").json(), Reason::bad_timestamp, "at:"},
      {"empty_timestamp", r().with("at", R"("")").json(), Reason::bad_timestamp, "at:"},
      {"past_skew_boundary", r().with("at", R"("2019-07-31T12:00:00.001+08:00")").json(),
       Reason::future_timestamp, "at:"},
      {"far_future", r().with("at", R"("2030-01-01T00:00:00Z")").json(), Reason::future_timestamp,
       "at:"},
      {"just_before_programme_start", r().with("at", R"("2018-04-30T23:59:59.999+08:00")").json(),
       Reason::too_old, "at:"},
      {"before_programme_start_utc", r().with("at", R"("2018-04-30T15:59:59Z")").json(),
       Reason::too_old, "at:"},
  };
}

TEST_F(ReportReaderTest, EveryCaseGetsItsOutcome) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    const bool accepted = reader_.read(c.payload, report_, why_);
    if (!c.reason) {
      EXPECT_TRUE(accepted) << to_string(why_.reason) << ": " << why_.detail;
      continue;
    }
    ASSERT_FALSE(accepted);
    EXPECT_EQ(to_string(why_.reason), to_string(*c.reason)) << why_.detail;
    EXPECT_NE(why_.detail.find(c.detail_has), std::string::npos)
        << "detail \"" << why_.detail << "\" lacks \"" << c.detail_has << "\"";
  }
}

TEST_F(ReportReaderTest, EveryReasonIsCovered) {
  std::array<bool, kReasonCount> covered{};
  for (const Case& c : cases()) {
    if (c.reason) covered[static_cast<std::size_t>(*c.reason)] = true;
  }
  for (std::size_t i = 0; i < kReasonCount; ++i) {
    EXPECT_TRUE(covered[i]) << kReasonNames[i];
  }
}

TEST_F(ReportReaderTest, FillsTheReport) {
  const std::string payload = ReportBuilder().json();
  ASSERT_TRUE(reader_.read(payload, report_, why_)) << why_.detail;
  EXPECT_EQ(report_.report_id, "zj-2019-07-28-0451-003");
  EXPECT_EQ(report_.kind, catalog_.find("produce_sold"));
  EXPECT_EQ(report_.village, roster_.find_village("440823105201"));
  EXPECT_EQ(report_.cadre, roster_.find_cadre("C0451"));
  EXPECT_EQ(report_.at_ms, *parse_rfc3339("2019-07-28T01:30:00Z"));
  EXPECT_EQ(format_day(report_.cst_day), "2019-07-28");
  EXPECT_EQ(report_.values[0], Decimal{130'000'000});  // jin
  EXPECT_EQ(report_.values[1], Decimal{91'000'500});   // yuan
  EXPECT_EQ(report_.values[2], Decimal{0});
}

TEST_F(ReportReaderTest, PutsValuesInCatalogOrderAndAppliesDefaults) {
  const std::string infra = ReportBuilder()
                                .with("kind", R"("infrastructure")")
                                .with("values", R"({"yuan":5,"road_km":2.3})")
                                .json();
  ASSERT_TRUE(reader_.read(infra, report_, why_)) << why_.detail;
  EXPECT_EQ(report_.values[0], Decimal{0});      // canal_km (default 0)
  EXPECT_EQ(report_.values[1], Decimal{2'300});  // road_km
  EXPECT_EQ(report_.values[2], Decimal{5'000});  // yuan

  const std::string visit =
      ReportBuilder().with("kind", R"("household_visit")").with("values", "{}").json();
  ASSERT_TRUE(reader_.read(visit, report_, why_)) << why_.detail;
  EXPECT_EQ(report_.values[0], Decimal{1'000});  // households (default 1)
  EXPECT_EQ(report_.values[1], Decimal{0});      // nothing left from the previous report
  EXPECT_EQ(report_.values[2], Decimal{0});
}

TEST_F(ReportReaderTest, CstDayFollowsTheOffset) {
  const auto day_of = [&](std::string_view at) {
    const std::string payload = ReportBuilder().with("at", quote(at)).json();
    EXPECT_TRUE(reader_.read(payload, report_, why_)) << why_.detail;
    return format_day(report_.cst_day);
  };
  EXPECT_EQ(day_of("2019-07-28T23:30:00+08:00"), "2019-07-28");
  EXPECT_EQ(day_of("2019-07-28T16:30:00Z"), "2019-07-29");
  EXPECT_EQ(day_of("2019-07-28T10:59:00-05:00"), "2019-07-28");
  EXPECT_EQ(day_of("2019-07-28T11:00:00-05:00"), "2019-07-29");
  EXPECT_EQ(day_of("2019-07-28T21:44:59+05:45"), "2019-07-28");
  EXPECT_EQ(day_of("2019-07-28T21:45:00+05:45"), "2019-07-29");
}

TEST_F(ReportReaderTest, UnescapesStrings) {
  const std::string payload = ReportBuilder()
                                  .with("cadre_id", R"("C\u00304\u00351")")
                                  .with("report_id", R"("a\/b")")
                                  .json();
  ASSERT_FALSE(reader_.read(payload, report_, why_));  // '/' is not allowed in a report_id
  EXPECT_EQ(why_.reason, Reason::bad_value);
  const std::string ok = ReportBuilder().with("cadre_id", R"("C\u00304\u00351")").json();
  ASSERT_TRUE(reader_.read(ok, report_, why_)) << why_.detail;
  EXPECT_EQ(report_.cadre, roster_.find_cadre("C0451"));
}

TEST_F(ReportReaderTest, ReadsOnlyThePayloadBytes) {
  // The view ends inside a larger buffer: what follows it must not be read.
  const std::string good = ReportBuilder().json();
  const std::string buffer = good + "garbage}";
  ASSERT_TRUE(reader_.read(std::string_view(buffer).substr(0, good.size()), report_, why_))
      << why_.detail;
  EXPECT_FALSE(reader_.read(std::string_view(buffer).substr(0, good.size() - 1), report_, why_));
  EXPECT_EQ(why_.reason, Reason::malformed_json);
}

// tests/data/corpus (also the fuzz seed corpus): each file's name starts with its outcome,
// "accepted" or a reason, followed by "-" or ".json".
TEST_F(ReportReaderTest, CorpusFilesGetTheOutcomeTheirNameStates) {
  const std::filesystem::path dir = std::filesystem::path(FP_TEST_DATA_DIR) / "corpus";
  std::array<bool, kReasonCount> covered{};
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    SCOPED_TRACE(name);
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string payload((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
    const std::string expected = name.substr(0, name.find_first_of("-."));
    ++files;
    if (expected == "accepted") {
      EXPECT_TRUE(reader_.read(payload, report_, why_)) << why_.detail;
      continue;
    }
    const auto reason = reason_from_string(expected);
    ASSERT_TRUE(reason.has_value()) << "file name does not start with an outcome";
    covered[static_cast<std::size_t>(*reason)] = true;
    ASSERT_FALSE(reader_.read(payload, report_, why_));
    EXPECT_EQ(to_string(why_.reason), to_string(*reason)) << why_.detail;
  }
  EXPECT_GT(files, 0);
  for (std::size_t i = 0; i < kReasonCount; ++i) EXPECT_TRUE(covered[i]) << kReasonNames[i];
}

// The shipped catalog and demo roster: the contract's example report is accepted, and a report
// with no values is accepted exactly for the kinds whose fields all have defaults.
TEST(ReportReaderShippedData, AcceptsTheContractExampleAndAppliesCatalogDefaults) {
  const Catalog catalog = Catalog::load(std::filesystem::path(FP_DATA_DIR) / "catalog.toml");
  const Roster roster = Roster::load(std::filesystem::path(FP_DATA_DIR) / "zhanjiang-roster.json");
  ReportReader reader(catalog, roster, CoreOptions{}, [] { return samples::kNowMs; });
  Report report;
  Rejection why;
  const std::string example =
      R"({"v":1,"report_id":"zj-2019-07-28-0451-003","cadre_id":"C0451",)"
      R"("village":"440823105201","kind":"produce_sold","at":"2019-07-28T09:30:00+08:00",)"
      R"("values":{"jin":130000,"yuan":91000.50},"tags":{"crop":"辣椒"},)"
      R"("note":"引进辣椒生产加工线"})";
  ASSERT_TRUE(reader.read(example, report, why)) << why.detail;
  EXPECT_EQ(report.values[1], Decimal{91'000'500});

  ASSERT_EQ(catalog.kinds().size(), 13U);
  for (const Kind& kind : catalog.kinds()) {
    SCOPED_TRACE(kind.name);
    const std::string payload =
        ReportBuilder().with("kind", quote(kind.name)).with("values", "{}").json();
    const ValueField* required = nullptr;
    for (const ValueField& f : kind.fields) {
      if (!f.default_value && required == nullptr) required = &f;
    }
    if (required == nullptr) {
      ASSERT_TRUE(reader.read(payload, report, why)) << why.detail;
      for (std::size_t i = 0; i < kind.fields.size(); ++i) {
        EXPECT_EQ(report.values[i], *kind.fields[i].default_value);
      }
    } else {
      ASSERT_FALSE(reader.read(payload, report, why));
      EXPECT_EQ(why.reason, Reason::missing_field);
      EXPECT_NE(why.detail.find("values." + required->name), std::string::npos) << why.detail;
    }
  }
}

TEST(ReportReaderOptions, HonoursTheConfiguredSkewAndProgrammeStart) {
  const Catalog catalog = samples::catalog();
  const Roster roster = samples::roster();
  CoreOptions options;
  options.future_skew_ms = kHourMs;
  options.programme_start_ms = *parse_rfc3339("2019-07-01T00:00:00+08:00");
  ReportReader reader(catalog, roster, options, [] { return samples::kNowMs; });
  Report report;
  Rejection why;
  const auto read_at = [&](std::string_view at) {
    const std::string payload = ReportBuilder().with("at", quote(at)).json();
    return reader.read(payload, report, why) ? std::optional<Reason>() : why.reason;
  };
  EXPECT_EQ(read_at("2019-07-30T13:00:00+08:00"), std::nullopt);
  EXPECT_EQ(read_at("2019-07-30T13:00:00.001+08:00"), Reason::future_timestamp);
  EXPECT_EQ(read_at("2019-07-01T00:00:00+08:00"), std::nullopt);
  EXPECT_EQ(read_at("2019-06-30T15:59:59.999Z"), Reason::too_old);
}

TEST(ReportReaderClock, AsksTheClockForEveryReport) {
  const Catalog catalog = samples::catalog();
  const Roster roster = samples::roster();
  std::int64_t now = samples::kNowMs;
  ReportReader reader(catalog, roster, CoreOptions{}, [&now] { return now; });
  Report report;
  Rejection why;
  const std::string payload = ReportBuilder().with("at", R"("2019-08-01T12:00:00+08:00")").json();
  EXPECT_FALSE(reader.read(payload, report, why));
  EXPECT_EQ(why.reason, Reason::future_timestamp);
  now += 24 * kHourMs;
  EXPECT_TRUE(reader.read(payload, report, why)) << why.detail;
}

}  // namespace
}  // namespace fp
