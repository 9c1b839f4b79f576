// The dashboard's script (served as /dashboard.js, compiled into the binary).
//
// It keeps every number as the text the API wrote (its own small JSON reader
// returns numbers as strings), so an exact decimal such as 8999999999999.991 is
// never rounded through a double on its way to the screen. Stable ids and data
// attributes (data-key, data-metric, data-value) are part of the page's
// interface: the browser test reads the figures through them.
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
