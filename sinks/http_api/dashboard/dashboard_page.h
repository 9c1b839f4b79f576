// The live dashboard served at GET /: one self-contained HTML page (no external assets).
#pragma once

#include <string_view>

namespace fp {

// Polls /v1/summary every 2 s and shows the report counts, cadres and city totals.
std::string_view dashboard_page_html();

}  // namespace fp
