// Small JSON text writers shared by the sinks' and the API's renderings.
#pragma once

#include <string>
#include <string_view>

namespace fp {

// Appends `s` as a JSON string literal (quotes included). Bytes that are not
// valid UTF-8 never reach here: callers check first (see is_valid_utf8).
void append_json_string(std::string& out, std::string_view s);

[[nodiscard]] bool is_valid_utf8(std::string_view s);

void append_base64(std::string& out, std::string_view bytes);

}  // namespace fp
