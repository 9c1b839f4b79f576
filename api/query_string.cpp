// Query-string splitting and percent-decoding.
#include "api/query_string.h"

namespace fp {
namespace {

int hex_value(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

std::optional<std::string> decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (ch == '+') {
      out += ' ';
    } else if (ch == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += ch;
    }
  }
  return out;
}

}  // namespace

std::optional<std::vector<QueryParameter>> parse_query(std::string_view query, QueryError& error) {
  std::vector<QueryParameter> out;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view piece = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (piece.empty()) continue;
    const auto eq = piece.find('=');
    const std::string_view raw_name = piece.substr(0, eq);
    const std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view{} : piece.substr(eq + 1);
    auto name = decode(raw_name);
    auto value = decode(raw_value);
    if (!name || !value) {
      error = {name ? *name : std::string(raw_name), "bad percent-encoding"};
      return std::nullopt;
    }
    for (const QueryParameter& p : out) {
      if (p.name == *name) {
        error = {*name, "given more than once"};
        return std::nullopt;
      }
    }
    out.push_back({std::move(*name), std::move(*value)});
  }
  return out;
}

}  // namespace fp
