#include "api/request_parameters.h"

#include <algorithm>
#include <charconv>

#include "model/civil_time.h"
#include "processors/core.h"  // kTotalWindow

namespace fp {

const std::string* RequestParameters::get(std::string_view name) const {
  for (const QueryParameter& p : params_) {
    if (p.name == name) return &p.value;
  }
  return nullptr;
}

const std::string* RequestParameters::unexpected(
    const std::vector<std::string_view>& allowed) const {
  for (const QueryParameter& p : params_) {
    if (std::find(allowed.begin(), allowed.end(), p.name) == allowed.end()) return &p.name;
  }
  return nullptr;
}

std::optional<std::int64_t> parse_int(std::string_view text) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return v;
}

Checked<WindowRange> parse_window(std::string_view text) {
  if (text == "total") return {WindowRange{kTotalWindow, kTotalWindow}, std::nullopt};
  const auto dots = text.find("..");
  if (dots == std::string_view::npos) {
    if (auto day = parse_day(text)) return {WindowRange{*day, *day}, std::nullopt};
    return {std::nullopt,
            bad_parameter("window", "expected total, a day YYYY-MM-DD or FROM..TO, got \"" +
                                        std::string(text) + "\"")};
  }
  auto from = parse_day(text.substr(0, dots));
  auto to = parse_day(text.substr(dots + 2));
  if (!from || !to) {
    return {std::nullopt, bad_parameter("window", "expected FROM..TO with days YYYY-MM-DD, got \"" +
                                                      std::string(text) + "\"")};
  }
  if (*from > *to) {
    return {std::nullopt,
            bad_parameter("window", "FROM is after TO in \"" + std::string(text) + "\"")};
  }
  if (*to - *from >= kMaxWindowDays) {
    return {std::nullopt, bad_parameter("window", "a range spans at most " +
                                                      std::to_string(kMaxWindowDays) + " days")};
  }
  return {WindowRange{*from, *to}, std::nullopt};
}

Checked<Level> parse_level(const std::string* text, Level fallback, bool allow_cadre) {
  if (!text) return {fallback, std::nullopt};
  auto level = level_from_string(*text);
  if (!level || (!allow_cadre && *level == Level::cadre)) {
    return {
        std::nullopt,
        bad_parameter("level", std::string("expected city, county, town, village") +
                                   (allow_cadre ? " or cadre" : "") + ", got \"" + *text + "\"")};
  }
  return {*level, std::nullopt};
}

}  // namespace fp
