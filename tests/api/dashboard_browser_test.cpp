// The dashboard at GET / as a browser renders it: headless Chromium loads the page
// from a real server over a sample core, runs its script, and the DOM it dumps must
// show the same figures the JSON endpoints answer — exact decimals included.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "api/dashboard/dashboard_files.h"
#include "api/http_api.h"
#include "metrics/registry.h"
#include "tests/api/http_test_client.h"
#include "tests/api/sample_core.h"
#include "tests/api/served_api.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace fp {
namespace {

using testing::HttpTestClient;

// Set by CMake from find_program(); empty when Chromium was not found then.
constexpr std::string_view kChromium = FP_CHROMIUM;

// A county total of nine reports of 999999999999.999 yuan: 8999999999999.991,
// which a double would print as 8999999999999.99.
constexpr std::string_view kExactSum = "8999999999999.991";

// The sample batch plus today's (2019-07-30) reports from C0002 in 遂溪县 (440823).
std::vector<std::string> payloads() {
  std::vector<std::string> out = testing::sample_payloads();
  for (int i = 0; i < 9; ++i) {
    out.push_back(testing::sample_report("m" + std::to_string(i), "C0002", "440823105202",
                                         "funds_mobilized", "2019-07-30T09:00:00+08:00",
                                         R"({"yuan":999999999999.999})"));
  }
  return out;
}

// One element of the dumped DOM: its start tag and the text up to the next tag.
struct Element {
  std::string start_tag;
  std::string text;

  // The value of attribute `name`, or nullopt.
  [[nodiscard]] std::optional<std::string> attribute(std::string_view name) const {
    const std::string needle = " " + std::string(name) + "=\"";
    const auto at = start_tag.find(needle);
    if (at == std::string::npos) return std::nullopt;
    const auto begin = at + needle.size();
    return start_tag.substr(begin, start_tag.find('"', begin) - begin);
  }
};

// The first element at or after `from` in `html` whose start tag contains `needle`
// (e.g. `id="reports-accepted"`), or nullopt.
std::optional<Element> find_element(std::string_view html, std::string_view needle,
                                    std::size_t from = 0) {
  const auto hit = html.find(needle, from);
  if (hit == std::string_view::npos) return std::nullopt;
  const auto open = html.rfind('<', hit);
  const auto close = html.find('>', hit);
  if (open == std::string_view::npos || close == std::string_view::npos) return std::nullopt;
  const auto text_end = html.find('<', close);
  return Element{std::string(html.substr(open, close + 1 - open)),
                 std::string(html.substr(close + 1, text_end - close - 1))};
}

// The part of `html` that is the <tr> or <li> keyed `key` inside the element with `id`.
std::string_view keyed_row(std::string_view html, std::string_view id, std::string_view key) {
  const auto container = html.find("id=\"" + std::string(id) + "\"");
  if (container == std::string_view::npos) return {};
  const auto row = html.find("data-key=\"" + std::string(key) + "\"", container);
  if (row == std::string_view::npos) return {};
  const auto start = html.rfind('<', row);
  const auto end = html.find("</tr>", row);
  return html.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
}

std::string without_commas(std::string text) {
  std::erase(text, ',');
  return text;
}

// The value of `field` as written in the JSON text of the /v1/progress row for
// (`id`, `metric`): the exact characters, not a double's rendering of them.
std::string progress_value_text(std::string_view body, std::string_view id,
                                std::string_view metric) {
  const std::string row_key = "\"id\":\"" + std::string(id) + "\",";
  const std::string metric_key = "\"metric\":\"" + std::string(metric) + "\"";
  for (std::size_t at = body.find(row_key); at != std::string_view::npos;
       at = body.find(row_key, at + 1)) {
    const auto row_end = body.find('}', at);
    const std::string_view row = body.substr(at, row_end - at);
    if (row.find(metric_key) == std::string_view::npos) continue;
    const auto value = row.find("\"value\":");
    const auto begin = value + 8;
    return std::string(row.substr(begin, row.find(',', begin) - begin));
  }
  return {};
}

// Loads `url` in headless Chromium, lets the page run for 5 s of virtual time
// (the first load and two refreshes), and returns the DOM it serialises.
std::string dom_in_chromium(const std::string& url) {
  if (kChromium.empty()) {
    ADD_FAILURE() << "Chromium was not found when CMake configured this build; install the "
                     "Debian chromium package (scripts/install-deps.sh test) and re-run CMake";
    return {};
  }
  if (::access(std::string(kChromium).c_str(), X_OK) != 0) {
    ADD_FAILURE() << "Chromium is not executable at " << kChromium
                  << "; install the Debian chromium package (scripts/install-deps.sh test)";
    return {};
  }
  test::TempDir profile;
  // --no-sandbox: the suite may run as root, where Chromium's sandbox refuses to start.
  test::Subprocess chromium({std::string(kChromium), "--headless", "--no-sandbox", "--disable-gpu",
                             "--disable-dev-shm-usage", "--no-first-run",
                             "--no-default-browser-check", "--disable-extensions",
                             "--disable-background-networking", "--disable-sync",
                             "--user-data-dir=" + profile.path().string(),
                             "--virtual-time-budget=5000", "--dump-dom", url});
  const auto status = chromium.wait_for_exit(std::chrono::seconds(90));
  if (!status) {
    ADD_FAILURE() << "Chromium did not finish within 90 s; stderr:\n" << chromium.stderr_text();
    return {};
  }
  EXPECT_EQ(*status, 0) << "Chromium failed; stderr:\n" << chromium.stderr_text();
  EXPECT_NE(chromium.stdout_text().find("</html>"), std::string::npos) << "no DOM dumped; stderr:\n"
                                                                       << chromium.stderr_text();
  return chromium.stdout_text();
}

// Serves the dashboard page at / and answers every other request 500, so each of
// the page's fetches fails. One request per connection.
class FailingApiServer {
 public:
  FailingApiServer() : acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  // stop() rather than waiting for connections: Chromium may hold idle preconnected sockets.
  ~FailingApiServer() {
    io_.stop();
    thread_.join();
  }
  FailingApiServer(const FailingApiServer&) = delete;
  FailingApiServer& operator=(const FailingApiServer&) = delete;

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  using tcp = boost::asio::ip::tcp;
  struct Connection {
    explicit Connection(tcp::socket s) : socket(std::move(s)) {}
    tcp::socket socket;
    std::string request;
    std::string reply;
  };

  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec) return;
      auto c = std::make_shared<Connection>(std::move(socket));
      boost::asio::async_read_until(
          c->socket, boost::asio::dynamic_buffer(c->request), "\r\n\r\n",
          [c](boost::system::error_code read_ec, std::size_t) {
            if (read_ec) return;
            // The dashboard's own files are served; every API call fails.
            const auto path_end = c->request.find(' ', 4);
            const EmbeddedAsset* file =
                c->request.starts_with("GET ")
                    ? find_dashboard_file(std::string_view(c->request).substr(4, path_end - 4))
                    : nullptr;
            const bool page = file != nullptr;
            const std::string body =
                page ? std::string(file->body) : std::string(R"({"error":"injected failure"})");
            c->reply = std::string("HTTP/1.1 ") + (page ? "200 OK" : "500 Internal Server Error") +
                       "\r\nContent-Type: " +
                       (page ? std::string(file->content_type) : std::string("application/json")) +
                       "\r\nContent-Length: " + std::to_string(body.size()) +
                       "\r\nConnection: close\r\n\r\n" + body;
            boost::asio::async_write(c->socket, boost::asio::buffer(c->reply),
                                     [c](boost::system::error_code, std::size_t) {
                                       boost::system::error_code ignored;
                                       c->socket.shutdown(tcp::socket::shutdown_both, ignored);
                                     });
          });
      accept();
    });
  }

  boost::asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

class DashboardBrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sample_.feed(payloads());
    HttpApiOptions options;
    options.clock = [] { return testing::kSampleNowMs; };
    api_.emplace(
        sample_.core, metrics_,
        [] {
          return Readiness{false, {"data gap on field-reports[3]: offsets 100..199 expired"}};
        },
        options);
    ASSERT_NE(api_->port(), 0);
  }

  void TearDown() override { api_.reset(); }

  std::string get(std::string_view target) {
    auto reply = HttpTestClient(api_->port()).get(target);
    EXPECT_TRUE(reply.status == 200u || target == "/readyz") << target << " -> " << reply.status;
    return reply.body;
  }

  std::string rendered_dom(std::string_view path) const {
    return dom_in_chromium("http://127.0.0.1:" + std::to_string(api_->port()) + std::string(path));
  }

  testing::SampleCore sample_;
  MetricsRegistry metrics_;
  std::optional<testing::ServedApi> api_;
  simdjson::dom::parser parser_;
};

// The text of the element with `id` and its data-value (the API's exact text).
struct Figure {
  std::string text;
  std::string value;
};
std::optional<Figure> figure(std::string_view dom, std::string_view id) {
  auto e = find_element(dom, "id=\"" + std::string(id) + "\"");
  if (!e) return std::nullopt;
  return Figure{e->text, e->attribute("data-value").value_or("")};
}

TEST_F(DashboardBrowserTest, RenderedPageShowsWhatTheApiAnswers) {
  const std::string dom = rendered_dom("/");
  ASSERT_FALSE(dom.empty());

  // No fetch failed.
  const auto error = find_element(dom, "id=\"error\"");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->text, "");
  EXPECT_EQ(error->attribute("data-failing"), "");

  // Headline cards: the /v1/summary figures.
  const std::string summary_body = get("/v1/summary");
  simdjson::dom::element summary = parser_.parse(summary_body);
  const auto as_of = find_element(dom, "id=\"as-of\"");
  ASSERT_TRUE(as_of);
  EXPECT_EQ(as_of->text, std::string_view(summary["as_of"]));
  for (const char* k : {"consumed", "accepted", "duplicate", "rejected"}) {
    const auto f = figure(dom, std::string("reports-") + k);
    ASSERT_TRUE(f) << k;
    const std::string expected = std::to_string(std::uint64_t(summary["reports"][k]));
    EXPECT_EQ(f->value, expected) << k;
    EXPECT_EQ(without_commas(f->text), expected) << k;
  }
  EXPECT_EQ(figure(dom, "reports-accepted")->text, "12");
  EXPECT_EQ(figure(dom, "cadres-reporting")->text,
            std::to_string(std::uint64_t(summary["cadres"]["reporting"])));
  EXPECT_EQ(figure(dom, "cadres-total")->text,
            std::to_string(std::uint64_t(summary["cadres"]["total"])));
  for (auto [reason, count] : summary["reports"]["rejected_by_reason"].get_object()) {
    const std::string_view row = keyed_row(dom, "rejected-by-reason", reason);
    ASSERT_FALSE(row.empty()) << reason;
    const auto cell = find_element(row, "data-value=");
    ASSERT_TRUE(cell) << reason;
    EXPECT_EQ(cell->attribute("data-value"), std::to_string(std::uint64_t(count))) << reason;
  }

  // The county table: names and exact values from /v1/progress.
  const std::string progress = get("/v1/progress?level=county&window=total");
  EXPECT_EQ(progress_value_text(progress, "440823", "funds_mobilized.yuan"), kExactSum);
  const std::string_view suixi = keyed_row(dom, "county-progress-rows", "440823");
  ASSERT_FALSE(suixi.empty()) << dom;
  EXPECT_EQ(find_element(suixi, "data-field=\"name\"")->text, "遂溪县");
  const auto mobilized = find_element(suixi, "data-metric=\"funds_mobilized.yuan\"");
  ASSERT_TRUE(mobilized);
  EXPECT_EQ(mobilized->attribute("data-value"), kExactSum);
  EXPECT_EQ(mobilized->text, "8,999,999,999,999.991");
  const auto raised = find_element(suixi, "data-metric=\"funds_raised.yuan\"");
  ASSERT_TRUE(raised);
  EXPECT_EQ(raised->attribute("data-value"),
            progress_value_text(progress, "440823", "funds_raised.yuan"));
  EXPECT_EQ(raised->text, "100.6");
  const std::string_view lianjiang = keyed_row(dom, "county-progress-rows", "440881");
  ASSERT_FALSE(lianjiang.empty());
  EXPECT_EQ(find_element(lianjiang, "data-field=\"name\"")->text, "廉江市");
  const auto jin = find_element(lianjiang, "data-metric=\"produce_sold.jin\"");
  ASSERT_TRUE(jin);
  EXPECT_EQ(jin->attribute("data-value"),
            progress_value_text(progress, "440881", "produce_sold.jin"));
  EXPECT_EQ(jin->text, "130,000");

  // City totals carry every metric of /v1/summary's totals, exactly.
  EXPECT_NE(summary_body.find(std::string("\"funds_mobilized.yuan\":") + std::string(kExactSum)),
            std::string::npos);
  const std::string_view total_row = keyed_row(dom, "city-totals", "funds_mobilized.yuan");
  ASSERT_FALSE(total_row.empty());
  EXPECT_EQ(find_element(total_row, "data-value=")->attribute("data-value"), kExactSum);

  // Today's completeness: the server's day in UTC+08:00, per county.
  simdjson::dom::element completeness = parser_.parse(get("/v1/completeness?level=county"));
  EXPECT_EQ(find_element(dom, "id=\"completeness-date\"")->text,
            std::string_view(completeness["date"]));
  EXPECT_EQ(std::string_view(completeness["date"]), "2019-07-30");
  for (simdjson::dom::element r : completeness["regions"].get_array()) {
    const std::string_view id = r["id"];
    const std::string_view row = keyed_row(dom, "completeness-rows", id);
    ASSERT_FALSE(row.empty()) << id;
    EXPECT_EQ(find_element(row, "data-field=\"name\"")->text, std::string_view(r["name"]));
    EXPECT_EQ(find_element(row, "data-field=\"reported\"")->text,
              std::to_string(std::uint64_t(r["reported"])));
    EXPECT_EQ(find_element(row, "data-field=\"total\"")->text,
              std::to_string(std::uint64_t(r["total"])));
  }
  const std::string_view suixi_today = keyed_row(dom, "completeness-rows", "440823");
  EXPECT_EQ(find_element(suixi_today, "data-field=\"ratio\"")->attribute("data-value"), "0.333");
  EXPECT_EQ(find_element(suixi_today, "class=\"pct\"")->text, "33.3%");

  // Silent cadres over 7 days: the same cadres, with their last report time.
  simdjson::dom::element silent = parser_.parse(get("/v1/cadres/silent?days=7"));
  const auto cadres = silent["cadres"].get_array();
  EXPECT_EQ(figure(dom, "silent-count")->text, std::to_string(cadres.size()));
  ASSERT_GT(cadres.size(), 0u);
  for (simdjson::dom::element c : cadres) {
    const std::string_view row = keyed_row(dom, "silent-rows", std::string_view(c["cadre_id"]));
    ASSERT_FALSE(row.empty()) << std::string_view(c["cadre_id"]);
    EXPECT_EQ(find_element(row, "data-field=\"name\"")->text, std::string_view(c["name"]));
    EXPECT_EQ(find_element(row, "data-field=\"region\"")->text, std::string_view(c["region_name"]));
    const std::string last = c["last_report"].is_null()
                                 ? std::string("从未上报 never")
                                 : std::string(std::string_view(c["last_report"]));
    EXPECT_EQ(find_element(row, "data-field=\"last_report\"")->text, last);
  }

  // Readiness: the /readyz reasons, classified.
  simdjson::dom::element ready = parser_.parse(get("/readyz"));
  EXPECT_FALSE(bool(ready["ready"]));
  const auto readiness = find_element(dom, "id=\"readiness\"");
  ASSERT_TRUE(readiness);
  EXPECT_EQ(readiness->attribute("data-state"), "data-gap");
  EXPECT_EQ(readiness->text, "数据缺口 data gap");
  const std::string reason(std::string_view(ready["reasons"].get_array().at(0)));
  EXPECT_NE(dom.find(">" + reason + "</li>"), std::string::npos) << dom;
}

// A failed fetch shows on the page: an error line naming each endpoint and its
// status, and no figures made up in the meantime.
TEST(DashboardBrowserErrorTest, FailedFetchesShowAnErrorLine) {
  FailingApiServer server;
  const std::string dom =
      dom_in_chromium("http://127.0.0.1:" + std::to_string(server.port()) + "/");
  ASSERT_FALSE(dom.empty());
  const auto error = find_element(dom, "id=\"error\"");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->attribute("data-failing"), "5") << error->text;
  EXPECT_NE(error->text.find("cannot load"), std::string::npos) << error->text;
  for (const char* path : {"/v1/summary: HTTP 500: injected failure",
                           "/v1/progress?level=county&amp;window=total: HTTP 500",
                           "/v1/completeness?level=county: HTTP 500",
                           "/v1/cadres/silent?days=7: HTTP 500", "/readyz: HTTP 500"}) {
    EXPECT_NE(error->text.find(path), std::string::npos) << path << " in " << error->text;
  }
  EXPECT_EQ(find_element(dom, "id=\"as-of\"")->text, "—");
  EXPECT_EQ(find_element(dom, "id=\"reports-accepted\"")->text, "—");
}

}  // namespace
}  // namespace fp
