// docs/metrics.md documents every declared metric, with its labels.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "metrics/pipeline_probe.h"

namespace fp {
namespace {

TEST(MetricsDoc, ListsEveryDeclaredMetricWithItsLabels) {
  std::ifstream in(FP_DATA_DIR "/../docs/metrics.md");
  ASSERT_TRUE(in) << "docs/metrics.md is missing";
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const MetricDeclaration& m : metric_declarations()) {
    std::string entry = "`" + std::string(m.name);
    if (!m.labels.empty()) entry += "{" + std::string(m.labels) + "}";
    entry += "`";
    EXPECT_NE(doc.find(entry), std::string::npos) << "docs/metrics.md lacks " << entry;
  }
}

}  // namespace
}  // namespace fp
