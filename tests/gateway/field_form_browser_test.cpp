// The field form in headless Chromium, driven over the DevTools protocol against the real
// gateway and broker: built from the catalog, a submitted report gets its receipt and
// reaches field-reports, a rejected one shows its reason, and reports made offline are
// sent once (same report_id) when the network returns.
#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <string>

#include "tests/gateway/devtools_pipe.h"
#include "tests/gateway/gateway_process.h"
#include "tests/support/kafka_test_consumer.h"

namespace fp::test {
namespace {

// Set by CMake from find_program(); empty when Chromium was not found then.
constexpr std::string_view kChromium = FP_CHROMIUM;

class FieldFormTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(kChromium.empty()) << "Chromium was not found when CMake configured this build; "
                                       "install the Debian chromium package and re-run CMake";
    ASSERT_EQ(::access(std::string(kChromium).c_str(), X_OK), 0) << kChromium;
    broker_ = std::make_unique<BrokerProcess>(std::vector<std::string>{"--partitions", "2"});
    tokens_ = dir_.file("tokens.tsv");
    token_ = issue_token(tokens_, kCadre, "phone-1");
    gateway_ = std::make_unique<GatewayProcess>(broker_->bootstrap(), tokens_);
    browser_ = std::make_unique<DevtoolsBrowser>(std::string(kChromium));
    browser_->open("http://127.0.0.1:" + std::to_string(gateway_->port()) + "/");
    ASSERT_TRUE(browser_->wait_for("document.body.dataset.state === 'ready'"));
    browser_->evaluate("document.getElementById('token').value = '" + token_ +
                       "'; document.getElementById('token-form').requestSubmit(); true");
    ASSERT_TRUE(browser_->wait_for("document.getElementById('whoami').dataset.cadre === 'C0133'"));
  }

  // Fills the form of `kind` (field name -> text) and submits it; returns the
  // new report's id, read back from the list of reports.
  std::string submit(const std::string& kind, const std::map<std::string, std::string>& fields) {
    std::string script = "(() => { const f = document.getElementById('form-" + kind + "');";
    for (const auto& [name, value] : fields) {
      script += "f.elements['" + name + "'].value = '" + value + "';";
    }
    script +=
        "f.requestSubmit(); return document.querySelector('#queue li').dataset.reportId; })()";
    const std::string quoted = browser_->evaluate(script);
    return quoted.substr(1, quoted.size() - 2);
  }

  std::string status_of(const std::string& id) {
    return browser_->evaluate("document.querySelector('[data-report-id=\"" + id +
                              "\"]').dataset.status");
  }
  bool wait_status(const std::string& id, const std::string& status) {
    return browser_->wait_for("document.querySelector('[data-report-id=\"" + id +
                              "\"]').dataset.status === '" + status + "'");
  }
  // How many messages on field-reports carry `id`.
  std::size_t copies_on_topic(const std::string& id, std::size_t expected_total) {
    const auto messages = KafkaTestConsumer(broker_->bootstrap())
                              .read("field-reports", expected_total, std::chrono::seconds(5));
    std::size_t n = 0;
    for (const auto& m : messages) n += m.payload.find("\"" + id + "\"") != std::string::npos;
    return n;
  }

  TempDir dir_;
  std::unique_ptr<BrokerProcess> broker_;
  std::string tokens_;
  std::string token_;
  std::unique_ptr<GatewayProcess> gateway_;
  std::unique_ptr<DevtoolsBrowser> browser_;
};

TEST_F(FieldFormTest, BuildsOneFormPerCatalogKindWithItsDefaults) {
  EXPECT_EQ(browser_->evaluate("document.querySelectorAll('.kind-form').length"), "13");
  EXPECT_EQ(browser_->evaluate("document.body.dataset.kinds"), "\"13\"");
  EXPECT_EQ(
      browser_->evaluate(
          "document.querySelector('#form-household_visit [name=\"value:households\"]').value"),
      "\"1\"");
  EXPECT_EQ(browser_->evaluate(
                "document.querySelector('#form-produce_sold [name=\"value:yuan\"]').value"),
            "\"0\"");
  EXPECT_EQ(browser_->evaluate("document.querySelector('#form-produce_sold').village.value"),
            "\"440823105201\"");  // the cadre's village, from /v1/whoami
  EXPECT_EQ(browser_->evaluate("document.documentElement.lang"), "\"zh-CN\"");
  browser_->evaluate("document.getElementById('lang-toggle').click(); true");
  EXPECT_EQ(browser_->evaluate("document.documentElement.lang"), "\"en\"");
}

TEST_F(FieldFormTest, SubmittedReportGetsItsReceiptAndReachesTheTopicExactly) {
  const std::string id =
      submit("produce_sold", {{"value:jin", "130000"}, {"value:yuan", "91000.50"}});
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(wait_status(id, "sent")) << status_of(id);
  const auto messages = KafkaTestConsumer(broker_->bootstrap()).read("field-reports", 1);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].key, std::optional<std::string>(kVillage));
  EXPECT_NE(messages[0].payload.find("\"report_id\":\"" + id + "\""), std::string::npos);
  EXPECT_NE(messages[0].payload.find(R"("values":{"jin":130000,"yuan":91000.50})"),
            std::string::npos)
      << messages[0].payload;
}

TEST_F(FieldFormTest, RejectedReportShowsItsReason) {
  const std::string id = submit("household_visit", {{"village", "440823999999"}});
  ASSERT_TRUE(wait_status(id, "rejected")) << status_of(id);
  EXPECT_EQ(browser_->evaluate("document.querySelector('[data-report-id=\"" + id +
                               "\"]').dataset.reason"),
            "\"unknown_village\"");
}

TEST_F(FieldFormTest, ReportsMadeOfflineAreSentOnceWhenTheNetworkReturns) {
  browser_->set_offline(true);
  const std::string first = submit("diary_entry", {});
  const std::string second = submit("policy_answer", {{"value:people", "3"}});
  ASSERT_NE(first, second);
  // Kept on the phone: tried, failed, still queued.
  ASSERT_TRUE(browser_->wait_for("document.body.dataset.queued === '2'"));
  EXPECT_EQ(status_of(first), "\"queued\"");
  EXPECT_EQ(KafkaTestConsumer(broker_->bootstrap()).message_count("field-reports"), 0);
  browser_->set_offline(false);
  ASSERT_TRUE(wait_status(first, "sent")) << status_of(first);
  ASSERT_TRUE(wait_status(second, "sent")) << status_of(second);
  EXPECT_EQ(copies_on_topic(first, 2), 1u);
  EXPECT_EQ(copies_on_topic(second, 2), 1u);
  EXPECT_EQ(KafkaTestConsumer(broker_->bootstrap()).message_count("field-reports"), 2);
}

}  // namespace
}  // namespace fp::test
