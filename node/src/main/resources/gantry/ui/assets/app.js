// Gantry web UI. No framework and no build: the page reads the /v1 HTTP API, then follows
// /v1/event/stream (NDJSON) from the index its reads were answered at, and applies each event's
// object to what it shows. The DOM is built from text (textContent), never from HTML.
"use strict";

// Set once per page load; a test (and a curious user) can check that nothing reloaded the page.
window.gantryLoadedAt = Date.now() + "-" + Math.random().toString(36).slice(2);

const TOKEN_KEY = "gantry.token";
const TOKEN_HEADER = "X-Gantry-Token";
/** The server sends a heartbeat line every 10 s; silence for longer means the connection is dead. */
const STREAM_SILENCE_MS = 25000;
const MAX_EVENTS = 40;
/** How often the home page reads the leader's measured use (agents report every 5 s by default). */
const LIVE_EVERY_MS = 5000;

const jobName = (() => {
  const m = location.pathname.match(/^\/ui\/jobs\/([^/]+)\/?$/);
  return m ? decodeURIComponent(m[1]) : null;
})();

const state = {
  jobs: new Map(), allocs: new Map(), nodes: new Map(), deployments: new Map(),
  events: [], lastIndex: 0, stream: null,
  // node id -> NodeMetrics, the leader's live view (not in the event stream: it is not replicated)
  live: new Map(),
};

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

// ---- the HTTP API ----

function headers(extra) {
  const h = Object.assign({}, extra);
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) h[TOKEN_HEADER] = token;
  return h;
}

async function api(method, path, body) {
  const init = { method, headers: headers(body === undefined ? {} : { "Content-Type": "application/json" }) };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(path, init);
  const text = await res.text();
  let data = {};
  try { data = text ? JSON.parse(text) : {}; } catch (e) { data = { error: text }; }
  if (!res.ok) throw new ApiError(res.status, data.error || res.status + " " + res.statusText);
  return data;
}

const num = (v) => Number(v || 0);
const lower = (enumName, prefix) => (enumName || (prefix + "UNSPECIFIED")).slice(prefix.length).toLowerCase();
const jobStatus = (j) => lower(j.status, "JOB_STATUS_");
const clientStatus = (a) => lower(a.clientStatus, "CLIENT_STATUS_");
const desiredStatus = (a) => lower(a.desiredStatus, "DESIRED_STATUS_");
const isRunning = (a) => a.desiredStatus === "DESIRED_STATUS_RUN" && a.clientStatus === "CLIENT_STATUS_RUNNING";
/** Holds resources on its node: wanted running and not finished. */
const holdsResources = (a) => a.desiredStatus === "DESIRED_STATUS_RUN"
  && (a.clientStatus === "CLIENT_STATUS_PENDING" || a.clientStatus === "CLIENT_STATUS_RUNNING");

/**
 * Puts a list's objects into a map unless the map holds a newer one (an event applied while the
 * list was read), and drops what the list no longer has unless it changed after the list's index.
 */
function merge(map, list, keyOf, appliedIndex) {
  const seen = new Set();
  for (const o of list) {
    const k = keyOf(o);
    seen.add(k);
    const cur = map.get(k);
    if (!cur || num(cur.modifyIndex) <= num(o.modifyIndex)) map.set(k, o);
  }
  for (const [k, o] of map) {
    if (!seen.has(k) && num(o.modifyIndex) <= appliedIndex) map.delete(k);
  }
}

async function loadHome() {
  const [jobs, allocs, nodes] = await Promise.all([
    api("GET", "/v1/jobs"), api("GET", "/v1/allocations"), api("GET", "/v1/nodes")]);
  merge(state.jobs, jobs.jobs || [], (j) => j.name, num(jobs.appliedIndex));
  merge(state.allocs, allocs.allocations || [], (a) => a.id, num(allocs.appliedIndex));
  merge(state.nodes, nodes.nodes || [], (n) => n.id, num(nodes.appliedIndex));
  return Math.min(num(jobs.appliedIndex), num(allocs.appliedIndex), num(nodes.appliedIndex));
}

/**
 * The measured CPU and memory of each node, from the leader's live view. A follower has none
 * (503), nor has a token without nodes:read (403): the columns then show "-".
 */
async function loadLive() {
  try {
    const live = await api("GET", "/v1/metrics/live");
    state.live = new Map(Object.entries(live.nodes || {}));
  } catch (e) {
    state.live = new Map();
  }
  renderSoon();
}

async function loadJob() {
  const path = "/v1/job/" + encodeURIComponent(jobName);
  const [job, allocs, deps] = await Promise.all([
    api("GET", path), api("GET", path + "/allocations"),
    api("GET", "/v1/deployments?job=" + encodeURIComponent(jobName))]);
  merge(state.jobs, [job.job], (j) => j.name, num(job.appliedIndex));
  merge(state.allocs, allocs.allocations || [], (a) => a.id, num(allocs.appliedIndex));
  merge(state.deployments, deps.deployments || [], (d) => d.id, 0);
  // From the job's creation on the first load, so "Recent events" has its history (as much as
  // this manager still keeps); events older than what the reads returned change nothing.
  if (state.lastIndex === 0) return Math.max(0, num(job.job.createIndex) - 1);
  return Math.min(num(job.appliedIndex), num(allocs.appliedIndex));
}

const load = () => (jobName ? loadJob() : loadHome());

// ---- the event stream ----

const TOPICS = { job: "jobs", allocation: "allocs", node: "nodes", deployment: "deployments" };

function concernsThisPage(ev, obj, map) {
  if (!jobName) return ev.topic !== "deployment";
  if (ev.topic === "job") return ev.key === jobName;
  if (ev.topic === "node") return false;
  return obj ? obj.job === jobName : map.has(ev.key);
}

function applyEvent(ev) {
  const index = num(ev.index);
  state.lastIndex = Math.max(state.lastIndex, index);
  const mapName = TOPICS[ev.topic];
  if (!mapName) return;
  const map = state[mapName];
  const obj = ev[ev.topic];
  if (!concernsThisPage(ev, obj, map)) return;
  if (jobName) {
    state.events.unshift(ev);
    state.events.length = Math.min(state.events.length, MAX_EVENTS);
  }
  renderSoon();
  const cur = map.get(ev.key);
  if (cur && num(cur.modifyIndex) > index) return; // the page holds a newer copy already
  if (ev.type === "deleted" || !obj) map.delete(ev.key); else map.set(ev.key, obj);
}

/** Calls onLine with each JSON line of an NDJSON body until it ends; rejects on a broken connection. */
async function readLines(body, onLine, onChunk) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    onChunk();
    buf += decoder.decode(value, { stream: true });
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i).trim();
      buf = buf.slice(i + 1);
      if (line) onLine(JSON.parse(line));
    }
  }
}

/** Follows the stream from state.lastIndex, reconnecting from the last event seen, until stopped. */
function follow() {
  if (state.stream) {
    state.stream.stopped = true;
    if (state.stream.controller) state.stream.controller.abort();
  }
  const me = { stopped: false, controller: null };
  state.stream = me;
  const topics = jobName ? ["job", "allocation", "deployment"] : ["job", "allocation", "node"];
  (async () => {
    let delay = 500;
    while (!me.stopped) {
      me.controller = new AbortController();
      let watchdog = null;
      const pet = () => { clearTimeout(watchdog); watchdog = setTimeout(() => me.controller.abort(), STREAM_SILENCE_MS); };
      try {
        const q = topics.map((t) => "topic=" + t).join("&") + "&index=" + state.lastIndex;
        pet();
        const res = await fetch("/v1/event/stream?" + q, { headers: headers({}), signal: me.controller.signal });
        if (!res.ok) {
          const body = await res.json().catch(() => ({}));
          throw new ApiError(res.status, body.error || res.status + " " + res.statusText);
        }
        setLive(true);
        delay = 500;
        await readLines(res.body, (line) => {
          if (line.error) throw new Error("the server ended the event stream: " + line.error);
          if (line.lost) { resync(); return; } // events were dropped here: read the lists again
          if (line.index !== undefined) applyEvent(line);
        }, pet);
      } catch (e) {
        if (e instanceof ApiError && e.status === 403) { clearTimeout(watchdog); askToken(e.message); return; }
      } finally {
        clearTimeout(watchdog);
        me.controller.abort(); // lets go of the connection whichever way the stream ended
      }
      if (me.stopped) return;
      setLive(false);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 10000);
    }
  })();
}

function resync() {
  load().then(renderSoon, showError);
}

// ---- rendering ----

const $ = (id) => document.getElementById(id);

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function statusCell(text) {
  return el("td", text, "status s-" + text);
}

/** Keeps one row per item, in order, made by create and refreshed by update: inputs keep their focus. */
function syncRows(tbody, items, keyOf, create, update) {
  const old = new Map([...tbody.children].map((tr) => [tr.dataset.key, tr]));
  let at = 0;
  for (const item of items) {
    const key = keyOf(item);
    let tr = old.get(key);
    if (!tr) { tr = create(item); tr.dataset.key = key; }
    old.delete(key);
    update(tr, item);
    if (tbody.children[at] !== tr) tbody.insertBefore(tr, tbody.children[at] || null);
    at++;
  }
  for (const tr of old.values()) tr.remove();
}

function setCells(tr, values) {
  values.forEach((v, i) => {
    const td = tr.children[i];
    if (v instanceof Node) { td.replaceChildren(v); return; }
    if (td.textContent !== String(v)) td.textContent = String(v);
    if (td.classList.contains("status")) td.className = "status s-" + v;
  });
}

function jobAllocs(name) {
  return [...state.allocs.values()].filter((a) => a.job === name);
}

/** Replicas the job wants: the groups' counts (absent means 1); 0 once stopped; system jobs one per placed node. */
function desiredOf(job, allocs, group) {
  if (job.status === "JOB_STATUS_STOPPED") return 0;
  const spec = job.spec || {};
  const groups = (spec.groups || []).filter((g) => group === undefined || g.name === group);
  if (spec.type === "system") {
    return allocs.filter((a) => a.desiredStatus === "DESIRED_STATUS_RUN" && (group === undefined || a.group === group)).length;
  }
  return groups.reduce((n, g) => n + (g.count === undefined ? 1 : g.count), 0);
}

function runningOf(allocs, group) {
  return allocs.filter((a) => isRunning(a) && (group === undefined || a.group === group)).length;
}

function health(a) {
  if (a.deployHealth && a.deployHealth.status) return a.deployHealth.status;
  const tasks = Object.values(a.tasks || {});
  if (tasks.some((t) => t.health === "unhealthy")) return "unhealthy";
  if (tasks.length && tasks.every((t) => t.health === "healthy")) return "healthy";
  return "-";
}

function usage(used, total, unit, scale) {
  const span = el("span");
  const m = el("meter");
  m.min = 0; m.max = Math.max(total, 1); m.value = used;
  span.append(m, el("span", (used / scale).toFixed(scale === 1 ? 0 : 2) + " / " + (total / scale).toFixed(scale === 1 ? 0 : 2) + " " + unit));
  return span;
}

/** A node's measured figure as the leader last heard it, or "-" when there is none. */
function measured(nodeId, format) {
  const m = state.live.get(nodeId);
  return m ? format(m) : "-";
}

function renderHome() {
  const jobs = [...state.jobs.values()].sort((a, b) => a.name.localeCompare(b.name));
  $("jobs-empty").hidden = jobs.length > 0;
  syncRows($("jobs").tBodies[0], jobs, (j) => j.name, (j) => {
    const tr = el("tr");
    const link = el("a", j.name);
    link.href = "/ui/jobs/" + encodeURIComponent(j.name);
    const name = el("td"); name.append(link);
    tr.append(name, el("td"), el("td", "", "status"), el("td", "", "num"), el("td", "", "num running"));
    return tr;
  }, (tr, j) => {
    const allocs = jobAllocs(j.name);
    setCells(tr, [tr.children[0].firstChild, (j.spec && j.spec.type) || "service", jobStatus(j), num(j.version),
      runningOf(allocs) + " / " + desiredOf(j, allocs)]);
  });

  const nodes = [...state.nodes.values()].sort((a, b) => a.name.localeCompare(b.name));
  const held = [...state.allocs.values()].filter(holdsResources);
  syncRows($("nodes").tBodies[0], nodes, (n) => n.id, () => {
    const tr = el("tr");
    tr.append(el("td"), el("td", "", "status"), el("td"), el("td", "", "num"), el("td", "", "num"), el("td", "", "num"),
      el("td", "", "num used-cpu"), el("td", "", "num used-mem"));
    return tr;
  }, (tr, n) => {
    const mine = held.filter((a) => a.nodeId === n.id);
    const cpu = mine.reduce((s, a) => s + num(a.resources && a.resources.cpu), 0);
    const mem = mine.reduce((s, a) => s + num(a.resources && a.resources.memory), 0);
    const cap = n.capacity || {};
    setCells(tr, [n.name, lower(n.status, "NODE_STATUS_"), n.draining ? "draining" : (n.eligible ? "yes" : "no"),
      usage(cpu, num(cap.cpu), "cores", 1000), usage(mem, num(cap.memory), "MiB", 1), mine.length,
      measured(n.id, (m) => num(m.cpuPercent).toFixed(1) + " %"), measured(n.id, (m) => num(m.memoryUsedMb) + " MiB")]);
  });
}

function renderJob() {
  const job = state.jobs.get(jobName);
  if (!job) { showError("job " + jobName + " is gone (purged)"); return; }
  const allocs = jobAllocs(jobName);
  $("job-name").textContent = job.name;
  const status = jobStatus(job);
  $("job-status").textContent = status;
  $("job-status").className = "status s-" + status;
  $("job-type").textContent = (job.spec && job.spec.type) || "service";
  $("job-version").textContent = num(job.version);
  $("job-running").textContent = runningOf(allocs) + " / " + desiredOf(job, allocs);
  $("stop").disabled = job.status === "JOB_STATUS_STOPPED";

  syncRows($("groups").tBodies[0], (job.spec && job.spec.groups) || [], (g) => g.name, (g) => {
    const tr = el("tr");
    const input = el("input");
    input.type = "number"; input.min = "0"; input.step = "1";
    input.setAttribute("aria-label", "count of group " + g.name);
    const button = el("button", "Scale");
    button.type = "button";
    button.addEventListener("click", () => scale(g.name, input, button));
    const cell = el("td"); cell.append(input, " ", button);
    tr.append(el("td", g.name), el("td", "", "num"), cell);
    return tr;
  }, (tr, g) => {
    tr.children[1].textContent = runningOf(allocs, g.name) + " / " + desiredOf(job, allocs, g.name);
    const input = tr.querySelector("input");
    if (document.activeElement !== input && !input.dataset.edited) input.value = g.count === undefined ? 1 : g.count;
    tr.querySelector("button").disabled = job.status === "JOB_STATUS_STOPPED" || (job.spec && job.spec.type === "system");
  });

  const shown = allocs.filter((a) => a.desiredStatus === "DESIRED_STATUS_RUN" || a.clientStatus === "CLIENT_STATUS_RUNNING"
    || a.clientStatus === "CLIENT_STATUS_PENDING").concat(allocs.filter((a) => a.desiredStatus !== "DESIRED_STATUS_RUN"
    && a.clientStatus !== "CLIENT_STATUS_RUNNING" && a.clientStatus !== "CLIENT_STATUS_PENDING")
    .sort((a, b) => num(b.modifyIndex) - num(a.modifyIndex)).slice(0, 10));
  const slot = (a) => a.group + "/" + String(num(a.index)).padStart(6, "0");
  shown.sort((a, b) => slot(a).localeCompare(slot(b)) || num(b.createIndex) - num(a.createIndex));
  syncRows($("allocs").tBodies[0], shown, (a) => a.id, () => {
    const tr = el("tr");
    tr.append(el("td", "", "id"), el("td"), el("td"), el("td", "", "num"), el("td", "", "status"), el("td"), el("td", "", "status"));
    return tr;
  }, (tr, a) => {
    setCells(tr, [a.id.slice(0, 8), a.group + "[" + num(a.index) + "]", a.nodeName || a.nodeId || "-", num(a.jobVersion),
      clientStatus(a), desiredStatus(a), health(a)]);
    tr.title = a.clientDescription || a.desiredDescription || "";
  });

  renderDeployment();
  $("events").replaceChildren(...state.events.map(describeEvent));
}

function renderDeployment() {
  const deps = [...state.deployments.values()].filter((d) => d.job === jobName)
    .sort((a, b) => num(b.createIndex) - num(a.createIndex));
  const box = $("deployment");
  if (!deps.length) { box.replaceChildren(el("p", "None.", "note")); return; }
  const d = deps[0];
  const status = lower(d.status, "DEPLOYMENT_STATUS_");
  const head = el("p");
  head.append(el("span", d.id.slice(0, 8) + " ", "id"), "version " + num(d.jobVersion) + " ", el("span", status, "status s-" + status));
  if (d.statusDescription) head.append(" — " + d.statusDescription);
  const list = el("ul");
  for (const [g, s] of Object.entries(d.groups || {})) {
    list.append(el("li", g + ": " + num(s.placed) + " placed, " + num(s.healthy) + " healthy, "
      + num(s.unhealthy) + " unhealthy of " + num(s.desired)));
  }
  box.replaceChildren(head, list);
}

function describeEvent(ev) {
  const obj = ev[ev.topic];
  let what = ev.type;
  if (ev.topic === "allocation" && obj) {
    what += ": allocation " + obj.id.slice(0, 8) + " " + clientStatus(obj) + " (desired " + desiredStatus(obj) + ")"
      + (obj.nodeName ? " on " + obj.nodeName : "");
  } else if (ev.topic === "job" && obj) {
    what += ": version " + num(obj.version) + ", " + jobStatus(obj) + (obj.versionReason ? " — " + obj.versionReason : "");
  } else if (ev.topic === "deployment" && obj) {
    what += ": deployment " + obj.id.slice(0, 8) + " " + lower(obj.status, "DEPLOYMENT_STATUS_");
  } else {
    what += " " + ev.key;
  }
  const li = el("li");
  li.append(el("span", "#" + num(ev.index) + " ", "note"), what);
  return li;
}

let renderPending = false;
function renderSoon() {
  if (renderPending) return;
  renderPending = true;
  setTimeout(() => {
    renderPending = false;
    if (jobName) renderJob(); else renderHome();
  }, 30);
}

function setLive(on) {
  $("live").textContent = on ? "live" : "reconnecting";
  $("live").className = on ? "live" : "live off";
}

function showError(e) {
  if (e instanceof ApiError && e.status === 403) { askToken(e.message); return; }
  $("error").textContent = e instanceof Error ? e.message : String(e);
  $("error").hidden = false;
}

function askToken(reason) {
  $("token-why").textContent = (sessionStorage.getItem(TOKEN_KEY) ? "This token may not do that: " : "A token is needed: ") + reason;
  $("token-form").hidden = false;
}

// ---- actions: the same HTTP API calls as curl would make ----

async function stopJob() {
  if (!confirm("Stop job " + jobName + "? Its allocations are stopped; the job is kept until purged.")) return;
  $("stop").disabled = true;
  try {
    await api("DELETE", "/v1/job/" + encodeURIComponent(jobName));
    $("error").hidden = true;
  } catch (e) {
    showError(e);
    $("stop").disabled = false;
  }
}

async function scale(group, input, button) {
  const count = Number(input.value);
  if (!Number.isInteger(count) || count < 0) { showError("count of group " + group + ": expected a whole number, 0 or more"); return; }
  button.disabled = true;
  try {
    await api("POST", "/v1/job/" + encodeURIComponent(jobName) + "/scale", { group, count });
    delete input.dataset.edited;
    $("error").hidden = true;
  } catch (e) {
    showError(e);
  } finally {
    button.disabled = false;
  }
}

// ---- start ----

async function start() {
  $("error").hidden = true;
  try {
    const from = await load();
    if (state.lastIndex === 0) state.lastIndex = from;
  } catch (e) {
    showError(e);
    return;
  }
  $("token-form").hidden = true;
  renderSoon();
  follow();
  if (!jobName && !state.liveTimer) {
    loadLive();
    state.liveTimer = setInterval(loadLive, LIVE_EVERY_MS);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $(jobName ? "job" : "home").hidden = false;
  document.title = jobName ? jobName + " · Gantry" : "Gantry";
  $("stop").addEventListener("click", stopJob);
  $("groups").addEventListener("input", (e) => { if (e.target.tagName === "INPUT") e.target.dataset.edited = "1"; });
  $("token-form").addEventListener("submit", (e) => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $("token").value.trim());
    $("token").value = "";
    start();
  });
  start();
});
