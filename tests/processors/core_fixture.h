// A small hand-made catalog and roster, and report payloads, for the core's tests.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/catalog.h"
#include "model/civil_time.h"
#include "model/roster.h"
#include "processors/core.h"

namespace fp::core_test {

inline constexpr std::string_view kCatalogToml = R"toml(
[[kind]]
name = "household_visit"
label = "入户走访"
fields = [{ name = "households", default = "1" }]

[[kind]]
name = "funds_raised"
label = "筹措扶贫资金"
fields = [{ name = "yuan" }]

[[kind]]
name = "produce_sold"
label = "帮助销售滞销农产品"
fields = [{ name = "jin", default = "0" }, { name = "yuan", default = "0" }]
)toml";

// Two counties; county 440823 has towns 105 (two villages) and 106 (one), county
// 440881 one town with one village. A city leader on 440823, a division cadre on
// 440823105, and one section cadre per village.
inline constexpr std::string_view kRosterJson = R"json({"version": 1,
 "city": {"code": "4408", "name": "湛江市"},
 "counties": [{"code": "440823", "name": "遂溪县"}, {"code": "440881", "name": "廉江市"}],
 "towns": [{"code": "440823105", "name": "北坡镇", "county": "440823"},
           {"code": "440823106", "name": "港门镇", "county": "440823"},
           {"code": "440881101", "name": "长山镇", "county": "440881"}],
 "villages": [{"code": "440823105201", "name": "北塘村", "town": "440823105"},
              {"code": "440823105202", "name": "南塘村", "town": "440823105"},
              {"code": "440823106201", "name": "港门村", "town": "440823106"},
              {"code": "440881101201", "name": "那凌村", "town": "440881101"}],
 "cadres": [{"cadre_id": "L001", "name": "甲", "tier": "city_leader", "region": "440823", "round": 1},
            {"cadre_id": "D001", "name": "乙", "tier": "division", "region": "440823105", "round": 1},
            {"cadre_id": "S001", "name": "丙", "tier": "section", "region": "440823105201", "round": 1},
            {"cadre_id": "S002", "name": "丁", "tier": "section", "region": "440823105202", "round": 1},
            {"cadre_id": "S003", "name": "戊", "tier": "section", "region": "440823106201", "round": 2},
            {"cadre_id": "S004", "name": "己", "tier": "section", "region": "440881101201", "round": 2}]})json";

// The processing clock: 2019-08-01T12:00:00+08:00.
inline constexpr std::int64_t kNowMs = 1564632000000LL;

inline std::shared_ptr<const Catalog> catalog() {
  return std::make_shared<const Catalog>(Catalog::parse(kCatalogToml, "test/catalog.toml"));
}
inline std::shared_ptr<const Roster> roster() {
  return std::make_shared<const Roster>(Roster::parse(kRosterJson, "test/roster.json"));
}

inline std::unique_ptr<ProcessingCore> make_core(CoreOptions options = {}) {
  return std::make_unique<ProcessingCore>(catalog(), roster(), options, [] { return kNowMs; });
}

// One report payload; `values` is the raw JSON object.
inline std::string report(std::string_view id, std::string_view cadre, std::string_view village,
                          std::string_view kind, std::string_view at,
                          std::string_view values = "{}") {
  std::string out = R"({"v":1,"report_id":")";
  out += id;
  out += R"(","cadre_id":")";
  out += cadre;
  out += R"(","village":")";
  out += village;
  out += R"(","kind":")";
  out += kind;
  out += R"(","at":")";
  out += at;
  out += R"(","values":)";
  out += values;
  out += '}';
  return out;
}

// The keys a batch moved, each once, with their global values now.
inline std::vector<ProgressChange> changes_of(const ProcessingCore& core, const BatchResult& r) {
  std::vector<ProgressBlockId> blocks;
  for (const ProgressBlockId block : r.moved_blocks) {
    if (std::find(blocks.begin(), blocks.end(), block) == blocks.end()) blocks.push_back(block);
  }
  std::vector<ProgressChange> out;
  for (const ProgressBlockId block : blocks) core.block_changes(block, out);
  return out;
}

// Runs `payloads` as one batch on `partition` (offsets from `first_offset`).
inline BatchResult run(ProcessingCore& core, const std::vector<std::string>& payloads,
                       std::int32_t partition = 0, std::int64_t first_offset = 0) {
  std::vector<RawMessage> batch;
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    RawMessage m;
    m.payload = payloads[i];
    m.topic = "field-reports";
    m.partition = partition;
    m.offset = first_offset + static_cast<std::int64_t>(i);
    batch.push_back(m);
  }
  BatchResult result;
  core.process(batch, result);
  return result;
}

inline MetricId metric(const ProcessingCore& core, std::string_view name) {
  const auto& names = core.metric_names();
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<MetricId>(i);
  }
  throw std::invalid_argument("no metric " + std::string(name));
}

inline std::uint32_t region(const ProcessingCore& core, std::string_view code) {
  return *core.roster().find_region(code);
}
inline std::uint32_t cadre(const ProcessingCore& core, std::string_view id) {
  return *core.roster().find_cadre(id);
}

// The global value of one cell, or 0 with no data.
inline DecimalSum value(const ProcessingCore& core, Level level, std::uint32_t entity, MetricId m,
                        std::int32_t window = kTotalWindow) {
  ProgressQuery q;
  q.level = level;
  q.entity = entity;
  q.metric = m;
  q.from_window = window;
  q.to_window = window;
  const auto rows = core.progress(q);
  return rows.empty() ? DecimalSum{} : rows.front().value.value;
}

inline std::string str(DecimalSum d) { return d.to_string(); }

}  // namespace fp::core_test
