// A request's query parameters and the checks the endpoints share (level, window, whole numbers).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/api_response.h"
#include "api/query_string.h"
#include "model/roster.h"

namespace fp {

// The days a window range or a silence may span (bounds a response's size).
inline constexpr std::int32_t kMaxWindowDays = 3660;
inline constexpr int kMaxSilentDays = 3660;

class RequestParameters {
 public:
  explicit RequestParameters(std::vector<QueryParameter> params) : params_(std::move(params)) {}

  // The value of `name`, or null when the request does not give it.
  [[nodiscard]] const std::string* get(std::string_view name) const;
  // The first parameter whose name is not in `allowed`, if any.
  [[nodiscard]] const std::string* unexpected(const std::vector<std::string_view>& allowed) const;

 private:
  std::vector<QueryParameter> params_;
};

// A check that fails yields the 400 to send.
template <typename T>
struct Checked {
  std::optional<T> value;
  std::optional<ApiResponse> error;
};

struct WindowRange {
  std::int32_t from;
  std::int32_t to;
};

std::optional<std::int64_t> parse_int(std::string_view text);
// "total", a day YYYY-MM-DD, or FROM..TO spanning fewer than kMaxWindowDays days.
Checked<WindowRange> parse_window(std::string_view text);
// The level named by `text` (absent: `fallback`); "cadre" only when `allow_cadre`.
Checked<Level> parse_level(const std::string* text, Level fallback, bool allow_cadre);

}  // namespace fp
