// Roster reload in `fieldpulse run` (contract section 2, "reloadable"): a real
// broker, the real binary; SIGHUP and a file change take a new roster, a bad one
// is refused and the previous one kept, and a restart from a checkpoint naming
// cadres the roster dropped keeps their history as former.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/pipeline/pipeline_harness.h"
#include "tests/support/broker_process.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace fp::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kHead = R"({"version": 1,
 "city": {"code": "4408", "name": "湛江市"},
 "counties": [{"code": "440823", "name": "遂溪县"}],
 "towns": [{"code": "440823105", "name": "北坡镇", "county": "440823"}],
)";

// A roster of villages 201..20n of one town and section cadres "id@village".
std::string roster_json(const std::vector<std::string>& villages,
                        const std::vector<std::pair<std::string, std::string>>& cadres) {
  std::string json = kHead;
  json += R"( "villages": [)";
  for (std::size_t i = 0; i < villages.size(); ++i) {
    json += (i ? "," : "") + std::string(R"({"code": "440823105)") + villages[i] +
            R"(", "name": "村)" + villages[i] + R"(", "town": "440823105"})";
  }
  json += "],\n \"cadres\": [";
  for (std::size_t i = 0; i < cadres.size(); ++i) {
    json += (i ? "," : "") + std::string(R"({"cadre_id": ")") + cadres[i].first +
            R"(", "name": "干部)" + cadres[i].first +
            R"(", "tier": "section", "region": "440823105)" + cadres[i].second +
            R"(", "round": 2})";
  }
  return json + "]}\n";
}

// Replaces the file the way an editor or config manager does: a new file renamed over it.
void write_file(const std::string& path, const std::string& text) {
  const std::string staged = path + ".new";
  std::ofstream(staged) << text;
  std::filesystem::rename(staged, path);
}

std::string report(const std::string& id, const std::string& cadre, const std::string& village,
                   const std::string& yuan) {
  return R"({"v":1,"report_id":")" + id + R"(","cadre_id":")" + cadre +
         R"(","village":"440823105)" + village +
         R"(","kind":"funds_raised","at":"2019-07-28T10:00:00+08:00","values":{"yuan":)" + yuan +
         "}}";
}

void send(const BrokerProcess& broker, const std::vector<std::string>& lines) {
  std::vector<ReportMeta> metas(lines.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    metas[i].key = lines[i].substr(lines[i].find("440823105"), 12);
  }
  produce(broker.bootstrap(), "field-reports", lines, metas, 0, lines.size());
}

class ReloadRun {
 public:
  ReloadRun(const BrokerProcess& broker, const std::string& roster, const std::string& catalog)
      : process_({FP_BINARY, "run", "--brokers", broker.bootstrap(), "--group", "reload",
                  "--roster", roster, "--http", "127.0.0.1:0", "--set", "catalog=" + catalog,
                  "--set", "kafka.properties.session.timeout.ms=6000", "--set",
                  "checkpoint.interval_ms=1000"}) {
    if (auto line = process_.read_stdout_line(seconds(60))) port_ = serving_port(*line).value_or(0);
  }
  [[nodiscard]] std::uint16_t port() const { return port_; }
  Subprocess& process() { return process_; }

  // Polls (reading the child's stderr meanwhile, so its pipe never fills)
  // until `done` or the deadline.
  bool await(const std::function<bool()>& done, seconds deadline = seconds(60)) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < until) {
      if (done()) return true;
      if (process_.wait_for_exit(milliseconds(100))) return done();
    }
    return false;
  }
  std::optional<double> metric(const std::string& series) {
    const auto reply = http_get(port_, "/metrics");
    return reply ? metric_value(reply->body, series) : std::nullopt;
  }
  bool await_metric(const std::string& series, double value) {
    return await([&] { return metric(series) == value; });
  }
  SummaryFigures await_consumed(std::uint64_t consumed) {
    SummaryFigures last;
    await([&] {
      const auto reply = http_get(port_, "/v1/summary");
      if (!reply || reply->status != 200) return false;
      last = parse_summary(reply->body).value_or(SummaryFigures{});
      return last.consumed >= consumed;
    });
    return last;
  }
  std::string get(const std::string& target) {
    const auto reply = http_get(port_, target);
    return reply ? reply->body : std::string();
  }

 private:
  Subprocess process_;
  std::uint16_t port_ = 0;
};

const std::string kRosterOk = R"(fieldpulse_config_reloads_total{file="roster",result="ok"})";
const std::string kRosterFailed =
    R"(fieldpulse_config_reloads_total{file="roster",result="failed"})";
const std::string kCadreRows = "/v1/progress?level=cadre&metric=funds_raised.yuan&window=total";

std::string cadre_row(const std::string& body, const std::string& cadre) {
  const auto at = body.find(R"("id":")" + cadre + '"');
  if (at == std::string::npos) return {};
  return body.substr(at, body.find('}', at) - at);
}

TEST(PipelineReload, ARosterReloadTakesNewCadresAndKeepsDroppedOnesAsFormer) {
  BrokerProcess broker({"--brokers", "1", "--partitions", "2"});
  TempDir dir;
  const std::string roster = dir.file("roster.json");
  write_file(roster,
             roster_json({"201", "202"}, {{"S001", "201"}, {"S002", "202"}, {"S003", "202"}}));
  const std::string catalog = dir.file("catalog.toml");
  std::filesystem::copy_file(catalog_path(), catalog);
  std::optional<ReloadRun> run(std::in_place, broker, roster, catalog);
  ASSERT_NE(run->port(), 0);
  EXPECT_EQ(run->metric(kRosterOk), 0);  // exported from the start
  EXPECT_EQ(run->metric(kRosterFailed), 0);
  send(broker, {report("r1", "S001", "201", "10"), report("r2", "S002", "202", "20")});
  EXPECT_EQ(run->await_consumed(2).accepted, 2U);

  // S002 leaves, S004 joins on a new village: taken on SIGHUP.
  write_file(roster, roster_json({"201", "202", "203"},
                                 {{"S001", "201"}, {"S003", "202"}, {"S004", "203"}}));
  run->process().send_signal(SIGHUP);
  ASSERT_TRUE(run->await_metric(kRosterOk, 1));
  send(broker, {report("r3", "S004", "203", "5"), report("r4", "S002", "202", "1")});
  SummaryFigures s = run->await_consumed(4);
  EXPECT_EQ(s.accepted, 3U);
  EXPECT_EQ(s.rejected_by_reason["unknown_cadre"], 1U);
  EXPECT_EQ(s.totals["funds_raised.yuan"], "35");
  EXPECT_EQ(s.cadres_reporting, 2U);  // S001 and S004; S002 is former
  const std::string cadres = run->get(kCadreRows);
  EXPECT_THAT(cadre_row(cadres, "S002"), HasSubstr(R"("former":true)"));
  EXPECT_THAT(cadre_row(cadres, "S002"), HasSubstr(R"("value":20)"));
  EXPECT_THAT(cadre_row(cadres, "S004"), Not(HasSubstr("former")));
  EXPECT_THAT(run->get("/v1/summary"), HasSubstr(R"("cadres":{"total":3,"reporting":2})"));
  const std::string silent = run->get("/v1/cadres/silent?days=7&as_of=2019-07-29T00:00:00%2B08:00");
  EXPECT_THAT(silent, HasSubstr(R"("S003")"));
  EXPECT_THAT(silent, Not(HasSubstr(R"("S002")")));
  EXPECT_THAT(run->get("/v1/completeness?level=village&date=2019-07-28"),
              HasSubstr(R"("id":"440823105202","name":"村202","reported":0,"total":1)"));

  // A change on disk alone is enough: S005 joins.
  write_file(roster,
             roster_json({"201", "202", "203"},
                         {{"S001", "201"}, {"S003", "202"}, {"S004", "203"}, {"S005", "201"}}));
  ASSERT_TRUE(run->await_metric(kRosterOk, 2));
  send(broker, {report("r5", "S005", "201", "2")});
  EXPECT_EQ(run->await_consumed(5).accepted, 4U);

  // A bad roster is refused with the same message as at start; the previous one stays.
  write_file(roster, roster_json({"201"}, {{"S001", "209"}}));
  ASSERT_TRUE(run->await_metric(kRosterFailed, 1));
  EXPECT_TRUE(run->await([&] {
    return run->process().stderr_text().find(roster + " not reloaded") != std::string::npos;
  }));
  EXPECT_THAT(run->process().stderr_text(),
              HasSubstr(R"(cadres[0] (cadre_id "S001"): key "region")"));
  send(broker, {report("r6", "S005", "201", "3")});
  s = run->await_consumed(6);
  EXPECT_EQ(s.accepted, 5U);
  EXPECT_EQ(s.totals["funds_raised.yuan"], "40");
  EXPECT_EQ(run->metric(kRosterOk), 2);

  // A catalog that adds a kind is checked, then refused until the next start.
  std::ofstream(catalog, std::ios::app) << "\n[[kind]]\nname = \"well_dug\"\nlabel = \"打井\"\n"
                                        << "fields = [{ name = \"wells\", default = \"1\" }]\n";
  ASSERT_TRUE(
      run->await_metric(R"(fieldpulse_config_reloads_total{file="catalog",result="failed"})", 1));
  EXPECT_TRUE(run->await([&] {
    return run->process().stderr_text().find(R"(kind "well_dug" added; a changed catalog takes )"
                                             "effect only at the next start") != std::string::npos;
  }));
  EXPECT_EQ(run->metric(R"(fieldpulse_config_reloads_total{file="catalog",result="ok"})"), 1);
  std::filesystem::copy_file(catalog_path(), catalog,
                             std::filesystem::copy_options::overwrite_existing);

  // Restart with a roster that lacks S002 and S005, who have history in the checkpoint.
  write_file(roster, roster_json({"201", "202", "203"},
                                 {{"S001", "201"}, {"S003", "202"}, {"S004", "203"}}));
  run->process().send_signal(SIGTERM);
  EXPECT_EQ(run->process().wait_for_exit(seconds(30)), 0);
  run.emplace(broker, roster, catalog);
  ASSERT_NE(run->port(), 0);
  s = run->await_consumed(6);
  EXPECT_EQ(s.consumed, 6U);
  EXPECT_EQ(s.accepted, 5U);
  EXPECT_EQ(s.totals["funds_raised.yuan"], "40");
  const std::string after = run->get(kCadreRows);
  EXPECT_THAT(cadre_row(after, "S002"), HasSubstr(R"("value":20)"));
  EXPECT_THAT(cadre_row(after, "S002"), HasSubstr(R"("former":true)"));
  EXPECT_THAT(cadre_row(after, "S005"), HasSubstr(R"("value":5)"));
  EXPECT_THAT(cadre_row(after, "S005"), HasSubstr(R"("former":true)"));
  EXPECT_THAT(run->get("/v1/summary"), HasSubstr(R"("cadres":{"total":3,"reporting":2})"));
  run->process().send_signal(SIGTERM);
  EXPECT_EQ(run->process().wait_for_exit(seconds(30)), 0);
}

}  // namespace
}  // namespace fp::test
