// The dashboard page's HTML, kept inline so the binary serves it with no files around.
//
// The script keeps every number as the text the API wrote (its own small JSON
// reader returns numbers as strings), so an exact decimal such as
// 8999999999999.991 is never rounded through a double on its way to the screen.
// Stable ids and data attributes (data-key, data-metric, data-value) are part of
// the page's interface: the browser test reads the figures through them.
#include "api/dashboard/dashboard_page.h"

namespace fp {
namespace {

constexpr std::string_view kPage = R"html(<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>湛江“十百千”干部回乡 · 实时监测 — fieldpulse</title>
<style>
  :root { --fg: #1d1d1f; --muted: #555; --line: #d0d0d5; --bg: #f6f6f8; --card: #fff;
          --ok: #1b6e2e; --warn: #8a5a00; --bad: #b00020; }
  body { font-family: system-ui, "Noto Sans CJK SC", "PingFang SC", sans-serif; margin: 1.5rem;
         color: var(--fg); background: var(--bg); line-height: 1.4; }
  h1 { font-size: 1.4rem; margin: 0 0 0.3rem; }
  h2 { font-size: 1.1rem; margin: 1.8rem 0 0.5rem; }
  .status { display: flex; flex-wrap: wrap; gap: 0.4rem 1.5rem; font-size: 0.95rem; color: var(--muted); }
  #readiness[data-state="ready"] { color: var(--ok); }
  #readiness[data-state="catching-up"] { color: var(--warn); }
  #readiness[data-state="not-ready"], #readiness[data-state="data-gap"] { color: var(--bad); }
  #readiness-reasons { margin: 0.3rem 0 0; padding-left: 1.2rem; color: var(--bad); }
  #error { color: var(--bad); font-weight: 600; min-height: 1.4em; margin: 0.4rem 0; }
  .cards { display: flex; flex-wrap: wrap; gap: 0.8rem; margin: 1rem 0; }
  .card { background: var(--card); border: 1px solid var(--line); border-radius: 6px;
          padding: 0.7rem 1.1rem; min-width: 8.5rem; }
  .card .n { font-size: 1.6rem; font-variant-numeric: tabular-nums; }
  .card .l { color: var(--muted); font-size: 0.85rem; }
  .scroll { overflow-x: auto; max-width: 100%; }
  table { border-collapse: collapse; background: var(--card); }
  caption { text-align: left; color: var(--muted); font-size: 0.85rem; padding: 0.2rem 0; }
  td, th { border: 1px solid var(--line); padding: 0.3rem 0.7rem; text-align: left; vertical-align: top; }
  thead th { background: #ececf0; font-weight: 600; font-size: 0.9rem; }
  td.v { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
  td.none { color: #999; }
  tr.zero td.v { color: #999; }
  .bar { display: inline-block; height: 0.6rem; background: #4a78c2; vertical-align: middle; margin-right: 0.4rem; }
  .bar-track { display: inline-block; width: 6rem; background: #e1e1e8; vertical-align: middle; }
  .note { color: var(--muted); font-size: 0.85rem; }
  footer { margin-top: 2rem; font-size: 0.85rem; color: var(--muted); }
</style>
</head>
<body>
<header>
<h1>湛江“十百千”干部回乡 · 实时监测 <span class="note">fieldpulse live dashboard</span></h1>
<div class="status">
  <span>数据时间 as of: <time id="as-of">—</time></span>
  <span>刷新 refreshed: <span id="refreshed-at">—</span></span>
  <span>状态 readiness: <span id="readiness" data-state="unknown">—</span></span>
</div>
<ul id="readiness-reasons" aria-label="readiness reasons"></ul>
<p id="error" role="alert" data-failing=""></p>
</header>

<main>
<section aria-labelledby="h-reports">
<h2 id="h-reports">报告 Reports</h2>
<div class="cards">
  <div class="card"><div class="n" id="reports-consumed">—</div><div class="l">收到 consumed</div></div>
  <div class="card"><div class="n" id="reports-accepted">—</div><div class="l">接受 accepted</div></div>
  <div class="card"><div class="n" id="reports-duplicate">—</div><div class="l">重复 duplicate</div></div>
  <div class="card"><div class="n" id="reports-rejected">—</div><div class="l">拒收 rejected</div></div>
  <div class="card"><div class="n"><span id="cadres-reporting">—</span> / <span id="cadres-total">—</span></div>
    <div class="l">已上报干部 / 干部总数 cadres reporting / total</div></div>
</div>
<table>
  <caption>拒收原因 Rejected by reason</caption>
  <thead><tr><th scope="col">原因 reason</th><th scope="col">条数 reports</th></tr></thead>
  <tbody id="rejected-by-reason"></tbody>
</table>
</section>

<section aria-labelledby="h-counties">
<h2 id="h-counties">各县（市、区）进度 Progress by county <span class="note">(累计 total window)</span></h2>
<div class="scroll">
<table id="county-progress">
  <thead><tr id="county-progress-head"><th scope="col">县（市、区） county</th></tr></thead>
  <tbody id="county-progress-rows"></tbody>
</table>
</div>
<p class="note" id="county-progress-empty" hidden>暂无数据 no progress yet</p>
</section>

<section aria-labelledby="h-completeness">
<h2 id="h-completeness">今日上报完整度 Today's reporting completeness <span class="note">(<span id="completeness-date">—</span>, UTC+08:00)</span></h2>
<table>
  <thead><tr><th scope="col">县（市、区） county</th><th scope="col">已上报 reported</th>
    <th scope="col">应上报 cadres</th><th scope="col">比例 ratio</th></tr></thead>
  <tbody id="completeness-rows"></tbody>
</table>
</section>

<section aria-labelledby="h-silent">
<h2 id="h-silent">未上报干部 Silent cadres</h2>
<p>
  <label for="silent-days">近 last</label>
  <select id="silent-days">
    <option value="3">3</option><option value="7" selected>7</option>
    <option value="14">14</option><option value="30">30</option>
  </select>
  <span>天无上报 days without an accepted report:</span>
  <strong id="silent-count">—</strong> 人 cadres
  <span class="note" id="silent-shown"></span>
</p>
<div class="scroll">
<table>
  <thead><tr><th scope="col">干部 cadre</th><th scope="col">编号 id</th><th scope="col">层级 tier</th>
    <th scope="col">驻点 region</th><th scope="col">最后上报 last report</th></tr></thead>
  <tbody id="silent-rows"></tbody>
</table>
</div>
</section>

<section aria-labelledby="h-totals">
<h2 id="h-totals">全市累计 City totals <span class="note">(every metric with data)</span></h2>
<table>
  <thead><tr><th scope="col">指标 metric</th><th scope="col">名称 name</th><th scope="col">累计 total</th></tr></thead>
  <tbody id="city-totals"></tbody>
</table>
</section>
</main>

<footer>
每 2 秒自动刷新 refreshed every 2 s ·
<a href="/v1/summary">/v1/summary</a> · <a href="/v1/progress?level=county&amp;window=total">/v1/progress</a> ·
<a href="/v1/cadres/silent?days=7">/v1/cadres/silent</a> · <a href="/v1/completeness?level=county">/v1/completeness</a> ·
<a href="/readyz">/readyz</a> · <a href="/metrics">/metrics</a>
</footer>

<script>
"use strict";

const REFRESH_MS = 2000;
const SILENT_ROWS_SHOWN = 200;

// The county table's columns: the programme's headline figures (seed article).
const MAIN_METRICS = [
  ["research_report.count", "调研报告 (篇)", "research reports"],
  ["household_visit.households", "入户走访 (户)", "households visited"],
  ["policy_answer.people", "解答政策 (人次)", "policy answers"],
  ["funds_mobilized.yuan", "推动投入 (元)", "funds mobilised, yuan"],
  ["funds_raised.yuan", "筹措资金 (元)", "funds raised, yuan"],
  ["project_introduced.projects", "引进项目 (个)", "projects introduced"],
  ["project_landed.projects", "项目落地 (个)", "projects landed"],
  ["sage_studio_founded.studios", "乡贤工作室 (个)", "sage studios"],
  ["produce_sold.jin", "销售农产品 (斤)", "produce sold, jin"],
  ["infrastructure.canal_km", "沟渠 (km)", "canals, km"],
  ["infrastructure.road_km", "机耕路 (km)", "farm roads, km"],
];
const KIND_LABELS = {
  household_visit: "入户走访", research_report: "调研报告", diary_entry: "驻点日记",
  policy_answer: "解答扶贫政策", funds_mobilized: "协助推动各级投入", funds_raised: "筹措扶贫资金",
  project_introduced: "引进产业帮扶项目", project_landed: "产业扶贫项目落地",
  sage_studio_founded: "乡贤工作室", dispute_resolved: "化解矛盾纠纷",
  produce_sold: "帮助销售滞销农产品", infrastructure: "沟渠、机耕路、农田改造", land_planted: "流转土地种植",
};
const TIER_LABELS = { city_leader: "市领导", division: "处级", section: "科级及以下" };

// JSON.parse would turn 8999999999999.991 into a double and print ...99; this
// reader keeps every number as the text the server wrote.
function parseExact(text) {
  let i = 0;
  const numberRe = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
  const stringRe = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
  const fail = what => { throw new SyntaxError("bad JSON: " + what + " at " + i); };
  const ws = () => { while (i < text.length && " \t\n\r".includes(text[i])) i++; };
  const token = re => {
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m) return null;
    i = re.lastIndex;
    return m[0];
  };
  const str = () => {
    const t = token(stringRe);
    if (t === null) fail("string expected");
    return JSON.parse(t);
  };
  const expect = c => { ws(); if (text[i] !== c) fail("'" + c + "' expected"); i++; };
  function value() {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const o = Object.create(null);
      ws();
      if (text[i] === "}") { i++; return o; }
      for (;;) {
        ws();
        const k = str();
        expect(":");
        o[k] = value();
        ws();
        if (text[i] === ",") { i++; continue; }
        expect("}");
        return o;
      }
    }
    if (c === "[") {
      i++;
      const a = [];
      ws();
      if (text[i] === "]") { i++; return a; }
      for (;;) {
        a.push(value());
        ws();
        if (text[i] === ",") { i++; continue; }
        expect("]");
        return a;
      }
    }
    if (c === '"') return str();
    for (const [word, v] of [["true", true], ["false", false], ["null", null]]) {
      if (text.startsWith(word, i)) { i += word.length; return v; }
    }
    const n = token(numberRe);
    if (n === null) fail("value expected");
    return n;
  }
  const v = value();
  ws();
  if (i !== text.length) fail("trailing text");
  return v;
}

// "19200000.5" -> "19,200,000.5": digit grouping only, the digits stay as sent.
function grouped(text) {
  const s = String(text);
  const m = /^(-?)([0-9]+)(\.[0-9]+)?$/.exec(s);
  if (!m) return s;
  return m[1] + m[2].replace(/\B(?=([0-9]{3})+(?![0-9]))/g, ",") + (m[3] || "");
}

// "0.333" -> "33.3%", by moving the decimal point in the text.
function percent(ratio) {
  const m = /^([0-9]+)(?:\.([0-9]{1,3}))?$/.exec(String(ratio));
  if (!m) return String(ratio);
  const milli = (m[1] + (m[2] || "").padEnd(3, "0")).replace(/^0+(?=[0-9]{2})/, "");
  const whole = milli.slice(0, -1) || "0";
  const tenth = milli.slice(-1);
  return (tenth === "0" ? whole : whole + "." + tenth) + "%";
}

function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

// A number cell: the grouped text to read, the exact API text in data-value.
function setNumber(el, apiText) {
  const raw = apiText === undefined || apiText === null ? "" : String(apiText);
  if (el.dataset.value !== raw || el.textContent === "") {
    el.dataset.value = raw;
    el.textContent = raw === "" ? "—" : grouped(raw);
  }
}

function byId(id) { return document.getElementById(id); }

// Updates a tbody (or list) in place, one child per item keyed by data-key:
// children are reused and only changed text is written, so a refresh does not
// flicker or lose a selection.
function syncRows(parent, items, keyOf, build, update, tag = "tr") {
  const old = new Map();
  for (const child of parent.children) old.set(child.dataset.key, child);
  let before = parent.firstElementChild;
  for (const item of items) {
    const key = keyOf(item);
    let el = old.get(key);
    if (el) old.delete(key);
    else { el = document.createElement(tag); el.dataset.key = key; build(el, item); }
    update(el, item);
    if (el !== before) parent.insertBefore(el, before);
    else before = before.nextElementSibling;
  }
  for (const el of old.values()) el.remove();
}

function cell(tr, tag, cls) {
  const c = document.createElement(tag);
  if (cls) c.className = cls;
  if (tag === "th") c.scope = "row";
  tr.append(c);
  return c;
}

function metricLabel(name) {
  const dot = name.indexOf(".");
  const kind = dot < 0 ? name : name.slice(0, dot);
  const field = dot < 0 ? "" : name.slice(dot + 1);
  const label = KIND_LABELS[kind];
  if (!label) return name;
  return label + (field === "count" ? " (报告数 reports)" : " · " + field);
}

async function fetchJson(path, okStatuses) {
  const r = await fetch(path, { cache: "no-store", headers: { Accept: "application/json" } });
  const text = await r.text();
  if (!r.ok && !(okStatuses || []).includes(r.status)) {
    let detail = "";
    try { detail = ": " + (parseExact(text).error || ""); } catch (_) { /* not JSON */ }
    throw new Error("HTTP " + r.status + detail);
  }
  return { status: r.status, body: parseExact(text) };
}

function renderSummary(s) {
  const as = byId("as-of");
  setText(as, s.as_of);
  as.dateTime = s.as_of;
  for (const k of ["consumed", "accepted", "duplicate", "rejected"]) {
    setNumber(byId("reports-" + k), s.reports[k]);
  }
  setNumber(byId("cadres-reporting"), s.cadres.reporting);
  setNumber(byId("cadres-total"), s.cadres.total);
  const reasons = Object.keys(s.reports.rejected_by_reason).map(r => [r, s.reports.rejected_by_reason[r]]);
  syncRows(byId("rejected-by-reason"), reasons, r => r[0],
    (tr, r) => { cell(tr, "th").textContent = r[0]; cell(tr, "td", "v"); },
    (tr, r) => { setNumber(tr.cells[1], r[1]); tr.classList.toggle("zero", r[1] === "0"); });
  const totals = Object.keys(s.totals).sort().map(m => [m, s.totals[m]]);
  syncRows(byId("city-totals"), totals, t => t[0],
    (tr, t) => {
      const c = cell(tr, "th"); c.textContent = t[0]; c.dataset.metric = t[0];
      cell(tr, "td").textContent = metricLabel(t[0]);
      cell(tr, "td", "v").dataset.metric = t[0];
    },
    (tr, t) => setNumber(tr.cells[2], t[1]));
}

function renderCountyProgress(doc) {
  const head = byId("county-progress-head");
  if (head.cells.length === 1) {
    for (const [metric, zh, en] of MAIN_METRICS) {
      const th = document.createElement("th");
      th.scope = "col";
      th.dataset.metric = metric;
      th.title = metric;
      th.append(zh, document.createElement("br"), en);
      head.append(th);
    }
  }
  const counties = new Map();
  for (const row of doc.rows) {
    if (row.level !== "county" || row.window !== "total") continue;
    if (!counties.has(row.id)) counties.set(row.id, { id: row.id, name: row.name, values: {} });
    counties.get(row.id).values[row.metric] = row.value;
  }
  const items = [...counties.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  syncRows(byId("county-progress-rows"), items, c => c.id,
    (tr, c) => {
      const th = cell(tr, "th");
      th.dataset.field = "name";
      th.title = c.id;
      for (const [metric] of MAIN_METRICS) cell(tr, "td", "v").dataset.metric = metric;
    },
    (tr, c) => {
      setText(tr.cells[0], c.name);
      MAIN_METRICS.forEach(([metric], j) => {
        const td = tr.cells[j + 1];
        setNumber(td, c.values[metric]);
        td.classList.toggle("none", c.values[metric] === undefined);
      });
    });
  byId("county-progress-empty").hidden = items.length > 0;
}

function renderCompleteness(doc) {
  setText(byId("completeness-date"), doc.date);
  syncRows(byId("completeness-rows"), doc.regions, r => r.id,
    (tr, r) => {
      const th = cell(tr, "th"); th.dataset.field = "name"; th.title = r.id;
      cell(tr, "td", "v").dataset.field = "reported";
      cell(tr, "td", "v").dataset.field = "total";
      const ratio = cell(tr, "td", "v");
      ratio.dataset.field = "ratio";
      const track = document.createElement("span"); track.className = "bar-track";
      const bar = document.createElement("span"); bar.className = "bar";
      track.append(bar);
      const pct = document.createElement("span"); pct.className = "pct";
      ratio.append(track, pct);
    },
    (tr, r) => {
      setText(tr.cells[0], r.name);
      setNumber(tr.cells[1], r.reported);
      setNumber(tr.cells[2], r.total);
      const ratio = tr.cells[3];
      ratio.dataset.value = r.ratio;
      setText(ratio.querySelector(".pct"), percent(r.ratio));
      // The bar's width is presentation only; the figure beside it is exact.
      ratio.querySelector(".bar").style.width = Math.min(100, Number(r.ratio) * 100) + "%";
    });
}

function renderSilent(doc) {
  const all = doc.cadres.slice().sort((a, b) => {
    // Never reported first, then the longest silent.
    if (a.last_report === b.last_report) return a.cadre_id < b.cadre_id ? -1 : 1;
    if (a.last_report === null) return -1;
    if (b.last_report === null) return 1;
    return a.last_report < b.last_report ? -1 : 1;
  });
  const shown = all.slice(0, SILENT_ROWS_SHOWN);
  setText(byId("silent-count"), String(all.length));
  byId("silent-count").dataset.value = String(all.length);
  setText(byId("silent-shown"), all.length > shown.length
    ? "(显示最久未上报的 " + shown.length + " 人 showing the " + shown.length + " longest silent)" : "");
  syncRows(byId("silent-rows"), shown, c => c.cadre_id,
    (tr) => {
      cell(tr, "th").dataset.field = "name";
      cell(tr, "td").dataset.field = "cadre_id";
      cell(tr, "td").dataset.field = "tier";
      cell(tr, "td").dataset.field = "region";
      cell(tr, "td").dataset.field = "last_report";
    },
    (tr, c) => {
      setText(tr.cells[0], c.name);
      setText(tr.cells[1], c.cadre_id);
      setText(tr.cells[2], (TIER_LABELS[c.tier] || c.tier) + " " + c.tier);
      setText(tr.cells[3], c.region_name);
      tr.cells[3].title = c.region;
      setText(tr.cells[4], c.last_report === null ? "从未上报 never" : c.last_report);
    });
}

function renderReadiness(res) {
  const reasons = res.body.reasons || [];
  const el = byId("readiness");
  let state = "ready";
  let text = "就绪 ready";
  if (res.body.ready !== true) {
    if (reasons.some(r => r.startsWith("data gap"))) { state = "data-gap"; text = "数据缺口 data gap"; }
    else if (reasons.length > 0 && reasons.every(r => r.startsWith("catching up"))) {
      state = "catching-up"; text = "追赶中 catching up";
    } else { state = "not-ready"; text = "未就绪 not ready"; }
  }
  el.dataset.state = state;
  setText(el, text);
  syncRows(byId("readiness-reasons"), reasons, r => r, () => {}, (li, r) => setText(li, r), "li");
}

const SOURCES = [
  { path: () => "/v1/summary", render: renderSummary },
  { path: () => "/v1/progress?level=county&window=total", render: d => renderCountyProgress(d) },
  // No date: the server's own "today" in China Standard Time, echoed in the answer.
  { path: () => "/v1/completeness?level=county", render: renderCompleteness },
  { path: () => "/v1/cadres/silent?days=" + byId("silent-days").value, render: renderSilent },
  { path: () => "/readyz", ok: [503], raw: true, render: renderReadiness },
];

let timer = null;
let running = false;
let again = false;
async function refresh() {
  clearTimeout(timer);
  if (running) { again = true; return; }
  running = true;
  try {
    await refreshOnce();
  } finally {
    running = false;
  }
  if (again) { again = false; refresh(); }
  else timer = setTimeout(refresh, REFRESH_MS);
}

// Fetches everything at once and then updates the page in one go.
async function refreshOnce() {
  const results = await Promise.allSettled(SOURCES.map(s => fetchJson(s.path(), s.ok)));
  const errors = [];
  results.forEach((r, k) => {
    const src = SOURCES[k];
    if (r.status === "fulfilled") {
      try { src.render(src.raw ? r.value : r.value.body); }
      catch (e) { errors.push(src.path() + ": " + e.message); }
    } else {
      errors.push(src.path() + ": " + (r.reason && r.reason.message ? r.reason.message : r.reason));
    }
  });
  const now = new Date();
  const error = byId("error");
  if (errors.length) {
    setText(error, "无法加载 cannot load (" + now.toLocaleTimeString() + ") — " + errors.join("; "));
    error.dataset.failing = String(errors.length);
  } else {
    setText(error, "");
    error.dataset.failing = "";
  }
  setText(byId("refreshed-at"), now.toLocaleTimeString());
}

byId("silent-days").addEventListener("change", refresh);
refresh();
</script>
</body>
</html>
)html";

}  // namespace

std::string_view dashboard_page_html() { return kPage; }

}  // namespace fp
