// The HTTP API over a real socket: every endpoint's document, the 400s naming their
// parameter, 404/405, keep-alive, request limits and concurrent connections.
#include "api/http_api.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api/api_router.h"
#include "metrics/pipeline_probe.h"
#include "metrics/registry.h"
#include "tests/api/http_test_client.h"
#include "tests/api/sample_core.h"
#include "tests/api/served_api.h"

namespace fp {
namespace {

namespace http = boost::beast::http;
using testing::HttpReply;
using testing::HttpTestClient;

// The server runs on its own io_context thread, as in the pipeline; the core is
// fed before that thread starts, so the handlers only ever read it.
class HttpApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    probe_.apply(sample_.feed(testing::sample_payloads()));
    options_.clock = [] { return testing::kSampleNowMs; };
    api_.emplace(
        sample_.core, metrics_, [this] { return readiness(); }, options_);
    ASSERT_NE(api_->port(), 0);
  }

  void TearDown() override { api_.reset(); }

  Readiness readiness() const {
    if (ready_) return {true, {}};
    return {false, {"data gap on field-reports[3]: offsets 100..199 expired"}};
  }

  HttpReply get(std::string_view target) { return HttpTestClient(api_->port()).get(target); }

  // The parameter a 400 names (and checks the error document's shape).
  std::string bad_parameter_of(std::string_view target) {
    const HttpReply reply = get(target);
    EXPECT_EQ(reply.status, 400u) << target << " -> " << reply.body;
    EXPECT_EQ(reply.content_type, "application/json");
    simdjson::dom::element doc = parser_.parse(reply.body);
    EXPECT_EQ(std::string_view(doc["error"]), "bad parameter");
    EXPECT_FALSE(std::string_view(doc["detail"]).empty());
    return std::string(std::string_view(doc["parameter"]));
  }

  simdjson::dom::element parse(const HttpReply& reply) { return parser_.parse(reply.body); }

  HttpApiOptions options_;
  testing::SampleCore sample_;
  MetricsRegistry metrics_;
  PipelineProbe probe_{metrics_, sample_.core};
  std::optional<testing::ServedApi> api_;
  std::atomic<bool> ready_{false};
  simdjson::dom::parser parser_;
};

// (id, metric, window) -> (value text, reports) of a /v1/progress answer.
std::map<std::string, std::pair<std::string, std::int64_t>> rows_of(simdjson::dom::element doc) {
  std::map<std::string, std::pair<std::string, std::int64_t>> out;
  for (simdjson::dom::element row : doc["rows"].get_array()) {
    const std::string key = std::string(std::string_view(row["id"])) + " " +
                            std::string(std::string_view(row["metric"])) + " " +
                            std::string(std::string_view(row["window"]));
    out[key] = {simdjson::minify(row["value"]), std::int64_t(row["reports"])};
  }
  return out;
}

TEST_F(HttpApiTest, SummaryIsTheHeadlineDocument) {
  const HttpReply reply = get("/v1/summary");
  ASSERT_EQ(reply.status, 200u);
  EXPECT_EQ(reply.content_type, "application/json");
  simdjson::dom::element doc = parse(reply);
  EXPECT_EQ(std::string_view(doc["as_of"]), "2019-07-30T12:00:00+08:00");
  EXPECT_EQ(std::uint64_t(doc["reports"]["consumed"]), 6u);
  EXPECT_EQ(std::uint64_t(doc["reports"]["accepted"]), 3u);
  EXPECT_EQ(std::uint64_t(doc["reports"]["duplicate"]), 1u);
  EXPECT_EQ(std::uint64_t(doc["reports"]["rejected"]), 2u);
  EXPECT_EQ(std::uint64_t(doc["reports"]["rejected_by_reason"]["malformed_json"]), 1u);
  EXPECT_EQ(std::uint64_t(doc["reports"]["rejected_by_reason"]["unknown_kind"]), 1u);
  EXPECT_EQ(std::uint64_t(doc["cadres"]["total"]), 4u);
  EXPECT_EQ(std::uint64_t(doc["cadres"]["reporting"]), 3u);
  // Exact numbers in the text itself, not just after a float round trip.
  EXPECT_NE(reply.body.find(R"("funds_raised.yuan":100.6)"), std::string::npos) << reply.body;
  EXPECT_NE(reply.body.find(R"("funds_raised.count":2)"), std::string::npos);
  EXPECT_NE(reply.body.find(R"("produce_sold.jin":130000)"), std::string::npos);
  EXPECT_NE(reply.body.find(R"("produce_sold.yuan":91000.5)"), std::string::npos);
  EXPECT_EQ(reply.body.find("household_visit"), std::string::npos) << "metrics without data";
}

TEST_F(HttpApiTest, ProgressRowsHaveTheContractShape) {
  const HttpReply reply = get("/v1/progress?level=county&metric=funds_raised.yuan");
  ASSERT_EQ(reply.status, 200u) << reply.body;
  simdjson::dom::element doc = parse(reply);
  simdjson::dom::array rows = doc["rows"];
  ASSERT_EQ(rows.size(), 1u) << reply.body;
  simdjson::dom::element row = rows.at(0);
  EXPECT_EQ(std::string_view(row["level"]), "county");
  EXPECT_EQ(std::string_view(row["id"]), "440823");
  EXPECT_EQ(std::string_view(row["name"]), "遂溪县");
  EXPECT_EQ(std::string_view(row["metric"]), "funds_raised.yuan");
  EXPECT_EQ(std::string_view(row["window"]), "total");
  EXPECT_EQ(simdjson::minify(row["value"]), "100.6");
  EXPECT_EQ(std::int64_t(row["reports"]), 2);
}

TEST_F(HttpApiTest, ProgressByIdInfersTheLevel) {
  const auto county = rows_of(parse(get("/v1/progress?id=440881")));
  EXPECT_EQ(county.at("440881 produce_sold.jin total"), std::make_pair(std::string("130000"), 1L));
  EXPECT_EQ(county.at("440881 produce_sold.yuan total"),
            std::make_pair(std::string("91000.5"), 1L));

  const auto cadre = rows_of(parse(get("/v1/progress?id=C0001&metric=funds_raised.yuan")));
  ASSERT_EQ(cadre.size(), 1u);
  EXPECT_EQ(cadre.at("C0001 funds_raised.yuan total"), std::make_pair(std::string("100.5"), 1L));
  const HttpReply named = get("/v1/progress?level=cadre&id=C0001&metric=funds_raised.count");
  EXPECT_NE(named.body.find(R"("name":"曾海裕")"), std::string::npos) << named.body;
}

TEST_F(HttpApiTest, ProgressWindowsAreDaysAndRanges) {
  const auto day =
      rows_of(parse(get("/v1/progress?level=village&metric=funds_raised.yuan&window=2019-07-28")));
  ASSERT_EQ(day.size(), 1u);
  EXPECT_EQ(day.at("440823105201 funds_raised.yuan 2019-07-28"),
            std::make_pair(std::string("100.5"), 1L));

  // A range answers one exact sum per series, its window the range.
  const auto range = rows_of(
      parse(get("/v1/progress?level=city&metric=funds_raised.yuan&window=2019-07-28..2019-07-29")));
  ASSERT_EQ(range.size(), 1u);
  EXPECT_EQ(range.at("4408 funds_raised.yuan 2019-07-28..2019-07-29"),
            std::make_pair(std::string("100.6"), 2L));
  const auto one_day_range = rows_of(
      parse(get("/v1/progress?level=city&metric=funds_raised.yuan&window=2019-07-29..2019-07-29")));
  EXPECT_EQ(one_day_range.at("4408 funds_raised.yuan 2019-07-29..2019-07-29"),
            std::make_pair(std::string("0.1"), 1L));

  // by=day gives the daily series instead.
  const auto daily = rows_of(parse(get(
      "/v1/progress?level=city&metric=funds_raised.yuan&window=2019-07-28..2019-07-29&by=day")));
  EXPECT_EQ(daily.size(), 2u);
  EXPECT_EQ(daily.at("4408 funds_raised.yuan 2019-07-28"),
            std::make_pair(std::string("100.5"), 1L));
  EXPECT_EQ(daily.at("4408 funds_raised.yuan 2019-07-29"), std::make_pair(std::string("0.1"), 1L));

  const auto empty = rows_of(parse(get("/v1/progress?level=city&window=2020-01-01")));
  EXPECT_TRUE(empty.empty());
}

TEST_F(HttpApiTest, SilentCadresWithLastReport) {
  // As of the test clock (2019-07-30T12:00+08:00) with days=2, only C0002
  // (2019-07-29T10:00) reported recently.
  const HttpReply reply = get("/v1/cadres/silent?days=2");
  ASSERT_EQ(reply.status, 200u) << reply.body;
  simdjson::dom::element doc = parse(reply);
  EXPECT_EQ(std::string_view(doc["as_of"]), "2019-07-30T12:00:00+08:00");
  EXPECT_EQ(std::int64_t(doc["days"]), 2);
  std::map<std::string, std::string> last;
  for (simdjson::dom::element c : doc["cadres"].get_array()) {
    last[std::string(std::string_view(c["cadre_id"]))] =
        c["last_report"].is_null() ? "null" : std::string(std::string_view(c["last_report"]));
    EXPECT_FALSE(std::string_view(c["name"]).empty());
    EXPECT_FALSE(std::string_view(c["region"]).empty());
  }
  EXPECT_EQ(last, (std::map<std::string, std::string>{{"C0001", "2019-07-28T09:30:00+08:00"},
                                                      {"C0003", "2019-07-28T08:00:00+08:00"},
                                                      {"C0100", "null"}}));

  // An explicit as_of before any report: everyone is silent.
  simdjson::dom::element early =
      parse(get("/v1/cadres/silent?days=7&as_of=2019-01-01T00:00:00%2B08:00"));
  EXPECT_EQ(early["cadres"].get_array().size(), 4u);
  // An offset written with a bare '+' (a space once decoded) is understood too.
  simdjson::dom::element bare =
      parse(get("/v1/cadres/silent?days=7&as_of=2019-01-01T00:00:00+08:00"));
  EXPECT_EQ(std::string_view(bare["as_of"]), "2019-01-01T00:00:00+08:00");
}

TEST_F(HttpApiTest, CompletenessPerRegionAndDay) {
  const HttpReply reply = get("/v1/completeness?level=county&date=2019-07-28");
  ASSERT_EQ(reply.status, 200u) << reply.body;
  simdjson::dom::element doc = parse(reply);
  EXPECT_EQ(std::string_view(doc["level"]), "county");
  EXPECT_EQ(std::string_view(doc["date"]), "2019-07-28");
  std::map<std::string, std::string> seen;
  for (simdjson::dom::element r : doc["regions"].get_array()) {
    seen[std::string(std::string_view(r["id"]))] = std::to_string(std::uint64_t(r["reported"])) +
                                                   "/" + std::to_string(std::uint64_t(r["total"])) +
                                                   " " + simdjson::minify(r["ratio"]);
  }
  // 440823: C0001 reported of C0001, C0002, C0100; 440881: C0003 of C0003.
  EXPECT_EQ(seen,
            (std::map<std::string, std::string>{{"440823", "1/3 0.333"}, {"440881", "1/1 1"}}));
}

TEST_F(HttpApiTest, MetricsHealthAndDashboard) {
  const HttpReply metrics = get("/metrics");
  EXPECT_EQ(metrics.status, 200u);
  EXPECT_EQ(metrics.content_type, kExpositionContentType);
  EXPECT_NE(metrics.body.find("\nfieldpulse_messages_consumed_total 6\n"), std::string::npos);

  const HttpReply health = get("/healthz");
  EXPECT_EQ(health.status, 200u);

  const HttpReply page = get("/");
  EXPECT_EQ(page.status, 200u);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("href=\"dashboard.css\""), std::string::npos);
  EXPECT_NE(page.body.find("src=\"dashboard.js\""), std::string::npos);
  const HttpReply style = get("/dashboard.css");
  EXPECT_EQ(style.status, 200u);
  EXPECT_EQ(style.content_type, "text/css; charset=utf-8");
  const HttpReply script = get("/dashboard.js");
  EXPECT_EQ(script.status, 200u);
  EXPECT_EQ(script.content_type, "text/javascript; charset=utf-8");
  for (const char* source :
       {"\"/v1/summary\"", "\"/v1/progress?level=county&window=total\"",
        "\"/v1/completeness?level=county\"", "\"/v1/cadres/silent?days=\"", "\"/readyz\""}) {
    EXPECT_NE(script.body.find(source), std::string::npos) << source;
  }
  for (const HttpReply* file : {&page, &style, &script}) {
    EXPECT_EQ(file->body.find("http://"), std::string::npos) << "no external assets";
    EXPECT_EQ(file->body.find("https://"), std::string::npos) << "no external assets";
  }
  EXPECT_EQ(get("/dashboard.map").status, 404u);
}

// The route table drives dispatch and parameter checking, and each of its
// endpoints is documented.
TEST_F(HttpApiTest, EveryRouteAnswersChecksItsParametersAndIsDocumented) {
  std::ifstream in(FP_DATA_DIR "/../docs/http-api.md");
  ASSERT_TRUE(in) << "docs/http-api.md is missing";
  const std::string docs((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const Route& route : api_routes()) {
    const HttpReply reply = get(route.path);
    EXPECT_TRUE(reply.status == 200u || reply.status == 503u) << route.path << " " << reply.status;
    EXPECT_EQ(bad_parameter_of(std::string(route.path) + "?no_such_parameter=1"),
              "no_such_parameter");
    EXPECT_NE(docs.find("GET " + std::string(route.path)), std::string::npos)
        << route.path << " is not in docs/http-api.md";
  }
}

TEST_F(HttpApiTest, ReadinessFollowsThePredicate) {
  const HttpReply not_ready = get("/readyz");
  EXPECT_EQ(not_ready.status, 503u);
  simdjson::dom::element doc = parse(not_ready);
  EXPECT_FALSE(bool(doc["ready"]));
  EXPECT_EQ(std::string_view(doc["reasons"].get_array().at(0)),
            "data gap on field-reports[3]: offsets 100..199 expired");
  ready_ = true;
  const HttpReply ready = get("/readyz");
  EXPECT_EQ(ready.status, 200u);
  EXPECT_TRUE(bool(parse(ready)["ready"]));
}

TEST_F(HttpApiTest, BadParametersAreNamed) {
  EXPECT_EQ(bad_parameter_of("/v1/progress?level=planet"), "level");
  EXPECT_EQ(bad_parameter_of("/v1/progress?id=999"), "id");
  EXPECT_EQ(bad_parameter_of("/v1/progress?level=village&id=440823"), "id");
  EXPECT_EQ(bad_parameter_of("/v1/progress?level=cadre&id=440823"), "id");
  EXPECT_EQ(bad_parameter_of("/v1/progress?metric=funds_raised.euro"), "metric");
  EXPECT_EQ(bad_parameter_of("/v1/progress?window=yesterday"), "window");
  EXPECT_EQ(bad_parameter_of("/v1/progress?window=2019-02-30"), "window");
  EXPECT_EQ(bad_parameter_of("/v1/progress?window=2019-07-29..2019-07-28"), "window");
  EXPECT_EQ(bad_parameter_of("/v1/progress?window=2019-07-28..2019-07-29&by=week"), "by");
  EXPECT_EQ(bad_parameter_of("/v1/progress?by=day"), "by");
  EXPECT_EQ(bad_parameter_of("/v1/progress?window=total&by=day"), "by");
  EXPECT_EQ(bad_parameter_of("/v1/progress?window=2019-07-28.."), "window");
  EXPECT_EQ(bad_parameter_of("/v1/progress?window=2000-01-01..2019-01-01"), "window");
  EXPECT_EQ(bad_parameter_of("/v1/progress?level=city&level=county"), "level");
  EXPECT_EQ(bad_parameter_of("/v1/progress?colour=red"), "colour");
  EXPECT_EQ(bad_parameter_of("/v1/progress?metric=%zz"), "metric");
  EXPECT_EQ(bad_parameter_of("/v1/cadres/silent?days=0"), "days");
  EXPECT_EQ(bad_parameter_of("/v1/cadres/silent?days=seven"), "days");
  EXPECT_EQ(bad_parameter_of("/v1/cadres/silent?days=99999999999999999999"), "days");
  EXPECT_EQ(bad_parameter_of("/v1/cadres/silent?as_of=2019-07-30"), "as_of");
  EXPECT_EQ(bad_parameter_of("/v1/completeness?level=cadre"), "level");
  EXPECT_EQ(bad_parameter_of("/v1/completeness?date=2019-7-28"), "date");
  EXPECT_EQ(bad_parameter_of("/v1/summary?verbose=1"), "verbose");
  // Bytes that are not UTF-8 are not echoed into the (parsed, so valid) JSON.
  EXPECT_EQ(bad_parameter_of("/v1/progress?level=%ff%fe"), "level");
  EXPECT_EQ(bad_parameter_of("/v1/progress?%ff=1"), "?");
}

TEST_F(HttpApiTest, UnknownPathsAndOtherMethods) {
  EXPECT_EQ(get("/v2/summary").status, 404u);
  EXPECT_EQ(get("/v1/summary/").status, 404u);
  HttpTestClient client(api_->port());
  const HttpReply post = client.request(http::verb::post, "/v1/summary");
  EXPECT_EQ(post.status, 405u);
  EXPECT_EQ(post.allow, "GET");
  const HttpReply del = client.request(http::verb::delete_, "/metrics");
  EXPECT_EQ(del.status, 405u);
}

TEST_F(HttpApiTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  HttpTestClient client(api_->port());
  const HttpReply first = client.get("/healthz");
  EXPECT_EQ(first.status, 200u);
  EXPECT_TRUE(first.keep_alive);
  const HttpReply second = client.get("/v1/summary");
  EXPECT_EQ(second.status, 200u);
  const HttpReply third = client.get("/nope");
  EXPECT_EQ(third.status, 404u);
  const HttpReply last = client.request(http::verb::get, "/healthz", /*keep_alive=*/false);
  EXPECT_EQ(last.status, 200u);
  EXPECT_FALSE(last.keep_alive);
  EXPECT_TRUE(client.closed_by_server());
}

TEST_F(HttpApiTest, OversizedHeaderIsRejectedAndTheConnectionClosed) {
  HttpTestClient client(api_->port());
  client.send_raw("GET /v1/summary HTTP/1.1\r\nHost: x\r\nX-Padding: " + std::string(9000, 'a') +
                  "\r\n\r\n");
  const HttpReply reply = client.read_reply();
  EXPECT_EQ(reply.status, 431u);
  EXPECT_TRUE(client.closed_by_server());
}

TEST_F(HttpApiTest, RequestBodiesAndMalformedRequestsAreRejected) {
  HttpTestClient with_body(api_->port());
  with_body.send_raw("GET /v1/summary HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_EQ(with_body.read_reply().status, 413u);
  EXPECT_TRUE(with_body.closed_by_server());

  HttpTestClient garbage(api_->port());
  garbage.send_raw("HELLO THERE\r\n\r\n");
  EXPECT_EQ(garbage.read_reply().status, 400u);
  EXPECT_TRUE(garbage.closed_by_server());
}

TEST_F(HttpApiTest, ASlowClientDoesNotHoldUpOthers) {
  // Half a request on one connection; many complete requests on others are
  // answered while it waits.
  HttpTestClient slow(api_->port());
  slow.send_raw("GET /v1/summary HTTP/1.1\r\nHost: x\r\n");
  std::vector<std::unique_ptr<HttpTestClient>> clients;
  for (int i = 0; i < 50; ++i) {
    clients.push_back(std::make_unique<HttpTestClient>(api_->port()));
    clients.back()->send_raw("GET /v1/progress?level=county HTTP/1.1\r\nHost: x\r\n\r\n");
  }
  for (auto& c : clients) EXPECT_EQ(c->read_reply().status, 200u);
  slow.send_raw("\r\n");
  EXPECT_EQ(slow.read_reply().status, 200u);
}

TEST_F(HttpApiTest, StartFailsWhenTheAddressIsTaken) {
  HttpApiOptions options;
  options.listen = "127.0.0.1:" + std::to_string(api_->port());
  boost::asio::io_context other;
  HttpApi second(other, sample_.core, metrics_, {}, options);
  try {
    second.start();
    FAIL() << "bound a port already in use";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(options.listen), std::string::npos) << e.what();
  }
}

class HttpApiConnectionLimitTest : public HttpApiTest {
 protected:
  HttpApiConnectionLimitTest() { options_.max_connections = 1; }
};

TEST_F(HttpApiConnectionLimitTest, ConnectionsBeyondTheLimitAreClosed) {
  HttpTestClient first(api_->port());
  EXPECT_EQ(first.get("/healthz").status, 200u);  // its session is open now
  HttpTestClient second(api_->port());
  EXPECT_TRUE(second.closed_by_server());
  EXPECT_EQ(first.get("/healthz").status, 200u);  // the first one is unaffected
}

}  // namespace
}  // namespace fp
