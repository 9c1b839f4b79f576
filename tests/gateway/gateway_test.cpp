// The real `fieldpulse gateway` against a real `fieldpulse broker`: receipts only after
// Kafka's acknowledgement, the pipeline's reasons, refusals, auth, limits and faults.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "tests/gateway/gateway_client.h"
#include "tests/gateway/gateway_process.h"
#include "tests/support/kafka_test_consumer.h"
#include "tests/support/temp_dir.h"

namespace fp::test {
namespace {

constexpr const char* kTopic = "field-reports";

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // One broker, so "down 1" takes every partition's leader away.
    broker_ = std::make_unique<BrokerProcess>(
        std::vector<std::string>{"--brokers", "1", "--partitions", "3"});
    tokens_file_ = dir_.file("tokens.tsv");
    token_ = issue_token(tokens_file_, kCadre, "phone-1");
  }
  void start(const std::vector<std::string>& extra = {}) {
    gateway_ = std::make_unique<GatewayProcess>(broker_->bootstrap(), tokens_file_, extra);
  }
  std::uint16_t port() const { return gateway_->port(); }
  std::vector<ConsumedMessage> topic(std::size_t count,
                                     std::chrono::milliseconds wait = std::chrono::seconds(10)) {
    return KafkaTestConsumer(broker_->bootstrap()).read(kTopic, count, wait);
  }
  std::int64_t topic_size() {
    return KafkaTestConsumer(broker_->bootstrap()).message_count(kTopic);
  }
  std::string metrics() { return GatewayClient(port()).get("/metrics").body; }

  TempDir dir_;
  std::unique_ptr<BrokerProcess> broker_;
  std::string tokens_file_;
  std::string token_;
  std::unique_ptr<GatewayProcess> gateway_;
};

TEST_F(GatewayTest, ValidBatchIsAnsweredWithReceiptsInOrderOnceEveryReportIsOnTheTopic) {
  start();
  const std::string body =
      report_line("r-1") + "\n" + report_line("r-2") + "\n\n" + report_line("r-3") + "\n";
  const auto reply = GatewayClient(port()).post("/v1/reports", token_, body);
  ASSERT_EQ(reply.status, 202u) << reply.body;
  EXPECT_EQ(reply.body, R"({"results":[{"line":1,"report_id":"r-1","status":"queued"},)"
                        R"({"line":2,"report_id":"r-2","status":"queued"},)"
                        R"({"line":4,"report_id":"r-3","status":"queued"}]})");
  // Answered after acknowledgement: the reports are readable at once, once each.
  const auto messages = topic(3, std::chrono::seconds(5));
  ASSERT_EQ(messages.size(), 3u);
  std::vector<std::string> payloads;
  for (const auto& m : messages) {
    EXPECT_EQ(m.key, std::optional<std::string>(kVillage));
    payloads.push_back(m.payload);
  }
  std::sort(payloads.begin(), payloads.end());
  EXPECT_EQ(payloads,
            (std::vector<std::string>{report_line("r-1"), report_line("r-2"), report_line("r-3")}));
  EXPECT_EQ(topic_size(), 3);
}

TEST_F(GatewayTest, SingleJsonReportIsAccepted) {
  start();
  const auto reply =
      GatewayClient(port()).post("/v1/reports", token_, report_line("one"), "application/json");
  ASSERT_EQ(reply.status, 202u) << reply.body;
  EXPECT_EQ(reply.body, R"({"results":[{"line":1,"report_id":"one","status":"queued"}]})");
  EXPECT_EQ(topic(1).size(), 1u);
}

TEST_F(GatewayTest, InvalidLineGetsThePipelinesReasonAndIsStillForwarded) {
  start();
  const std::string bad = report_line("bad-1", kCadre, R"({"households":-1})");
  const auto reply = GatewayClient(port()).post("/v1/reports", token_, bad + "\n");
  ASSERT_EQ(reply.status, 202u) << reply.body;
  EXPECT_NE(reply.body.find(R"("report_id":"bad-1","status":"rejected","reason":"bad_value")"),
            std::string::npos)
      << reply.body;
  const auto messages = topic(1);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].payload, bad);
  EXPECT_EQ(messages[0].key, std::optional<std::string>(kVillage));
}

TEST_F(GatewayTest, TheReceiptsReasonIsTheDeadLetterThePipelineWrites) {
  start();
  const std::string bad = report_line("bad-2", kCadre, R"({"households":1.0001})");
  const auto reply = GatewayClient(port()).post("/v1/reports", token_, bad + "\n");
  ASSERT_EQ(reply.status, 202u) << reply.body;
  const auto detail_at = reply.body.find(R"("detail":)");
  ASSERT_NE(detail_at, std::string::npos) << reply.body;
  const std::string detail =
      reply.body.substr(detail_at, reply.body.find("}]}", detail_at) - detail_at);
  Subprocess::Options options;
  options.inherit_stderr = true;
  Subprocess run({fieldpulse_binary(), "run", "--brokers", broker_->bootstrap(), "--group",
                  "gateway-dlq", "--http", "127.0.0.1:0"},
                 options);
  const auto dead = KafkaTestConsumer(broker_->bootstrap())
                        .read("field-reports.dlq", 1, std::chrono::seconds(60));
  run.send_signal(SIGTERM);
  EXPECT_EQ(run.wait_for_exit(std::chrono::seconds(30)), 0);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_NE(dead[0].payload.find(R"("reason":"bad_value")"), std::string::npos) << dead[0].payload;
  EXPECT_NE(dead[0].payload.find(detail), std::string::npos)
      << "receipt " << detail << " vs dead letter " << dead[0].payload;
  EXPECT_NE(reply.body.find(R"("reason":"bad_value")"), std::string::npos) << reply.body;
}

TEST_F(GatewayTest, LinesThatAreNotJsonObjectsOrTooLargeAreRefusedAndNotForwarded) {
  start();
  const std::string huge =
      R"({"v":1,"report_id":"big","note":")" + std::string(70'000, 'x') + R"("})";
  const std::string body = "not json\n[1,2]\n" + huge + "\n" + report_line("fine") + "\n";
  const auto reply = GatewayClient(port()).post("/v1/reports", token_, body);
  ASSERT_EQ(reply.status, 202u) << reply.body;
  EXPECT_NE(reply.body.find(R"({"line":1,"status":"refused","reason":"malformed_json")"),
            std::string::npos)
      << reply.body;
  EXPECT_NE(reply.body.find(R"({"line":2,"status":"refused","reason":"not_an_object")"),
            std::string::npos);
  EXPECT_NE(reply.body.find(R"({"line":3,"status":"refused","reason":"too_large")"),
            std::string::npos);
  EXPECT_NE(reply.body.find(R"({"line":4,"report_id":"fine","status":"queued"})"),
            std::string::npos);
  ASSERT_EQ(topic(1).size(), 1u);
  EXPECT_EQ(topic_size(), 1);
  EXPECT_NE(metrics().find(R"(fieldpulse_gateway_reports_total{status="refused"} 3)"),
            std::string::npos);
}

TEST_F(GatewayTest, UnknownMissingAndRevokedTokensGet401) {
  start({"--token-check-ms", "100"});
  GatewayClient client(port());
  EXPECT_EQ(client.post("/v1/reports", "fpt_nonsense", report_line("a")).status, 401u);
  GatewayClient other(port());
  EXPECT_EQ(other.post("/v1/reports", "", report_line("a")).status, 401u);
  const auto revoked =
      run_fieldpulse({"token", "revoke", "--tokens", tokens_file_, "--device", "phone-1"});
  ASSERT_EQ(revoked.status, 0) << revoked.err;
  // Wait for the reload itself, not for a 401: probing with the token while the reload is
  // pending would forward reports it still accepts.
  ASSERT_TRUE(eventually(
      [&] { return metrics().find("fieldpulse_gateway_tokens_active 0") != std::string::npos; }));
  EXPECT_EQ(GatewayClient(port()).post("/v1/reports", token_, report_line("b")).status, 401u);
  EXPECT_EQ(topic_size(), 0);
}

TEST_F(GatewayTest, AnotherCadresReportIsForbiddenAndNothingOfTheRequestIsForwarded) {
  start();
  const std::string body = report_line("mine") + "\n" + report_line("theirs", kOtherCadre) + "\n";
  const auto reply = GatewayClient(port()).post("/v1/reports", token_, body);
  EXPECT_EQ(reply.status, 403u) << reply.body;
  EXPECT_NE(reply.body.find("line 2"), std::string::npos) << reply.body;
  EXPECT_EQ(topic_size(), 0);
}

TEST_F(GatewayTest, RateLimitAnswers429WithRetryAfter) {
  start({"--token-rate", "0.01", "--token-burst", "2"});
  GatewayClient client(port());
  EXPECT_EQ(client.post("/v1/reports", token_, report_line("1")).status, 202u);
  EXPECT_EQ(client.post("/v1/reports", token_, report_line("2")).status, 202u);
  const auto limited = client.post("/v1/reports", token_, report_line("3"));
  EXPECT_EQ(limited.status, 429u);
  ASSERT_FALSE(limited.retry_after.empty());
  EXPECT_GE(std::stoi(limited.retry_after), 1);
}

TEST_F(GatewayTest, BrokerDownAnswers503WithRetryAfterAndTheResendIsAcceptedOnceItIsBack) {
  start({"--ack-timeout-ms", "1500"});
  ASSERT_EQ(broker_->command("down 1"), "ok down 1");
  const auto down = GatewayClient(port()).post("/v1/reports", token_, report_line("later"));
  EXPECT_EQ(down.status, 503u) << down.body;
  EXPECT_FALSE(down.retry_after.empty());
  ASSERT_EQ(broker_->command("up 1"), "ok up 1");
  GatewayReply resent;
  EXPECT_TRUE(eventually(
      [&] {
        resent = GatewayClient(port()).post("/v1/reports", token_, report_line("later"));
        return resent.status == 202;
      },
      std::chrono::seconds(30)));
  EXPECT_EQ(resent.body, R"({"results":[{"line":1,"report_id":"later","status":"queued"}]})");
  // At least once; a second copy from the timed-out attempt is a duplicate the pipeline drops.
  const auto messages = topic(1);
  ASSERT_GE(messages.size(), 1u);
  EXPECT_EQ(messages[0].payload, report_line("later"));
}

TEST_F(GatewayTest, BeyondMaxInFlightRequestsAnswer503AndTheOneInFlightStillGetsItsReceipt) {
  start({"--max-in-flight", "1", "--ack-timeout-ms", "30000"});
  ASSERT_EQ(broker_->command("down 1"), "ok down 1");
  GatewayClient waiting(port());
  const std::string body = report_line("held");
  waiting.send_raw("POST /v1/reports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token_ +
                   "\r\nContent-Type: application/json\r\nContent-Length: " +
                   std::to_string(body.size()) + "\r\n\r\n" + body);
  ASSERT_TRUE(eventually([&] {
    return metrics().find("fieldpulse_gateway_requests_in_flight 1") != std::string::npos;
  }));
  const auto busy = GatewayClient(port()).post("/v1/reports", token_, report_line("more"));
  EXPECT_EQ(busy.status, 503u) << busy.body;
  EXPECT_EQ(busy.retry_after, "1");
  ASSERT_EQ(broker_->command("up 1"), "ok up 1");
  const auto receipt = waiting.read_reply();
  EXPECT_EQ(receipt.status, 202u) << receipt.body;
  EXPECT_EQ(topic(1).size(), 1u);
}

TEST_F(GatewayTest, OversizedBodiesAndTooManyLinesAre413) {
  start();
  std::string many;
  for (int i = 0; i < 501; ++i) many += report_line("m" + std::to_string(i)) + "\n";
  EXPECT_EQ(GatewayClient(port()).post("/v1/reports", token_, many).status, 413u);
  // Refused as soon as the header announces it: the body is never read.
  GatewayClient big(port());
  big.send_raw("POST /v1/reports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token_ +
               "\r\nContent-Type: application/x-ndjson\r\nContent-Length: 4194305\r\n\r\n");
  EXPECT_EQ(big.read_reply().status, 413u);
  // A chunked body has no length up front: refused once 4 MiB have been read.
  GatewayClient chunked(port());
  chunked.send_raw("POST /v1/reports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token_ +
                   "\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n");
  const std::string chunk(1 << 20, ' ');
  char size_line[32];
  std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
  try {
    for (int i = 0; i < 5; ++i) chunked.send_raw(size_line + chunk + "\r\n");
  } catch (const std::exception&) {
    // The gateway may close before the last chunk is written; its answer is still there.
  }
  EXPECT_EQ(chunked.read_reply().status, 413u);
  EXPECT_EQ(topic_size(), 0);
}

TEST_F(GatewayTest, SlowClientsTimeOutWhileOthersAreServed) {
  start({"--idle-timeout-ms", "800", "--read-timeout-ms", "800"});
  GatewayClient slow_header(port());
  slow_header.send_raw("POST /v1/reports HTTP/1.1\r\nHost: x\r\n");
  GatewayClient slow_body(port());
  slow_body.send_raw("POST /v1/reports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token_ +
                     "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"v\":");
  // Served while both slow clients hold their connections.
  EXPECT_EQ(GatewayClient(port()).post("/v1/reports", token_, report_line("quick")).status, 202u);
  EXPECT_TRUE(slow_header.closed_by_server());
  EXPECT_TRUE(slow_body.closed_by_server());
  EXPECT_EQ(topic_size(), 1);
}

TEST_F(GatewayTest, SighupReloadsTokensWithoutDroppingTheRequestInFlight) {
  // No polling: only the signal reloads.
  start({"--token-check-ms", "3600000", "--ack-timeout-ms", "30000"});
  ASSERT_EQ(broker_->command("down 1"), "ok down 1");
  GatewayClient waiting(port());
  const std::string body = report_line("in-flight");
  waiting.send_raw("POST /v1/reports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token_ +
                   "\r\nContent-Type: application/json\r\nContent-Length: " +
                   std::to_string(body.size()) + "\r\n\r\n" + body);
  ASSERT_TRUE(eventually([&] {
    return metrics().find("fieldpulse_gateway_requests_in_flight 1") != std::string::npos;
  }));
  ASSERT_EQ(
      run_fieldpulse({"token", "revoke", "--tokens", tokens_file_, "--device", "phone-1"}).status,
      0);
  const std::string fresh = issue_token(tokens_file_, kCadre, "phone-2");
  gateway_->process().send_signal(SIGHUP);
  ASSERT_TRUE(eventually([&] {
    return metrics().find(R"(fieldpulse_gateway_token_reloads_total{result="ok"} 2)") !=
           std::string::npos;
  }));
  ASSERT_EQ(broker_->command("up 1"), "ok up 1");
  EXPECT_EQ(waiting.read_reply().status, 202u);
  EXPECT_EQ(GatewayClient(port()).post("/v1/reports", token_, report_line("x")).status, 401u);
  EXPECT_EQ(GatewayClient(port()).post("/v1/reports", fresh, report_line("y")).status, 202u);
}

TEST_F(GatewayTest, KilledMidBatchEveryReceiptedReportIsOnTheTopic) {
  start();
  GatewayClient client(port());
  std::size_t receipted = 0;
  for (int batch = 0; batch < 10; ++batch) {
    std::string body;
    for (int i = 0; i < 50; ++i) body += report_line("k" + std::to_string(batch * 50 + i)) + "\n";
    ASSERT_EQ(client.post("/v1/reports", token_, body).status, 202u);
    receipted += 50;
  }
  std::string unreceipted;
  for (int i = 0; i < 50; ++i) unreceipted += report_line("u" + std::to_string(i)) + "\n";
  client.send_raw("POST /v1/reports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token_ +
                  "\r\nContent-Type: application/x-ndjson\r\nContent-Length: " +
                  std::to_string(unreceipted.size()) + "\r\n\r\n" + unreceipted);
  gateway_->process().send_signal(SIGKILL);
  gateway_->process().wait_for_exit(std::chrono::seconds(10));
  const auto messages = topic(receipted + 50, std::chrono::seconds(5));
  std::set<std::string> ids;
  for (const auto& m : messages) {
    const auto at = m.payload.find(R"("report_id":")") + 13;
    ids.insert(m.payload.substr(at, m.payload.find('"', at) - at));
  }
  for (std::size_t i = 0; i < receipted; ++i) {
    EXPECT_TRUE(ids.count("k" + std::to_string(i))) << "receipted report k" << i << " is lost";
  }
}

TEST_F(GatewayTest, ServesMetricsHealthReadinessAndTheCatalog) {
  start();
  ASSERT_EQ(GatewayClient(port()).post("/v1/reports", token_, report_line("m")).status, 202u);
  const std::string text = metrics();
  for (const char* name : {R"(fieldpulse_gateway_requests_total{code="202"} 1)",
                           R"(fieldpulse_gateway_reports_total{status="queued"} 1)",
                           "fieldpulse_gateway_request_duration_seconds_bucket",
                           "fieldpulse_gateway_requests_in_flight",
                           R"(fieldpulse_gateway_token_reloads_total{result="ok"})",
                           "fieldpulse_gateway_tokens_active 1"}) {
    EXPECT_NE(text.find(name), std::string::npos) << name;
  }
  EXPECT_EQ(GatewayClient(port()).get("/healthz").status, 200u);
  EXPECT_TRUE(eventually([&] { return GatewayClient(port()).get("/readyz").status == 200; }));
  const auto catalog = GatewayClient(port()).get("/v1/catalog");
  EXPECT_NE(catalog.body.find(R"({"name":"produce_sold","label":"帮助销售滞销农产品","fields":[)"
                              R"({"name":"jin","default":"0"},{"name":"yuan","default":"0"}]})"),
            std::string::npos)
      << catalog.body;
  const auto who = GatewayClient(port()).get("/v1/whoami", token_);
  EXPECT_NE(who.body.find(R"("region":{"code":"440823105201")"), std::string::npos) << who.body;
  EXPECT_EQ(GatewayClient(port()).get("/").content_type, "text/html; charset=utf-8");
}

TEST_F(GatewayTest, SigtermAnswersWhatIsInFlightAndExitsZero) {
  start();
  GatewayClient client(port());
  ASSERT_EQ(client.post("/v1/reports", token_, report_line("before")).status, 202u);
  gateway_->process().send_signal(SIGTERM);
  EXPECT_EQ(gateway_->process().wait_for_exit(std::chrono::seconds(10)), 0);
  EXPECT_EQ(topic_size(), 1);
}

TEST_F(GatewayTest, ReadinessFailsWhileTheBrokerIsDown) {
  start();
  ASSERT_TRUE(eventually([&] { return GatewayClient(port()).get("/readyz").status == 200; }));
  ASSERT_EQ(broker_->command("down 1"), "ok down 1");
  EXPECT_TRUE(eventually([&] { return GatewayClient(port()).get("/readyz").status == 503; }));
  ASSERT_EQ(broker_->command("up 1"), "ok up 1");
  EXPECT_TRUE(eventually([&] { return GatewayClient(port()).get("/readyz").status == 200; }));
}

TEST_F(GatewayTest, ServesHttpsWithItsOwnCertificate) {
  const std::string cert = dir_.file("cert.pem");
  const std::string key = dir_.file("key.pem");
  Subprocess openssl({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                      "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                      "-addext", "subjectAltName=IP:127.0.0.1"});
  ASSERT_EQ(openssl.wait_for_exit(std::chrono::seconds(60)), 0) << openssl.stderr_text();
  start({"--tls-cert", cert, "--tls-key", key});
  GatewayClient client(port(), cert);
  const auto reply = client.post("/v1/reports", token_, report_line("tls"));
  EXPECT_EQ(reply.status, 202u) << reply.body;
  EXPECT_EQ(client.get("/healthz").status, 200u);  // the same TLS connection, kept alive
  EXPECT_EQ(topic(1).size(), 1u);
}

TEST(GatewayCommand, BadFlagsExit2NamingTheFlag) {
  TempDir dir;
  const std::string tokens = dir.file("tokens.tsv");
  issue_token(tokens, kCadre, "phone-1");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--max-in-flight", "0"}, "--max-in-flight"},
      {{"--http", "nowhere"}, "--http"},
      {{"--tls-cert", tokens}, "--tls-key"},
      {{"--token-rate", "-1"}, "--token-rate"},
  };
  for (const auto& [extra, flag] : cases) {
    std::vector<std::string> args = {"gateway", "--brokers", "127.0.0.1:1", "--tokens", tokens};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = run_fieldpulse(args);
    EXPECT_EQ(r.status, 2) << flag;
    EXPECT_NE(r.err.find(flag), std::string::npos) << r.err;
  }
  const auto missing =
      run_fieldpulse({"gateway", "--brokers", "127.0.0.1:1", "--tokens", dir.file("absent.tsv")});
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.err.find("--tokens"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace fp::test
