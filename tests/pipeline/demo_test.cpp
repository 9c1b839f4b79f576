// `fieldpulse demo`: starts with no set-up, reports a growing accepted count, stops on SIGINT.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>

#include "tests/pipeline/pipeline_harness.h"
#include "tests/support/subprocess.h"

namespace fp::test {
namespace {

using std::chrono::seconds;

TEST(PipelineDemo, ServesAGrowingSummaryAndExitsZeroOnSigint) {
  Subprocess demo(
      {FP_BINARY, "demo", "--http", "127.0.0.1:0", "--rate", "400", "--roster", roster_path()},
      inherit_stderr());
  const auto line = demo.read_stdout_line(seconds(60));
  ASSERT_TRUE(line.has_value()) << "no 'serving' line on stdout";
  const auto port = serving_port(*line);
  ASSERT_TRUE(port.has_value()) << *line;

  const auto first = await_summary(
      *port, [](const SummaryFigures& f) { return f.accepted > 0; }, seconds(60));
  ASSERT_TRUE(first.has_value());
  ASSERT_GT(first->accepted, 0u);
  const auto later = await_summary(
      *port, [&](const SummaryFigures& f) { return f.accepted > first->accepted; }, seconds(30));
  ASSERT_TRUE(later.has_value());
  EXPECT_GT(later->accepted, first->accepted);
  EXPECT_EQ(later->consumed, later->accepted + later->duplicate + later->rejected);

  const auto start = std::chrono::steady_clock::now();
  demo.send_signal(SIGINT);
  EXPECT_EQ(demo.wait_for_exit(seconds(30)), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(10));
}

}  // namespace
}  // namespace fp::test
