#include "processors/validator.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "model/civil_time.h"
#include "processors/report_reader.h"
#include "tests/processors/report_samples.h"

// Counts heap allocations so the accept path can be shown not to allocate.
namespace {
std::atomic<long> g_allocations{0};
}  // namespace

// Every unaligned form is replaced so that allocation and release always pair up.
namespace {
void* counted_malloc(std::size_t size) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
void* counted_new(std::size_t size) {
  if (void* p = counted_malloc(size)) return p;
  throw std::bad_alloc();
}
}  // namespace

void* operator new(std::size_t size) { return counted_new(size); }
void* operator new[](std::size_t size) { return counted_new(size); }
void* operator new(std::size_t size, const std::nothrow_t& /*tag*/) noexcept {
  return counted_malloc(size);
}
void* operator new[](std::size_t size, const std::nothrow_t& /*tag*/) noexcept {
  return counted_malloc(size);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t /*size*/) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t /*size*/) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t& /*tag*/) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t& /*tag*/) noexcept { std::free(p); }

namespace fp {
namespace {

JsonField str(std::string_view s) { return {JsonKind::string, s}; }
JsonField num(std::string_view s) { return {JsonKind::number, s}; }

// A valid infrastructure report as the decoder would give it.
DecodedReport valid_input() {
  DecodedReport in;
  in.v = num("1");
  in.report_id = str("r-1");
  in.cadre_id = str("C0001");
  in.village = str("440823105202");
  in.kind = str("infrastructure");
  in.at = str("2019-07-28T09:30:00+08:00");
  in.values = {JsonKind::object, {}};
  in.value_members = {{"road_km", num("2.3")}};
  return in;
}

class ValidatorTest : public ::testing::Test {
 protected:
  std::optional<Reason> check() {
    return validator_.validate(in_, out_, why_) ? std::nullopt : std::optional(why_.reason);
  }

  Catalog catalog_ = samples::catalog();
  Roster roster_ = samples::roster();
  std::int64_t now_ = samples::kNowMs;
  Validator validator_{catalog_, roster_, CoreOptions{}, [this] { return now_; }};
  DecodedReport in_ = valid_input();
  Report out_;
  Rejection why_;
};

TEST_F(ValidatorTest, ResolvesAValidReport) {
  ASSERT_EQ(check(), std::nullopt) << why_.detail;
  EXPECT_EQ(out_.report_id, "r-1");
  EXPECT_EQ(out_.cadre, roster_.find_cadre("C0001"));
  EXPECT_EQ(out_.village, roster_.find_village("440823105202"));
  EXPECT_EQ(out_.kind, catalog_.find("infrastructure"));
  EXPECT_EQ(out_.at_ms, parse_rfc3339("2019-07-28T01:30:00Z"));
  EXPECT_EQ(format_day(out_.cst_day), "2019-07-28");
  EXPECT_EQ(out_.values[0], Decimal{0});
  EXPECT_EQ(out_.values[1], Decimal{2'300});
  EXPECT_EQ(out_.values[2], Decimal{0});
  EXPECT_EQ(out_.values[3], Decimal{0});
}

TEST_F(ValidatorTest, AcceptsWithoutAllocating) {
  ASSERT_EQ(check(), std::nullopt) << why_.detail;  // warm up
  const long before = g_allocations.load();
  for (int i = 0; i < 100; ++i) ASSERT_EQ(check(), std::nullopt);
  EXPECT_EQ(g_allocations.load() - before, 0);
}

// The same for decode + validate: the reader's buffers are reused from one payload to the next.
TEST_F(ValidatorTest, ReaderAcceptsWithoutAllocating) {
  ReportReader reader(catalog_, roster_, CoreOptions{}, [] { return samples::kNowMs; });
  const std::string payloads[] = {
      samples::ReportBuilder().json(),
      samples::ReportBuilder()
          .with("kind", R"("infrastructure")")
          .with("values", R"({"yuan":1})")
          .json(),
      samples::ReportBuilder().with("extra", R"({"a":[1,"\u00e9",{"b":null}]})").json(),
  };
  Report report;
  Rejection why;
  for (const auto& p : payloads) ASSERT_TRUE(reader.read(p, report, why)) << why.detail;
  const long before = g_allocations.load();
  for (int i = 0; i < 100; ++i) {
    for (const auto& p : payloads) ASSERT_TRUE(reader.read(p, report, why));
  }
  EXPECT_EQ(g_allocations.load() - before, 0);
}

TEST_F(ValidatorTest, ChecksTheVersionBeforeAnythingElse) {
  in_ = DecodedReport{};
  in_.v = num("2");
  EXPECT_EQ(check(), Reason::unsupported_version);
  in_.v = {JsonKind::boolean, "true"};
  EXPECT_EQ(check(), Reason::wrong_type);
  in_.v = num("1");
  EXPECT_EQ(check(), Reason::missing_field);
  EXPECT_EQ(why_.detail, "report_id: is missing");
}

TEST_F(ValidatorTest, NamesTheFirstRequiredFieldMissing) {
  for (JsonField DecodedReport::*field :
       {&DecodedReport::v, &DecodedReport::report_id, &DecodedReport::cadre_id,
        &DecodedReport::village, &DecodedReport::kind, &DecodedReport::at,
        &DecodedReport::values}) {
    in_ = valid_input();
    in_.*field = JsonField{};
    EXPECT_EQ(check(), Reason::missing_field);
    EXPECT_NE(why_.detail.find(": is missing"), std::string::npos) << why_.detail;
  }
}

TEST_F(ValidatorTest, RejectsNonStringsWhereStringsBelong) {
  for (JsonField DecodedReport::*field :
       {&DecodedReport::report_id, &DecodedReport::cadre_id, &DecodedReport::village,
        &DecodedReport::kind, &DecodedReport::at, &DecodedReport::note}) {
    for (JsonField wrong : {num("1"), JsonField{JsonKind::null, "null"},
                            JsonField{JsonKind::array, {}}, JsonField{JsonKind::object, {}}}) {
      in_ = valid_input();
      in_.*field = wrong;
      EXPECT_EQ(check(), Reason::wrong_type) << describe(wrong.kind);
      EXPECT_NE(why_.detail.find("must be a string, got " + std::string(describe(wrong.kind))),
                std::string::npos)
          << why_.detail;
    }
  }
}

TEST_F(ValidatorTest, RejectsAValueFieldOfTheWrongKind) {
  in_.value_members = {{"road_km", {JsonKind::object, {}}}};
  EXPECT_EQ(check(), Reason::wrong_type);
  EXPECT_EQ(why_.detail, "values.road_km: must be a number, got an object");
}

TEST_F(ValidatorTest, DetailsNameTheFieldAndTheDefect) {
  in_.value_members = {{"yuan", num("0.0005")}};
  EXPECT_EQ(check(), Reason::bad_value);
  EXPECT_EQ(why_.detail, "values.yuan: has more than 3 fractional digits (0.0005)");
  in_.value_members = {{"yuan", num("-5")}};
  EXPECT_EQ(check(), Reason::bad_value);
  EXPECT_EQ(why_.detail, "values.yuan: is negative (-5)");
  in_.value_members = {{"yuan", num("1000000000000.001")}};
  EXPECT_EQ(check(), Reason::bad_value);
  EXPECT_EQ(why_.detail, "values.yuan: is larger than 1e12 (1000000000000.001)");
  in_.value_members = {{"kg", num("1")}};
  EXPECT_EQ(check(), Reason::unknown_field);
  EXPECT_EQ(why_.detail, "values.kg: is not a field of infrastructure (canal_km, road_km, yuan)");
}

TEST_F(ValidatorTest, LongTextInDetailsIsShortened) {
  const std::string long_id(10'000, 'C');
  in_.cadre_id = str(long_id);
  EXPECT_EQ(check(), Reason::unknown_cadre);
  EXPECT_LT(why_.detail.size(), 120U) << why_.detail;
  EXPECT_EQ(why_.detail.rfind("cadre_id: \"CCCC", 0), 0U) << why_.detail;
}

TEST_F(ValidatorTest, ShortensAtACharacterBoundary) {
  std::string chinese;
  for (int i = 0; i < 30; ++i) chinese += "村";  // 90 bytes
  EXPECT_EQ(shorten_for_detail(chinese), chinese.substr(0, 63) + "...");
  EXPECT_EQ(shorten_for_detail(std::string(64, 'a')), std::string(64, 'a'));
  EXPECT_EQ(shorten_for_detail(std::string(65, 'a')), std::string(64, 'a') + "...");
}

TEST_F(ValidatorTest, FutureCheckUsesTheClockAndSkew) {
  in_.at = str("2019-07-31T12:00:00+08:00");  // now + 24 h
  EXPECT_EQ(check(), std::nullopt) << why_.detail;
  now_ -= 1;
  EXPECT_EQ(check(), Reason::future_timestamp);
  EXPECT_NE(why_.detail.find("ahead of"), std::string::npos) << why_.detail;
}

TEST_F(ValidatorTest, ProgrammeStartIsInclusive) {
  in_.at = str("2018-04-30T16:00:00Z");
  EXPECT_EQ(check(), std::nullopt) << why_.detail;
  in_.at = str("2018-04-30T15:59:59.999Z");
  EXPECT_EQ(check(), Reason::too_old);
}

TEST_F(ValidatorTest, TagsAreCountedInCharacters) {
  std::string tag;
  for (int i = 0; i < 64; ++i) tag += "椒";
  in_.tags = {JsonKind::object, {}};
  in_.tag_members = {{"crop", str(tag)}, {"", str("")}};
  EXPECT_EQ(check(), std::nullopt) << why_.detail;
  tag += "a";
  in_.tag_members = {{"crop", str(tag)}};
  EXPECT_EQ(check(), Reason::bad_value);
  EXPECT_EQ(why_.detail, "tags.crop: is 65 characters, more than 64");
}

TEST_F(ValidatorTest, NoteIsCountedInBytes) {
  const std::string note(kMaxNoteBytes, 'n');
  in_.note = str(note);
  EXPECT_EQ(check(), std::nullopt) << why_.detail;
  const std::string longer = note + "n";
  in_.note = str(longer);
  EXPECT_EQ(check(), Reason::bad_value);
  EXPECT_EQ(why_.detail, "note: is 4097 bytes, more than 4096");
}

TEST(ValidatorClock, DefaultsToTheSystemClock) {
  const Catalog catalog = samples::catalog();
  const Roster roster = samples::roster();
  const Validator validator(catalog, roster, CoreOptions{}, Clock{});
  DecodedReport in;
  in.v = num("1");
  in.report_id = str("r");
  in.cadre_id = str("C0001");
  in.village = str("440823105201");
  in.kind = str("household_visit");
  in.values = {JsonKind::object, {}};
  in.at = str("2019-07-28T09:30:00+08:00");
  Report out;
  Rejection why;
  EXPECT_TRUE(validator.validate(in, out, why)) << why.detail;
  in.at = str("9999-12-31T23:59:59Z");  // far ahead of any real clock
  EXPECT_FALSE(validator.validate(in, out, why));
  EXPECT_EQ(why.reason, Reason::future_timestamp);
}

}  // namespace
}  // namespace fp
