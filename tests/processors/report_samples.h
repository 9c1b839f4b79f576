// A small catalog, roster and clock for report decoding tests and the fuzz target, and a
// builder for report payloads with one field changed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/catalog.h"
#include "model/roster.h"

namespace fp::samples {

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

[[kind]]
name = "infrastructure"
label = "沟渠、机耕路、农田改造"
fields = [
  { name = "canal_km", default = "0" },
  { name = "road_km", default = "0" },
  { name = "yuan", default = "0" },
]
)toml";

inline constexpr std::string_view kRosterJson = R"json({"version": 1,
 "city":     {"code": "4408", "name": "湛江市"},
 "counties": [{"code": "440823", "name": "遂溪县"}],
 "towns":    [{"code": "440823105", "name": "北坡镇", "county": "440823"}],
 "villages": [{"code": "440823105201", "name": "北塘村", "town": "440823105"},
              {"code": "440823105202", "name": "南塘村", "town": "440823105"}],
 "cadres":   [{"cadre_id": "C0001", "name": "曾海裕", "tier": "section",
               "region": "440823105201", "round": 1},
              {"cadre_id": "C0451", "name": "李明", "tier": "division",
               "region": "440823105", "round": 2}]})json";

inline Catalog catalog() { return Catalog::parse(kCatalogToml, "samples/catalog.toml"); }
inline Roster roster() { return Roster::parse(kRosterJson, "samples/roster.json"); }

// The processing clock of the tests: 2019-07-30T12:00:00+08:00.
inline constexpr std::int64_t kNowMs = 1564459200000LL;

// A valid produce_sold report as (name, raw JSON) pairs; `with` changes or removes one field.
class ReportBuilder {
 public:
  ReportBuilder()
      : fields_{{"v", "1"},
                {"report_id", R"("zj-2019-07-28-0451-003")"},
                {"cadre_id", R"("C0451")"},
                {"village", R"("440823105201")"},
                {"kind", R"("produce_sold")"},
                {"at", R"("2019-07-28T09:30:00+08:00")"},
                {"values", R"({"jin":130000,"yuan":91000.50})"},
                {"tags", R"({"crop":"辣椒"})"},
                {"note", R"("引进辣椒生产加工线")"}} {}

  // Sets `name` to the raw JSON text `raw` (appending it when new).
  ReportBuilder& with(std::string_view name, std::string_view raw) {
    for (auto& [n, r] : fields_) {
      if (n == name) {
        r = raw;
        return *this;
      }
    }
    fields_.emplace_back(name, raw);
    return *this;
  }
  ReportBuilder& without(std::string_view name) {
    std::erase_if(fields_, [name](const auto& f) { return f.first == name; });
    return *this;
  }

  [[nodiscard]] std::string json() const {
    std::string out = "{";
    for (const auto& [n, r] : fields_) {
      if (out.size() > 1) out += ',';
      out += '"' + n + "\":" + r;
    }
    return out + '}';
  }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

}  // namespace fp::samples
