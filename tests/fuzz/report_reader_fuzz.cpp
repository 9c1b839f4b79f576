// libFuzzer target over ReportReader::read (decode + validate): no input may crash, leak or
// trip a sanitizer; every outcome must be consistent with the contract and with simdjson's
// eager DOM validation of the same bytes.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "model/civil_time.h"
#include "processors/decoder.h"
#include "processors/report_reader.h"
#include "tests/processors/report_samples.h"

namespace {

using namespace fp;

void require(bool condition, const char* what, const Rejection& why) {
  if (condition) return;
  std::fprintf(stderr, "invariant broken: %s (reason %s, detail %s)\n", what,
               std::string(to_string(why.reason)).c_str(), why.detail.c_str());
  std::abort();
}

struct Fixture {
  Catalog catalog = samples::catalog();
  Roster roster = samples::roster();
  CoreOptions options;
  ReportReader reader{catalog, roster, options, [] { return samples::kNowMs; }};
  simdjson::dom::parser dom;
};

void check_accepted(const Fixture& f, const Report& r, const Rejection& why) {
  require(!r.report_id.empty() && r.report_id.size() <= 64, "report_id length", why);
  require(r.kind < f.catalog.kinds().size(), "kind id", why);
  require(
      r.village < f.roster.regions().size() && f.roster.region(r.village).level == Level::village,
      "village id", why);
  require(r.cadre < f.roster.cadres().size(), "cadre id", why);
  require(r.at_ms >= f.options.programme_start_ms &&
              r.at_ms <= samples::kNowMs + f.options.future_skew_ms,
          "at within the accepted window", why);
  require(r.cst_day == cst_day(r.at_ms), "cst_day", why);
  for (const Decimal& d : r.values) {
    require(d.milli >= 0 && d.milli <= Decimal::kMaxMilli, "value range", why);
  }
}

void check_against_dom(Fixture& f, std::string_view payload, bool accepted, const Rejection& why) {
  if (payload.size() > kMaxPayloadBytes) {
    require(!accepted && why.reason == Reason::too_large, "too_large", why);
    return;
  }
  if (!simdjson::validate_utf8(payload.data(), payload.size())) {
    require(!accepted && why.reason == Reason::invalid_utf8, "invalid_utf8", why);
    return;
  }
  simdjson::dom::element root;
  const auto error = f.dom.parse(payload.data(), payload.size()).get(root);
  // The DOM parser also rejects numbers a double cannot hold and its own depth limit.
  if (error == simdjson::NUMBER_ERROR || error == simdjson::DEPTH_ERROR) return;
  if (error != simdjson::SUCCESS) {
    require(!accepted && why.reason == Reason::malformed_json, "DOM rejects: malformed_json", why);
  } else if (!root.is_object()) {
    require(!accepted && why.reason == Reason::not_an_object, "DOM: not an object", why);
  } else if (!accepted && why.reason == Reason::malformed_json) {
    require(why.detail.find("appears twice") != std::string::npos ||
                why.detail.find("nested too deeply") != std::string::npos,
            "DOM accepts: only duplicate keys or nesting make it malformed", why);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture* fixture = new Fixture();  // lives for the whole run
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  Report report;
  Rejection why;
  const bool accepted = fixture->reader.read(payload, report, why);
  if (accepted) {
    check_accepted(*fixture, report, why);
  } else {
    require(!why.detail.empty(), "a rejection has a detail", why);
    require(static_cast<std::size_t>(why.reason) < kReasonCount, "reason in range", why);
  }
  check_against_dom(*fixture, payload, accepted, why);
  return 0;
}
