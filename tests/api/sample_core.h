// A processing core over a small two-county roster, fed with a few hand-made reports,
// for the metrics and HTTP API tests.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/catalog.h"
#include "model/roster.h"
#include "processors/core.h"

namespace fp::testing {

inline constexpr std::string_view kSampleRosterJson = R"json({"version": 1,
 "city":     {"code": "4408", "name": "湛江市"},
 "counties": [{"code": "440823", "name": "遂溪县"}, {"code": "440881", "name": "廉江市"}],
 "towns":    [{"code": "440823105", "name": "北坡镇", "county": "440823"},
              {"code": "440881101", "name": "长山镇", "county": "440881"}],
 "villages": [{"code": "440823105201", "name": "北塘村", "town": "440823105"},
              {"code": "440823105202", "name": "南塘村", "town": "440823105"},
              {"code": "440881101001", "name": "那凌村", "town": "440881101"}],
 "cadres":   [{"cadre_id": "C0001", "name": "曾海裕", "tier": "section",
               "region": "440823105201", "round": 1},
              {"cadre_id": "C0002", "name": "陈平", "tier": "section",
               "region": "440823105202", "round": 1},
              {"cadre_id": "C0003", "name": "林芳", "tier": "section",
               "region": "440881101001", "round": 2},
              {"cadre_id": "C0100", "name": "李明", "tier": "division",
               "region": "440823105", "round": 1}]})json";

// The processing clock: 2019-07-30T12:00:00+08:00.
inline constexpr std::int64_t kSampleNowMs = 1564459200000LL;

inline std::string sample_report(std::string_view id, std::string_view cadre,
                                 std::string_view village, std::string_view kind,
                                 std::string_view at, std::string_view values) {
  return std::string(R"({"v":1,"report_id":")") + std::string(id) + R"(","cadre_id":")" +
         std::string(cadre) + R"(","village":")" + std::string(village) + R"(","kind":")" +
         std::string(kind) + R"(","at":")" + std::string(at) + R"(","values":)" +
         std::string(values) + "}";
}

// The batch the tests feed: 3 accepted, 1 duplicate, 2 rejected.
//   funds_raised: 100.5 (440823, 2019-07-28) + 0.1 (440823, 2019-07-29)
//   produce_sold: 130000 jin, 91000.5 yuan (440881, 2019-07-28)
inline std::vector<std::string> sample_payloads() {
  return {
      sample_report("r1", "C0001", "440823105201", "funds_raised", "2019-07-28T09:30:00+08:00",
                    R"({"yuan":100.5})"),
      sample_report("r2", "C0002", "440823105202", "funds_raised", "2019-07-29T10:00:00+08:00",
                    R"({"yuan":0.1})"),
      sample_report("r3", "C0003", "440881101001", "produce_sold", "2019-07-28T08:00:00+08:00",
                    R"({"jin":130000,"yuan":91000.5})"),
      sample_report("r1", "C0001", "440823105201", "funds_raised", "2019-07-28T09:30:00+08:00",
                    R"({"yuan":999})"),  // resend of r1
      "{",                               // malformed_json
      sample_report("r4", "C0001", "440823105201", "no_such_kind", "2019-07-28T09:30:00+08:00",
                    "{}"),  // unknown_kind
  };
}

struct SampleCore {
  SampleCore()
      : catalog(std::make_shared<const Catalog>(Catalog::load(FP_DATA_DIR "/catalog.toml"))),
        roster(std::make_shared<const Roster>(Roster::parse(kSampleRosterJson, "sample-roster"))),
        core(catalog, roster, CoreOptions{}, [] { return kSampleNowMs; }) {}

  // Runs `payloads` through the core as one batch on partition 0, with Kafka
  // timestamps `timestamp_ms`.
  const BatchResult& feed(const std::vector<std::string>& payloads, std::int64_t timestamp_ms = 0) {
    messages.clear();
    for (std::size_t i = 0; i < payloads.size(); ++i) {
      RawMessage m;
      m.payload = payloads[i];
      m.topic = "field-reports";
      m.offset = next_offset++;
      m.timestamp_ms = timestamp_ms;
      messages.push_back(m);
    }
    core.process(messages, result);
    return result;
  }

  std::shared_ptr<const Catalog> catalog;
  std::shared_ptr<const Roster> roster;
  ProcessingCore core;
  std::vector<RawMessage> messages;
  BatchResult result;
  std::int64_t next_offset = 0;
};

}  // namespace fp::testing
