// The live dashboard served at GET /: one self-contained HTML page (no external assets).
#pragma once

#include <string_view>

namespace fp {

// Polls /v1/summary, /v1/progress (counties, total window), /v1/completeness (today),
// /v1/cadres/silent and /readyz every 2 s and shows them, numbers exactly as sent.
std::string_view dashboard_page_html();

}  // namespace fp
