// deploy/grafana's dashboard against the real thing: a `fieldpulse broker`, a
// `fieldpulse run` fed by `fieldpulse simulate`, and a real Prometheus scraping
// it every second. Every query of the dashboard must return data there, and
// every alert rule of deploy/prometheus must evaluate without error.
#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/deploy/prometheus_server.h"
#include "tests/pipeline/pipeline_harness.h"
#include "tests/support/broker_process.h"

namespace fp::test {
namespace {

using std::chrono::seconds;

struct Query {
  std::string where;  // panel title or variable name
  std::string expr;
};

// Every target's "expr" under `value`, and each query variable's label_values()
// as the PromQL selector it lists values of ("count by (label) (selector)").
void collect_queries(simdjson::dom::element value, const std::string& where,
                     std::vector<Query>& out) {
  if (value.is_array()) {
    for (auto item : value.get_array()) collect_queries(item, where, out);
    return;
  }
  if (!value.is_object()) return;
  std::string here = where;
  if (auto title = value["title"]; title.is_string()) {
    here = std::string(title.get_string().value());
  }
  if (auto name = value["name"]; name.is_string()) here = std::string(name.get_string().value());
  for (auto [key, member] : value.get_object()) {
    if (key == "expr" && member.is_string()) {
      out.push_back({here, std::string(member.get_string().value())});
    } else if (key == "definition" && member.is_string()) {
      const std::string text(member.get_string().value());
      const auto comma = text.rfind(',');
      if (text.rfind("label_values(", 0) == 0 && comma != std::string::npos) {
        const std::string selector = text.substr(13, comma - 13);
        const auto label_at = text.find_first_not_of(' ', comma + 1);
        std::string expr = "count by (";
        expr += text.substr(label_at, text.size() - label_at - 1);
        expr += ") (";
        expr += selector;
        expr += ')';
        out.push_back({here, std::move(expr)});
      }
    } else {
      collect_queries(member, here, out);
    }
  }
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// The samples of an instant query's answer: label sets and values (as text).
struct Answer {
  bool success = false;
  std::vector<std::pair<std::map<std::string, std::string>, std::string>> samples;
};

Answer parse_answer(const std::string& body) {
  Answer answer;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc) != simdjson::SUCCESS) return answer;
  answer.success = doc["status"].get_string().value_unsafe() == "success";
  simdjson::dom::array result;
  if (!answer.success || doc["data"]["result"].get(result) != simdjson::SUCCESS) return answer;
  for (auto sample : result) {
    std::map<std::string, std::string> labels;
    for (auto [k, v] : sample["metric"].get_object()) {
      labels[std::string(k)] = std::string(v.get_string().value_unsafe());
    }
    answer.samples.emplace_back(std::move(labels),
                                std::string(sample["value"].at(1).get_string().value_unsafe()));
  }
  return answer;
}

// Data: at least one sample, and one that is a number (not NaN).
bool has_data(const Answer& answer) {
  for (const auto& [labels, value] : answer.samples) {
    if (value != "NaN") return true;
  }
  return false;
}

std::string prometheus_config(std::uint16_t fieldpulse_port) {
  return "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
         "rule_files:\n  - " FP_SOURCE_DIR
         "/deploy/prometheus/alerts.yml\n"
         "scrape_configs:\n  - job_name: fieldpulse\n    static_configs:\n"
         "      - targets: ['127.0.0.1:" +
         std::to_string(fieldpulse_port) + "']\n";
}

class GrafanaDashboard : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(
        parser_.load(FP_SOURCE_DIR "/deploy/grafana/dashboards/fieldpulse.json").get(dashboard_),
        simdjson::SUCCESS);
    collect_queries(dashboard_, "dashboard", queries_);
  }
  simdjson::dom::parser parser_;
  simdjson::dom::element dashboard_;
  std::vector<Query> queries_;
};

TEST_F(GrafanaDashboard, CoversWhatOperatorsWatch) {
  std::string all;
  for (const auto& q : queries_) all += q.expr + "\n";
  for (const char* metric :
       {"fieldpulse_messages_consumed_total", "fieldpulse_consumer_lag_messages",
        "fieldpulse_reports_rejected_total", "fieldpulse_processing_latency_seconds_bucket",
        "fieldpulse_sink_errors_total", "fieldpulse_data_gap_messages_total",
        "fieldpulse_last_checkpoint_timestamp_seconds", "fieldpulse_progress{level=\"city\"",
        "fieldpulse_ready"}) {
    EXPECT_NE(all.find(metric), std::string::npos) << "no panel queries " << metric;
  }
  EXPECT_GE(queries_.size(), 20u);
}

// Grafana fills in its own $__ variables; every other one the queries use is
// a template variable of the dashboard, and every panel uses the datasource variable.
TEST_F(GrafanaDashboard, QueriesUseOnlyDefinedVariables) {
  std::set<std::string> defined;
  for (auto variable : dashboard_["templating"]["list"].get_array()) {
    defined.emplace(variable["name"].get_string().value());
  }
  EXPECT_TRUE(defined.contains("datasource"));
  for (const auto& q : queries_) {
    for (auto at = q.expr.find('$'); at != std::string::npos; at = q.expr.find('$', at + 1)) {
      const auto end = q.expr.find_first_not_of(
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", at + 1);
      const std::string name = q.expr.substr(at + 1, end - at - 1);
      if (!name.starts_with("__")) {
        EXPECT_TRUE(defined.contains(name)) << q.where << ": $" << name;
      }
    }
  }
  for (auto panel : dashboard_["panels"].get_array()) {
    if (panel["type"].get_string().value() == "row") continue;
    EXPECT_EQ(panel["datasource"]["uid"].get_string().value(), "${datasource}")
        << panel["title"].get_string().value();
  }
}

TEST_F(GrafanaDashboard, EveryQueryReturnsDataFromARealPrometheusScrapingARealRun) {
  BrokerProcess broker({"--partitions", "2"});
  RunProcess run(broker.bootstrap(), "grafana");
  ASSERT_NE(run.port(), 0) << "no 'serving' line on stdout";
  // A fixed batch first, so even rare kinds (projects landed: under 0.1% of
  // reports) have figures; then a steady stream, so rates have something to show.
  Subprocess batch({fieldpulse_binary(), "simulate", "--brokers", broker.bootstrap(), "--count",
                    "10000", "--bad", "0.1", "--dup", "0.05", "--seed", "7"},
                   inherit_stderr());
  ASSERT_EQ(batch.wait_for_exit(seconds(120)), 0);
  Subprocess simulate({fieldpulse_binary(), "simulate", "--brokers", broker.bootstrap(), "--rate",
                       "50", "--bad", "0.1", "--dup", "0.05", "--seed", "8"},
                      inherit_stderr());
  PrometheusServer prometheus(prometheus_config(run.port()));
  const std::string instance = "127.0.0.1:" + std::to_string(run.port());

  // A county to stand for $county, once one has figures.
  std::string county;
  std::map<std::string, std::string> failing;  // where -> query, of the latest round
  const auto deadline = std::chrono::steady_clock::now() + seconds(150);
  do {
    if (county.empty()) {
      const auto ids = parse_answer(
          prometheus.query("count by (id) (fieldpulse_progress{level=\"county\"})").value_or(""));
      if (!ids.samples.empty()) county = ids.samples.front().first.at("id");
    }
    failing.clear();
    for (const auto& q : queries_) {
      std::string expr = replace_all(q.expr, "$__rate_interval", "30s");
      expr = replace_all(expr, "$__range", "5m");
      expr = replace_all(expr, "$instance", instance);
      expr = replace_all(expr, "$county", county);
      ASSERT_EQ(expr.find('$'), std::string::npos) << q.where << ": unknown variable in " << expr;
      if (!has_data(parse_answer(prometheus.query(expr).value_or("")))) failing[q.where] = expr;
    }
    if (failing.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the next scrapes
  } while (std::chrono::steady_clock::now() < deadline);
  for (const auto& [where, expr] : failing) ADD_FAILURE() << where << ": no data for " << expr;
  EXPECT_FALSE(county.empty());

  // Data-gap counters are there at 0 for each partition before any gap, so
  // increase() would see the first one.
  const auto gaps =
      parse_answer(prometheus.query("fieldpulse_data_gap_messages_total").value_or(""));
  EXPECT_EQ(gaps.samples.size(), 2u);
  for (const auto& [labels, value] : gaps.samples) EXPECT_EQ(value, "0") << labels.at("partition");

  // The alert rules run on these series without an evaluation error.
  const auto rules = plain_get(prometheus.port(), "/api/v1/rules");
  ASSERT_TRUE(rules && rules->status == 200);
  EXPECT_EQ(rules->body.find("\"health\":\"err\""), std::string::npos) << rules->body;
  EXPECT_NE(rules->body.find("\"name\":\"FieldpulseDataGap\""), std::string::npos);

  simulate.send_signal(SIGTERM);
  EXPECT_TRUE(simulate.wait_for_exit(seconds(30)).has_value());
  EXPECT_EQ(run.terminate().first, 0);
}

}  // namespace
}  // namespace fp::test
