// The field form: builds one form per catalog kind, keeps every report in
// localStorage until the gateway gives it a receipt, and resends with the same
// report_id until then (contract section 8). Stable ids and data attributes
// (data-kind, data-report-id, data-status, data-reason) are the page's interface
// for tests; values are kept as the digits typed, never rounded through a double.
"use strict";

const TEXT = {
  zh: {
    title: "驻村工作上报", device: "本机口令", token: "口令（管理员发放）", save: "保存",
    new_report: "新报告", kind: "类型", sent_reports: "本机报告", village: "村（12位代码）",
    at: "时间", note: "备注（可不填）", submit: "提交", online: "在线", offline: "离线：报告先存在本机，联网后自动发送",
    queued: "待发送", sent: "已送达", rejected: "被拒", refused: "无法接收", failed: "失败",
    no_token: "请先输入口令", bad_token: "口令无效或已吊销，请联系管理员", whoami: "当前干部",
    bad_number: "请填写不超过三位小数的非负数", summary: "待发送 {q} · 已送达 {s} · 被拒 {r}",
    forbidden: "口令与干部不符", other: "English",
  },
  en: {
    title: "Field report", device: "This device's token", token: "Token (from the administrator)",
    save: "Save", new_report: "New report", kind: "Kind", sent_reports: "Reports on this phone",
    village: "Village (12-digit code)", at: "When", note: "Note (optional)", submit: "Submit",
    online: "Online", offline: "Offline: reports are kept on this phone and sent when the network returns",
    queued: "queued", sent: "sent", rejected: "rejected", refused: "refused", failed: "failed",
    no_token: "Enter the token first", bad_token: "Token unknown or revoked: ask the administrator",
    whoami: "Cadre", bad_number: "Enter a non-negative number with at most 3 decimals",
    summary: "queued {q} · sent {s} · rejected {r}", forbidden: "token is not this cadre's", other: "中文",
  },
};

const store = {
  get(key, fallback) {
    try { const v = localStorage.getItem("fp." + key); return v === null ? fallback : JSON.parse(v); }
    catch (e) { return fallback; }
  },
  set(key, value) { localStorage.setItem("fp." + key, JSON.stringify(value)); },
};

let lang = store.get("lang", "zh");
let me = store.get("me", null);  // {cadre_id, region: {code}} from /v1/whoami
let retryTimer = null;
let retryDelay = 2000;
let sending = false;
let tokenRefused = false;  // 401: wait for a new token rather than retry

const $ = (id) => document.getElementById(id);
const t = (key) => TEXT[lang][key] || key;

function newReportId() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));  // also outside secure contexts
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

// The phone's local time as RFC 3339 with its offset, e.g. 2019-07-28T09:30:00+08:00.
function rfc3339(date) {
  const p = (n) => String(n).padStart(2, "0");
  const off = -date.getTimezoneOffset();
  const sign = off >= 0 ? "+" : "-";
  return date.getFullYear() + "-" + p(date.getMonth() + 1) + "-" + p(date.getDate()) + "T" +
    p(date.getHours()) + ":" + p(date.getMinutes()) + ":" + p(date.getSeconds()) + sign +
    p(Math.floor(Math.abs(off) / 60)) + ":" + p(Math.abs(off) % 60);
}

function localInputValue(date) {
  return rfc3339(date).slice(0, 16);
}

function queue() { return store.get("queue", []); }
function saveQueue(q) { store.set("queue", q); render(); }

function applyLanguage() {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  $("lang-toggle").textContent = t("other");
  render();
}

function field(labelKey, input) {
  const label = document.createElement("label");
  const span = document.createElement("span");
  span.dataset.i18n = labelKey;
  span.textContent = t(labelKey);
  label.append(span, input);
  return label;
}

function buildForms(catalog) {
  const select = $("kind-select");
  const holder = $("kind-forms");
  select.textContent = "";
  holder.textContent = "";
  catalog.kinds.forEach((kind, i) => {
    const option = document.createElement("option");
    option.value = kind.name;
    option.textContent = kind.label + " · " + kind.name;
    select.append(option);
    const form = document.createElement("form");
    form.className = "kind-form";
    form.id = "form-" + kind.name;
    form.dataset.kind = kind.name;
    form.hidden = i !== 0;
    const village = document.createElement("input");
    village.name = "village";
    village.inputMode = "numeric";
    village.pattern = "[0-9]{12}";
    village.required = true;
    form.append(field("village", village));
    for (const f of kind.fields) {
      const input = document.createElement("input");
      input.name = "value:" + f.name;
      input.dataset.field = f.name;
      input.inputMode = "decimal";
      input.required = f.default === null;
      if (f.default !== null) input.value = f.default;
      const label = field("value", input);
      label.firstChild.textContent = f.name;
      delete label.firstChild.dataset.i18n;
      form.append(label);
    }
    const at = document.createElement("input");
    at.type = "datetime-local";
    at.name = "at";
    form.append(field("at", at));
    const note = document.createElement("textarea");
    note.name = "note";
    note.maxLength = 1000;
    form.append(field("note", note));
    const submit = document.createElement("button");
    submit.type = "submit";
    submit.dataset.i18n = "submit";
    submit.textContent = t("submit");
    form.append(submit);
    const error = document.createElement("p");
    error.className = "error";
    form.append(error);
    form.addEventListener("submit", (e) => { e.preventDefault(); submitForm(form, kind); });
    holder.append(form);
  });
  select.onchange = () => {
    holder.querySelectorAll(".kind-form").forEach((f) => { f.hidden = f.dataset.kind !== select.value; });
  };
  fillDefaults();
}

function fillDefaults() {
  document.querySelectorAll(".kind-form").forEach((form) => {
    if (me && me.region && me.region.code.length === 12 && !form.village.value) {
      form.village.value = me.region.code;
    }
    if (!form.at.value) form.at.value = localInputValue(new Date());
  });
}

// Builds the report's JSON text; numbers are the typed digits, so they stay exact.
function submitForm(form, kind) {
  const error = form.querySelector(".error");
  error.textContent = "";
  if (!store.get("token", "") || !me) { error.textContent = t("no_token"); return; }
  const values = [];
  for (const f of kind.fields) {
    const text = form.elements["value:" + f.name].value.trim();
    if (text === "" && f.default !== null) continue;
    if (!/^[0-9]{1,13}(\.[0-9]{1,3})?$/.test(text)) { error.textContent = t("bad_number"); return; }
    values.push(JSON.stringify(f.name) + ":" + text);
  }
  const when = form.at.value ? new Date(form.at.value) : new Date();
  const id = newReportId();
  let json = '{"v":1,"report_id":' + JSON.stringify(id) + ',"cadre_id":' + JSON.stringify(me.cadre_id) +
    ',"village":' + JSON.stringify(form.village.value.trim()) + ',"kind":' + JSON.stringify(kind.name) +
    ',"at":' + JSON.stringify(rfc3339(when)) + ',"values":{' + values.join(",") + "}";
  if (form.note.value.trim()) json += ',"note":' + JSON.stringify(form.note.value.trim());
  json += "}";
  const q = queue();
  q.unshift({ id, kind: kind.name, body: json, status: "queued", created: Date.now() });
  saveQueue(q.slice(0, 500));
  form.note.value = "";
  form.at.value = localInputValue(new Date());
  send();
}

function render() {
  const list = $("queue");
  if (!list) return;
  const q = queue();
  list.textContent = "";
  const count = { queued: 0, sent: 0, rejected: 0 };
  for (const r of q) {
    const li = document.createElement("li");
    li.dataset.reportId = r.id;
    li.dataset.status = r.status;
    if (r.reason) li.dataset.reason = r.reason;
    const status = document.createElement("span");
    status.className = "status";
    status.textContent = t(r.status);
    const what = document.createElement("span");
    what.textContent = " " + r.kind + (r.reason ? " — " + r.reason + (r.detail ? ": " + r.detail : "") : "");
    const id = document.createElement("div");
    id.className = "id";
    id.textContent = r.id;
    li.append(status, what, id);
    list.append(li);
    if (r.status === "queued") count.queued++;
    else if (r.status === "sent") count.sent++;
    else count.rejected++;
  }
  document.body.dataset.queued = count.queued;
  document.body.dataset.sent = count.sent;
  $("queue-summary").textContent = t("summary").replace("{q}", count.queued)
    .replace("{s}", count.sent).replace("{r}", count.rejected);
  const online = navigator.onLine;
  $("net").dataset.online = String(online);
  $("net").textContent = online ? t("online") : t("offline");
  $("whoami").dataset.cadre = me ? me.cadre_id : "";
  $("whoami").textContent = me ? t("whoami") + ": " + me.cadre_id + (me.name ? " " + me.name : "") : t("no_token");
}

function retryLater(seconds) {
  clearTimeout(retryTimer);
  const delay = seconds ? seconds * 1000 : retryDelay;
  retryDelay = Math.min(retryDelay * 2, 60000);
  retryTimer = setTimeout(send, delay);
}

function authHeader() { return { Authorization: "Bearer " + store.get("token", "") }; }

// Sends every queued report (the same report_id each time) until each has a receipt.
async function send() {
  clearTimeout(retryTimer);
  retryTimer = null;
  if (sending || tokenRefused) return;
  const batch = queue().filter((r) => r.status === "queued").slice(-500).reverse();
  if (batch.length === 0 || !store.get("token", "")) return;
  sending = true;
  try {
    const res = await fetch("/v1/reports", {
      method: "POST",
      headers: Object.assign({ "Content-Type": "application/x-ndjson" }, authHeader()),
      body: batch.map((r) => r.body).join("\n") + "\n",
    });
    if (res.status === 202) {
      const receipts = (await res.json()).results;
      settle(batch, (r, i) => {
        const receipt = receipts[i] || {};
        r.status = receipt.status === "queued" ? "sent" : (receipt.status || "failed");
        r.reason = receipt.reason;
        r.detail = receipt.detail;
      });
      retryDelay = 2000;
    } else if (res.status === 401) {
      tokenRefused = true;
      me = null;
      store.set("me", null);
      render();
    } else if (res.status === 403) {
      settle(batch, (r) => { r.status = "rejected"; r.reason = "forbidden"; r.detail = t("forbidden"); });
    } else if (res.status === 429 || res.status === 503 || res.status >= 500) {
      retryLater(Number(res.headers.get("Retry-After")) || 0);
    } else {
      const why = await res.text();
      settle(batch, (r) => { r.status = "failed"; r.reason = "http_" + res.status; r.detail = why; });
    }
  } catch (e) {
    retryLater(0);  // no network: keep them, try again
  } finally {
    sending = false;
    render();
  }
  if (queue().some((r) => r.status === "queued") && !retryTimer) retryLater(0);
}

function settle(batch, update) {
  const q = queue();
  batch.forEach((sent, i) => {
    const r = q.find((x) => x.id === sent.id);
    if (r) update(r, i);
  });
  saveQueue(q);
}

async function whoami() {
  const token = store.get("token", "");
  if (!token) { me = null; render(); return; }
  try {
    const res = await fetch("/v1/whoami", { headers: authHeader() });
    if (res.ok) me = await res.json();
    else if (res.status === 401) me = null;
    store.set("me", me);
    $("token-form").dataset.result = res.ok ? "ok" : "refused";
  } catch (e) { /* offline: keep the cadre we knew */ }
  fillDefaults();
  render();
}

async function loadCatalog() {
  let catalog = store.get("catalog", null);
  try {
    const res = await fetch("/v1/catalog");
    if (res.ok) { catalog = await res.json(); store.set("catalog", catalog); }
  } catch (e) { /* offline: the copy from the last visit */ }
  if (catalog) buildForms(catalog);
  document.body.dataset.kinds = catalog ? catalog.kinds.length : 0;
}

// A token handed over in the address (#token=..., as the demo prints it) is kept
// and removed from the address bar; the fragment never reaches a server.
function tokenFromAddress() {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!m) return;
  store.set("token", decodeURIComponent(m[1]));
  history.replaceState(null, "", location.pathname + location.search);
}

async function start() {
  tokenFromAddress();
  $("lang-toggle").onclick = () => { lang = lang === "zh" ? "en" : "zh"; store.set("lang", lang); applyLanguage(); };
  $("token-form").addEventListener("submit", (e) => {
    e.preventDefault();
    store.set("token", $("token").value.trim());
    tokenRefused = false;
    $("token").value = "";
    whoami().then(send);
  });
  window.addEventListener("online", () => { retryDelay = 2000; send(); render(); });
  window.addEventListener("offline", render);
  applyLanguage();
  await Promise.all([loadCatalog(), whoami()]);
  document.body.dataset.state = "ready";
  render();
  send();
}

start();
