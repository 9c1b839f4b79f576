// Small helpers for writing JSON text by hand (the API's documents are flat and few).
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace fp::json {

// Appends `s` as a JSON string literal. Bytes >= 0x80 are copied as they are
// (names come from the UTF-8-validated roster); control characters are escaped.
inline void append_string(std::string& out, std::string_view s) {
  out += '"';
  for (char ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (u < 0x20 || u == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", u);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

inline std::string quoted(std::string_view s) {
  std::string out;
  append_string(out, s);
  return out;
}

// Appends `"key":` (key is a plain ASCII literal).
inline void append_key(std::string& out, std::string_view key) {
  out += '"';
  out += key;
  out += "\":";
}

}  // namespace fp::json
