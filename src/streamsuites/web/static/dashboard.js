// The status dashboard, live over the WebSocket.
//
// The server pushes {"type":"state"} at least every 2 s and {"type":"event"} for new events.
// Data older than 5 s, or a closed socket, is shown as stale (the cards dim and the badge
// turns red) until the reconnect brings fresh state. The state carries the 20 newest actions
// (what each trigger fired and how it ended, with the outbox outcome of a chat reply). Polls,
// tallies and scoreboards are not in the pushed state, so they are fetched every few seconds.
import { noticeText } from "/static/chatrows.js";
import { ago, applyTheme, clockTime, displayName, el, getJson, pageParams } from "/static/common.js";

const STALE_AFTER_MS = 5000;
const FETCH_EVERY_MS = 5000;
const ACTIVITY_KEEP = 50;
const NOTABLE = ["paid_support", "membership", "moderation", "stream_state", "system"];
const $ = (id) => document.getElementById(id);

/** The socket with capped, reset-on-success reconnect backoff. */
class LiveState {
  constructor(onMessage, onChange) {
    this.onMessage = onMessage;
    this.onChange = onChange;
    this.retry = 500;
    this.socket = null;
  }

  connect() {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    this.socket = new WebSocket(scheme + "//" + window.location.host + "/api/v1/ws?kind=" + NOTABLE.join(","));
    this.socket.addEventListener("open", () => { this.retry = 500; this.onChange(); });
    this.socket.addEventListener("message", (m) => this.receive(m.data));
    this.socket.addEventListener("close", () => this.reconnect());
  }

  receive(data) {
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    this.onMessage(message);
  }

  reconnect() {
    this.onChange();
    setTimeout(() => this.connect(), this.retry);
    this.retry = Math.min(this.retry * 2, 8000);
  }

  open() {
    return this.socket?.readyState === WebSocket.OPEN;
  }
}

class Dashboard {
  constructor() {
    this.updatedAt = 0;
    this.live = new LiveState((m) => this.receive(m), () => this.checkFreshness());
  }

  start() {
    this.live.connect();
    setInterval(() => this.checkFreshness(), 1000);
    this.fetchExtras();
    setInterval(() => this.fetchExtras(), FETCH_EVERY_MS);
  }

  receive(message) {
    if (message.type === "state") this.renderState(message);
    else if (message.type === "event" && message.event) this.addActivity(message.event);
  }

  renderState(state) {
    this.updatedAt = Date.now();
    fillTable("connectors", connectorRows(state.creators ?? []));
    fillTable("quotas", (state.quotas?.platforms ?? []).map(quotaRow));
    renderJobs(state.jobs ?? {});
    fillTable("actions", (state.actions ?? []).map(actionRow));
    this.checkFreshness();
  }

  checkFreshness() {
    const age = Date.now() - this.updatedAt;
    const state = !this.live.open() ? "closed" : age > STALE_AFTER_MS ? "stale" : "live";
    const badge = $("freshness");
    badge.dataset.state = state;
    badge.textContent = freshnessText(state, this.updatedAt);
    document.body.classList.toggle("stale", state !== "live");
    document.body.dataset.freshness = state;
  }

  addActivity(event) {
    const list = $("activity");
    list.prepend(el("li", "", activityText(event)));
    while (list.children.length > ACTIVITY_KEEP) list.lastElementChild.remove();
  }

  async fetchExtras() {
    const load = (path) => getJson(path).catch(() => null);
    const [polls, tallies, scoreboards] = await Promise.all(
      ["/api/v1/polls", "/api/v1/tallies", "/api/v1/scoreboards"].map(load));
    if (polls) renderCounts("polls", polls.polls ?? [], pollView);
    if (tallies) renderCounts("tallies", tallies.tallies ?? [], tallyView);
    if (scoreboards) renderCounts("scoreboards", scoreboards.scoreboards ?? [], scoreboardView);
  }
}

/** One line of the activity feed: who said or did what, on which platform, when. */
function activityText(event) {
  const head = clockTime(event.occurred_at) + " " + event.platform + " ";
  if (["chat_message", "paid_support", "membership"].includes(event.kind)) {
    const amount = event.amount?.display ? " [" + event.amount.display + "]" : "";
    return head + displayName(event.author) + amount + ": " + String(event.text ?? "");
  }
  return head + noticeText(event);
}

function freshnessText(state, updatedAt) {
  if (state === "live") return "live";
  const since = updatedAt ? " · last update " + ago(new Date(updatedAt).toISOString()) : "";
  return (state === "closed" ? "disconnected, reconnecting" : "stale") + since;
}

function fillTable(id, rows) {
  const table = $(id);
  if (rows.length) return table.tBodies[0].replaceChildren(...rows);
  const empty = el("td", "muted", "none");
  empty.colSpan = table.tHead.rows[0].cells.length;
  table.tBodies[0].replaceChildren(row([empty]));
}

function row(cells) {
  const tr = el("tr");
  tr.append(...cells);
  return tr;
}

function cell(text, className = "") {
  return el("td", className, text ?? "");
}

function pillCell(status) {
  const td = el("td");
  const pill = el("span", "pill", status);
  pill.dataset.status = String(status ?? "");
  td.append(pill);
  return td;
}

function connectorRows(creators) {
  return creators.flatMap((creator) => (creator.platforms ?? []).map((p) => connectorRow(creator, p)));
}

function connectorRow(creator, p) {
  const counters = p.counters ?? {};
  const tr = row([
    cell(creator.display_name || creator.creator_id), cell(p.platform), pillCell(p.status),
    cell(p.connected_since ? ago(p.connected_since) : "—"), cell(ago(p.last_event_at)),
    cell(errorText(p), "error"),
    ...["messages", "events", "duplicates", "triggers", "actions", "actions_failed", "errors"]
      .map((name) => cell(String(counters[name] ?? 0), "num")),
  ]);
  tr.dataset.creator = String(creator.creator_id);
  tr.dataset.platform = String(p.platform);
  tr.dataset.status = String(p.status);
  return tr;
}

function errorText(p) {
  if (!p.last_error && !p.reason) return "";
  const when = p.last_error_at ? " (" + ago(p.last_error_at) + ")" : "";
  const retry = p.next_retry_at ? " · retry " + new Date(p.next_retry_at).toLocaleTimeString() : "";
  return (p.last_error || p.reason) + when + retry;
}

function quotaRow(q) {
  const forecast = q.forecast_used === null || q.forecast_used === undefined ? "—"
    : q.forecast_used + (q.forecast_exhausted_at ? " · out " + new Date(q.forecast_exhausted_at).toLocaleTimeString() : "");
  return row([
    cell(q.platform), cell(q.scope === "creator" ? q.scope_id : "project"),
    cell(q.used + " / " + q.max, "num"), cell(forecast), pillCell(q.status),
    cell(q.reset_at ? new Date(q.reset_at).toLocaleString() : "—"),
  ]);
}

function renderJobs(jobs) {
  const m = jobs.metrics ?? {};
  $("job-metrics").textContent = ["queued", "running", "succeeded", "failed"]
    .map((name) => name + " " + (m[name] ?? 0)).join(" · ");
  const recent = (jobs.jobs ?? []).slice(-20).reverse();
  fillTable("jobs", recent.map((j) => row([
    cell(j.type), cell(j.creator_id), pillCell(j.status), cell(String(j.attempts ?? 0), "num"),
    cell(ago(j.updated_at)), cell(j.error ?? "", "error"),
  ])));
}

/** One action: when, who, which trigger, what it did and how that ended (all text). */
function actionRow(a) {
  const send = a.send;
  const tr = row([
    cell(clockTime(a.started_at)), cell(a.creator_id), cell(a.platform), cell(a.trigger_id),
    cell(a.action_type), pillCell(a.status), send ? pillCell(send.status) : cell("—", "muted"),
    cell(actionDetail(a), failed(a) ? "detail error" : "detail"),
  ]);
  tr.dataset.actionId = String(a.action_id);
  tr.dataset.trigger = String(a.trigger_id);
  tr.dataset.status = String(a.status);
  tr.dataset.send = String(send?.status ?? "");
  return tr;
}

function failed(a) {
  return a.status === "failed" || ["failed", "expired"].includes(a.send?.status);
}

function actionDetail(a) {
  const parts = [a.reason, a.send?.text, a.send?.reason].filter((part) => part);
  return parts.map(String).join(" · ");
}

function renderCounts(id, items, view) {
  const box = $(id);
  if (!items.length) return box.replaceChildren(el("p", "muted", "none"));
  box.replaceChildren(...items.map(view));
}

function countList(title, status, entries) {
  const wrap = el("div", "counts");
  const head = el("p", "", title + " ");
  head.append(el("span", "pill", status));
  head.lastChild.dataset.status = String(status ?? "");
  const list = el("ul", "bars");
  const top = Math.max(1, ...entries.map((e) => e.value));
  for (const entry of entries) list.append(barItem(entry, top));
  wrap.append(head, list);
  return wrap;
}

function barItem(entry, top) {
  const li = el("li");
  const meter = el("meter");
  meter.min = 0;
  meter.max = top;
  meter.value = entry.value;
  li.append(el("span", "label", entry.label), meter, el("span", "num", String(entry.value)));
  return li;
}

function pollView(poll) {
  const entries = (poll.options ?? []).map((o) => ({ label: o.label, value: Number(o.votes) || 0 }));
  return countList(poll.question ?? poll.poll_id, poll.state, entries);
}

function tallyView(tally) {
  const options = [...(tally.categories ?? []), ...(tally.options ?? [])];
  const entries = options.map((o) => ({ label: o.label, value: Number(o.count) || 0 }));
  return countList(tally.label ?? tally.tally_id, tally.state, entries);
}

function scoreboardView(board) {
  const entries = (board.entries ?? []).map((e) => ({ label: e.position + ". " + e.label, value: Number(e.score) || 0 }));
  return countList(board.title ?? board.scoreboard_id, board.state, entries);
}

applyTheme(pageParams().text("theme", "default"));
new Dashboard().start();
