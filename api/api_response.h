// One HTTP answer of the read side and the error documents every endpoint shares.
#pragma once

#include <string>
#include <string_view>

namespace fp {

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

ApiResponse json_response(int status, std::string body);
// {"error":"bad parameter","parameter":..,"detail":..} with status 400.
ApiResponse bad_parameter(std::string_view parameter, std::string_view detail);
// {"error":..} with `status`.
ApiResponse error_response(int status, std::string_view error);

// Appends `"key":` (key is a plain ASCII literal).
void append_key(std::string& out, std::string_view key);

}  // namespace fp
