// The dashboard page's HTML, kept inline so the binary serves it with no files around.
#include "sinks/http_api/dashboard/dashboard_page.h"

namespace fp {
namespace {

constexpr std::string_view kPage = R"html(<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>fieldpulse</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; background: #fafafa; }
  h1 { font-size: 1.4rem; margin-bottom: 0.2rem; }
  #as_of, #status { color: #666; font-size: 0.9rem; }
  .cards { display: flex; flex-wrap: wrap; gap: 1rem; margin: 1.5rem 0; }
  .card { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 0.8rem 1.2rem; min-width: 8rem; }
  .card .n { font-size: 1.6rem; font-variant-numeric: tabular-nums; }
  .card .l { color: #666; font-size: 0.85rem; }
  table { border-collapse: collapse; background: #fff; }
  td, th { border: 1px solid #ddd; padding: 0.3rem 0.8rem; text-align: left; }
  td.v { text-align: right; font-variant-numeric: tabular-nums; }
</style>
</head>
<body>
<h1>fieldpulse — 湛江 “十百千” field reports</h1>
<div id="as_of">waiting for data…</div>
<div class="cards" id="cards"></div>
<h2>City totals</h2>
<table><thead><tr><th>metric</th><th>total</th></tr></thead><tbody id="totals"></tbody></table>
<p id="status"></p>
<p><a href="/v1/summary">/v1/summary</a> · <a href="/metrics">/metrics</a> · <a href="/readyz">/readyz</a></p>
<script>
"use strict";
function card(label, value) {
  const d = document.createElement("div");
  d.className = "card";
  const n = document.createElement("div"); n.className = "n"; n.textContent = value;
  const l = document.createElement("div"); l.className = "l"; l.textContent = label;
  d.append(n, l);
  return d;
}
async function refresh() {
  try {
    const r = await fetch("/v1/summary", {cache: "no-store"});
    if (!r.ok) throw new Error("HTTP " + r.status);
    const s = await r.json();
    document.getElementById("as_of").textContent = "as of " + s.as_of;
    document.getElementById("cards").replaceChildren(
      card("consumed", s.reports.consumed), card("accepted", s.reports.accepted),
      card("duplicate", s.reports.duplicate), card("rejected", s.reports.rejected),
      card("cadres reporting", s.cadres.reporting + " / " + s.cadres.total));
    const rows = Object.keys(s.totals).sort().map(k => {
      const tr = document.createElement("tr");
      const a = document.createElement("td"); a.textContent = k;
      const b = document.createElement("td"); b.className = "v"; b.textContent = s.totals[k];
      tr.append(a, b);
      return tr;
    });
    document.getElementById("totals").replaceChildren(...rows);
    document.getElementById("status").textContent = "";
  } catch (e) {
    document.getElementById("status").textContent = "cannot load /v1/summary: " + e.message;
  }
}
refresh();
setInterval(refresh, 2000);
</script>
</body>
</html>
)html";

}  // namespace

std::string_view dashboard_page_html() { return kPage; }

}  // namespace fp
