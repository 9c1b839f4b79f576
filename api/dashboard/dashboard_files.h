// The dashboard's files (index.html, dashboard.css, dashboard.js in this folder), compiled in.
#pragma once

#include <string_view>

#include "generated/dashboard_files.h"

namespace fp {

// The file a GET of `path` serves ("/" and "/index.html" are the page), or null.
const EmbeddedAsset* find_dashboard_file(std::string_view path);

}  // namespace fp
