#include "api/api_response.h"

#include "model/json_text.h"

namespace fp {
namespace {

// Request text echoed in an error: kept as it is when valid UTF-8, else its
// non-ASCII bytes become '?', so the error document is always valid JSON.
std::string printable(std::string_view text) {
  std::string out(text);
  if (!is_valid_utf8(out)) {
    for (char& ch : out) {
      if (static_cast<unsigned char>(ch) >= 0x80) ch = '?';
    }
  }
  return out;
}

}  // namespace

ApiResponse json_response(int status, std::string body) {
  return ApiResponse{status, "application/json", std::move(body)};
}

ApiResponse bad_parameter(std::string_view parameter, std::string_view detail) {
  std::string body = "{\"error\":\"bad parameter\",\"parameter\":";
  append_json_string(body, printable(parameter));
  body += ",\"detail\":";
  append_json_string(body, printable(detail));
  body += '}';
  return json_response(400, std::move(body));
}

ApiResponse error_response(int status, std::string_view error) {
  std::string body = "{\"error\":";
  append_json_string(body, error);
  body += '}';
  return json_response(status, std::move(body));
}

void append_key(std::string& out, std::string_view key) {
  out += '"';
  out += key;
  out += "\":";
}

}  // namespace fp
