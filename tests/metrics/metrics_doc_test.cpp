// docs/metrics.md documents every declared metric, with its labels and the
// label values the code uses.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <string>
#include <string_view>

#include "metrics/pipeline_probe.h"
#include "sinks/registry.h"

namespace fp {
namespace {

std::string metrics_doc() {
  std::ifstream in(FP_DATA_DIR "/../docs/metrics.md");
  EXPECT_TRUE(in) << "docs/metrics.md is missing";
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The backquoted values after each "`label` is one of " up to the end of that
// sentence or table cell, e.g. "`sink` is one of `a`, `b` (…)" -> {a, b}.
std::set<std::string> documented_values(const std::string& doc, std::string_view label) {
  const std::string lead = "`" + std::string(label) + "` is one of ";
  std::set<std::string> values;
  for (auto at = doc.find(lead); at != std::string::npos; at = doc.find(lead, at + 1)) {
    const auto end = doc.find_first_of("(.|\n", at + lead.size());
    const std::string list = doc.substr(at + lead.size(), end - at - lead.size());
    for (auto open = list.find('`'); open != std::string::npos;) {
      const auto close = list.find('`', open + 1);
      if (close == std::string::npos) break;
      values.insert(list.substr(open + 1, close - open - 1));
      open = list.find('`', close + 1);
    }
  }
  return values;
}

TEST(MetricsDoc, ListsEveryDeclaredMetricWithItsLabels) {
  const std::string doc = metrics_doc();
  for (const MetricDeclaration& m : metric_declarations()) {
    std::string entry = "`" + std::string(m.name);
    if (!m.labels.empty()) entry += "{" + std::string(m.labels) + "}";
    entry += "`";
    EXPECT_NE(doc.find(entry), std::string::npos) << "docs/metrics.md lacks " << entry;
  }
}

// The sink label is the name each sink registers its probe under (its declared name).
TEST(MetricsDoc, SinkLabelValuesAreTheSinksNames) {
  const std::set<std::string> documented = documented_values(metrics_doc(), "sink");
  std::set<std::string> names;
  for (const SinkDeclaration* sink : sink_declarations()) names.emplace(sink->name);
  EXPECT_EQ(documented, names) << "docs/metrics.md: \"`sink` is one of ...\" differs from "
                                  "the sinks listed in sinks/registry.cpp";
}

TEST(MetricsDoc, DocumentedValuesReadsTheListUpToTheSentencesEnd) {
  EXPECT_EQ(documented_values("x; `sink` is one of `a`, `b-c` (each `d`). `e`", "sink"),
            (std::set<std::string>{"a", "b-c"}));
  EXPECT_EQ(documented_values("| `sink` is one of `progress`, `dlq` |", "sink"),
            (std::set<std::string>{"progress", "dlq"}));
  EXPECT_TRUE(documented_values("no list here", "sink").empty());
}

}  // namespace
}  // namespace fp
