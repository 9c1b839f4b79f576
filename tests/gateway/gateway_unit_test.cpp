// The gateway's parts on their own: NDJSON splitting, the per-line check against the
// pipeline's reader, receipts, token lookup and the rate limiter.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "ingest/gateway/gateway_probe.h"
#include "ingest/gateway/line_check.h"
#include "ingest/gateway/ndjson_lines.h"
#include "ingest/gateway/rate_limiter.h"
#include "ingest/gateway/receipts.h"
#include "ingest/gateway/token_store.h"
#include "model/catalog.h"
#include "model/roster.h"
#include "processors/report_reader.h"

namespace fp::gateway {
namespace {

constexpr std::int64_t kNow = 1564500000000;  // 2019-07-30

TEST(SplitNdjson, NumbersPhysicalLinesAndSkipsBlankOnes) {
  const auto lines = split_ndjson("a\r\n\n  \nb\nc", 10);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].number, 1u);
  EXPECT_EQ(lines[0].text, "a");
  EXPECT_EQ(lines[1].number, 4u);
  EXPECT_EQ(lines[1].text, "b");
  EXPECT_EQ(lines[2].number, 5u);
  EXPECT_EQ(lines[2].text, "c");
}

TEST(SplitNdjson, StopsOneLinePastTheLimit) {
  std::string body;
  for (int i = 0; i < 1000; ++i) body += "x\n";
  EXPECT_EQ(split_ndjson(body, 500).size(), 501u);
  EXPECT_TRUE(split_ndjson("\n\r\n \t\n", 500).empty());
}

class LineCheckTest : public ::testing::Test {
 protected:
  Catalog catalog = Catalog::load(FP_DATA_DIR "/catalog.toml");
  Roster roster = Roster::load(FP_DATA_DIR "/zhanjiang-roster.json");
  Clock clock = [] { return kNow; };
};

// Every corpus payload: the gateway's status and reason are the pipeline reader's.
TEST_F(LineCheckTest, AgreesWithThePipelinesReaderOnTheWholeCorpus) {
  LineChecker checker(catalog, roster, CoreOptions{}, clock);
  ReportReader reader(catalog, roster, CoreOptions{}, clock);
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(FP_TEST_DATA_DIR "/corpus")) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    std::string payload = text.str();
    if (!payload.empty() && payload.back() == '\n') payload.pop_back();
    Report report;
    Rejection why;
    const bool valid = reader.read(payload, report, why);
    const LineVerdict v = checker.check(7, payload);
    SCOPED_TRACE(entry.path().filename().string());
    EXPECT_EQ(v.line, 7u);
    if (valid) {
      EXPECT_EQ(v.status, LineStatus::queued);
      continue;
    }
    EXPECT_EQ(v.reason, why.reason);
    EXPECT_EQ(v.detail, why.detail);
    const bool not_an_object_at_all =
        why.reason == Reason::malformed_json || why.reason == Reason::not_an_object ||
        why.reason == Reason::too_large || why.reason == Reason::invalid_utf8;
    EXPECT_EQ(v.status, not_an_object_at_all ? LineStatus::refused : LineStatus::rejected);
    ++files;
  }
  EXPECT_GT(files, 20);
}

TEST_F(LineCheckTest, FindsTheIdsAndKeyOfARejectedLine) {
  LineChecker checker(catalog, roster, CoreOptions{}, clock);
  const auto v =
      checker.check(1, R"({"v":1,"report_id":"x1","cadre_id":"C9999","village":"440823105201",)"
                       R"("kind":"household_visit","at":"2019-07-28T09:30:00+08:00","values":{}})");
  EXPECT_EQ(v.status, LineStatus::rejected);
  EXPECT_EQ(v.reason, Reason::unknown_cadre);
  EXPECT_EQ(v.report_id, "x1");
  EXPECT_EQ(v.cadre_id, "C9999");
  EXPECT_EQ(v.key, std::optional<std::string>("440823105201"));
}

TEST(Receipts, RenderOneResultPerLineInOrder) {
  std::vector<LineVerdict> verdicts(2);
  verdicts[0] = {1, LineStatus::queued, "a", "C1", std::string("v"), Reason::malformed_json, ""};
  verdicts[1] = {3,
                 LineStatus::rejected,
                 "b\"",
                 "C1",
                 std::nullopt,
                 Reason::bad_value,
                 "values.jin: negative"};
  EXPECT_EQ(receipts_json(verdicts),
            R"({"results":[{"line":1,"report_id":"a","status":"queued"},)"
            R"({"line":3,"report_id":"b\"","status":"rejected","reason":"bad_value",)"
            R"("detail":"values.jin: negative"}]})");
}

TEST(TokenStore, AuthenticatesActiveTokensOnlyAndKeepsNoTokenText) {
  TokenFile file;
  const std::string a = file.add("C1", "pa", "2026-12-07T00:00:00Z");
  const std::string b = file.add("C2", "pb", "2026-12-07T00:00:00Z");
  EXPECT_NE(a, b);
  EXPECT_TRUE(file.revoke("pb"));
  EXPECT_FALSE(file.revoke("pb"));
  EXPECT_EQ(file.render().find(a), std::string::npos);
  const TokenStore store(TokenFile::parse(file.render(), "t"));
  ASSERT_NE(store.authenticate(a), nullptr);
  EXPECT_EQ(store.authenticate(a)->cadre_id, "C1");
  EXPECT_EQ(store.authenticate(b), nullptr);
  EXPECT_EQ(store.authenticate(a + "x"), nullptr);
  EXPECT_EQ(store.authenticate(""), nullptr);
  EXPECT_THROW(file.add("C1", "pa", ""), TokenFileError);
}

TEST(TokenFile, NamesTheLineOfAMalformedEntry) {
  try {
    TokenFile::parse("# c\npa\tC1\tzz\tactive\tx\n", "tokens.tsv");
    FAIL() << "accepted a malformed hash";
  } catch (const TokenFileError& e) {
    EXPECT_NE(std::string(e.what()).find("tokens.tsv:2: hash"), std::string::npos) << e.what();
  }
}

TEST(RateLimiter, AllowsABurstThenSaysHowLongToWait) {
  RateLimiter limiter(2.0, 3.0);
  const auto t0 = RateLimiter::Clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(limiter.take("d", t0), RateLimiter::Clock::duration::zero());
  const auto wait = limiter.take("d", t0);
  EXPECT_GT(wait, std::chrono::milliseconds(400));
  EXPECT_LE(wait, std::chrono::milliseconds(500));
  EXPECT_EQ(limiter.take("other", t0), RateLimiter::Clock::duration::zero());
  EXPECT_EQ(limiter.take("d", t0 + std::chrono::milliseconds(500)),
            RateLimiter::Clock::duration::zero());
}

}  // namespace
}  // namespace fp::gateway

namespace fp::gateway {
namespace {

TEST(GatewayMetricsDoc, ListsEveryDeclaredMetricWithItsLabels) {
  std::ifstream in(FP_DATA_DIR "/../docs/metrics.md");
  ASSERT_TRUE(in) << "docs/metrics.md is missing";
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const MetricDeclaration& m : gateway_metric_declarations()) {
    std::string entry = "`" + std::string(m.name);
    if (!m.labels.empty()) entry += "{" + std::string(m.labels) + "}";
    entry += "`";
    EXPECT_NE(doc.find(entry), std::string::npos) << "docs/metrics.md lacks " << entry;
  }
}

}  // namespace
}  // namespace fp::gateway
