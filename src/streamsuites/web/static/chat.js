// The pop-out chat: live unified chat of one creator, replay of past streams, and the
// moderator's send box.
//
// Query: creator (else the first creator), theme, mode=replay to open in replay. The operator
// token is pasted by the user and kept in sessionStorage (this tab only), never in the URL.
//
// Replay opens the stream a moderator selected (GET /api/v1/replay/selection) when it belongs
// to this creator, else the newest one. Picking a stream with a token present also selects it
// on the server (POST /api/v1/replay/select), so every other replay page opened afterwards
// starts on it; without a token the pick stays local to this page.
import { applyTheme, clockTime, el, followEvents, getJson, pageParams } from "/static/common.js";
import { ChatFeed } from "/static/chatrows.js";
import { Replay } from "/static/replay.js";
import { VirtualList } from "/static/virtuallist.js";

const LIVE_HISTORY = 200;
const LIVE_KEEP = 20000;
const TOKEN_KEY = "streamsuites.token";
const $ = (id) => document.getElementById(id);

class ChatPage {
  constructor(creators, params) {
    this.creators = creators;
    this.creator = pickCreator(creators, params.text("creator"));
    this.feed = new ChatFeed();
    this.mode = "live";
    this.unseen = 0;
    const rowHeight = Number.parseFloat(getComputedStyle(document.body).getPropertyValue("--row-height")) || 48;
    this.list = new VirtualList($("viewport"), {
      rowHeight, renderRow: (e) => this.feed.rowFor(e), updateRow: (node, e) => this.feed.mark(node, e),
    });
    this.replay = new Replay({
      feed: this.feed, list: this.list, creator: this.creator?.creator_id ?? "",
      elements: { scrubber: $("scrubber"), time: $("scrub-time"), info: $("replay-info") },
    });
  }

  start(mode) {
    fillCreators(this.creators, this.creator);
    this.buildPlatformFilter();
    this.wireControls();
    new SendBox(this.creator, platformsOf(this.creator)).start();
    if (mode === "replay") reported(this.toReplay());
    else this.toLive();
  }

  wireControls() {
    $("creator").addEventListener("change", (e) => navigate({ creator: e.target.value }));
    $("mode-live").addEventListener("click", () => this.toLive());
    $("mode-replay").addEventListener("click", () => reported(this.toReplay()));
    $("viewport").addEventListener("scroll", () => this.onScroll());
    $("new-messages").addEventListener("click", () => this.list.scrollToEnd());
    $("older").addEventListener("click", () => reported(this.replay.older()));
    $("newer").addEventListener("click", () => reported(this.replay.newer()));
    $("scrubber").addEventListener("change", (e) => reported(this.replay.jump(Number(e.target.value) / 1000)));
    $("session").addEventListener("change", (e) => reported(this.pickSession(e.target.value)));
  }

  buildPlatformFilter() {
    const box = $("platform-filter");
    for (const platform of platformsOf(this.creator)) {
      const input = el("input");
      input.type = "checkbox";
      input.checked = true;
      input.value = platform;
      input.addEventListener("change", () => this.applyFilter());
      const label = el("label", "", platform);
      label.prepend(input);
      box.append(label);
    }
  }

  applyFilter() {
    const checked = [...document.querySelectorAll("#platform-filter input:checked")].map((i) => i.value);
    this.feed.platforms = new Set(checked);
    this.list.setItems(this.feed.events.filter((e) => this.feed.visible(e)));
  }

  setMode(mode) {
    this.mode = mode;
    $("mode-live").setAttribute("aria-selected", String(mode === "live"));
    $("mode-replay").setAttribute("aria-selected", String(mode === "replay"));
    $("replay-bar").classList.toggle("hidden", mode !== "replay");
    document.body.dataset.mode = mode;
    this.stream?.close();
    this.stream = null;
    this.feed.events = [];
    this.feed.deleted.clear();
    this.list.setItems([]);
  }

  toLive() {
    this.setMode("live");
    if (!this.creator) return setStatus("error", "no creators configured");
    this.stream = followEvents(
      { creator: this.creator.creator_id, tail: LIVE_HISTORY },
      { onEvent: (e) => this.onLiveEvent(e), onStatus: (s) => setStatus(s, s) },
    );
  }

  onLiveEvent(event) {
    this.feed.events.push(event);
    if (event.kind === "moderation" && this.feed.moderate(event)) this.list.render();
    if (this.feed.events.length > LIVE_KEEP) this.trim();
    if (!this.feed.visible(event)) return;
    const pinned = this.list.append([event]);
    this.unseen = pinned ? 0 : this.unseen + 1;
    this.showNewMessages();
  }

  trim() {
    const dropped = this.feed.events.splice(0, this.feed.events.length - LIVE_KEEP);
    const gone = new Set(dropped);
    const count = this.list.items.findIndex((e) => !gone.has(e));
    if (count > 0) this.list.dropFirst(count);
  }

  onScroll() {
    if (this.mode === "replay") return reported(this.replay.onScroll());
    if (this.list.atEnd()) this.unseen = 0;
    this.showNewMessages();
  }

  showNewMessages() {
    const button = $("new-messages");
    button.classList.toggle("hidden", this.unseen === 0);
    button.textContent = "New messages (" + this.unseen + ") ↓";
  }

  async toReplay() {
    this.setMode("replay");
    this.unseen = 0;
    this.showNewMessages();
    if (!this.creator) return setStatus("error", "no creators configured");
    setStatus("replay", "replay");
    const [body, selected] = await Promise.all([
      getJson("/api/v1/creators/" + encodeURIComponent(this.creator.creator_id) + "/sessions"),
      getJson("/api/v1/replay/selection").catch(() => ({ selection: null })),
    ]);
    fillSessions(body.sessions ?? []);
    this.sessions = new Map((body.sessions ?? []).map((s) => [s.session_id, s]));
    const chosen = this.sessions.get(selected?.selection?.session_id) ?? body.sessions?.[0];
    if (chosen) await this.openSession(chosen.session_id);
    else $("replay-info").textContent = "no past streams of this creator in the event log";
  }

  async openSession(sessionId) {
    const session = this.sessions?.get(sessionId);
    if (!session) return;
    $("session").value = sessionId;
    await this.replay.open(session);
  }

  /** The user picked a stream: open it, and select it on the server when a token is present. */
  async pickSession(sessionId) {
    await this.openSession(sessionId);
    const session = this.sessions?.get(sessionId);
    const shared = $("replay-shared");
    if (!session || !token()) return;
    try {
      await getJson("/api/v1/replay/select", post({
        creator_id: session.creator_id, platform: session.platform, session_id: session.session_id,
      }));
      shared.textContent = "selected for every replay page";
      shared.dataset.state = "selected";
    } catch (error) {
      shared.textContent = "not selected: " + error.message;
      shared.dataset.state = "refused";
    }
  }
}

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** Return the fetch options of an operator POST of `body` with the tab's bearer token. */
function post(body) {
  return {
    method: "POST",
    headers: {
      Accept: "application/json",
      "Content-Type": "application/json",
      Authorization: "Bearer " + token(),
    },
    body: JSON.stringify(body),
  };
}

/** The moderator send box: token in sessionStorage, POST as Bearer to the outbox. */
class SendBox {
  constructor(creator, platforms) {
    this.creator = creator;
    this.platforms = platforms;
  }

  start() {
    const select = $("send-platform");
    for (const platform of this.platforms) select.append(option(platform, platform));
    $("token-form").addEventListener("submit", (e) => this.saveToken(e));
    $("send-form").addEventListener("submit", (e) => this.send(e));
    $("forget-token").addEventListener("click", () => this.forget());
    this.refresh();
  }

  refresh() {
    const has = Boolean(token());
    $("token-form").classList.toggle("hidden", has);
    $("send-form").classList.toggle("hidden", !has || !this.creator);
  }

  saveToken(event) {
    event.preventDefault();
    const token = $("token").value.trim();
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    $("token").value = "";
    this.refresh();
  }

  forget() {
    sessionStorage.removeItem(TOKEN_KEY);
    this.refresh();
  }

  async send(event) {
    event.preventDefault();
    const text = $("send-text").value.trim();
    if (!text) return;
    const result = $("send-result");
    try {
      const body = await getJson(this.url(), post({ platform: $("send-platform").value, text }));
      result.textContent = body.status + " (" + body.action_id + ")";
      $("send-text").value = "";
    } catch (error) {
      result.textContent = "not sent: " + error.message;
    }
  }

  url() {
    return "/api/v1/creators/" + encodeURIComponent(this.creator.creator_id) + "/messages";
  }
}

function pickCreator(creators, wanted) {
  return creators.find((c) => c.creator_id === wanted) ?? creators[0] ?? null;
}

function platformsOf(creator) {
  return (creator?.platforms ?? []).map((p) => p.platform);
}

function option(value, label) {
  const node = el("option", "", label);
  node.value = value;
  return node;
}

function fillCreators(creators, current) {
  const select = $("creator");
  for (const c of creators) select.append(option(c.creator_id, c.display_name || c.creator_id));
  if (current) select.value = current.creator_id;
}

function fillSessions(sessions) {
  const select = $("session");
  select.replaceChildren(...sessions.map((s) => option(s.session_id, sessionLabel(s))));
}

function sessionLabel(session) {
  const day = new Date(session.started_at).toLocaleDateString();
  return session.platform + " · " + day + " " + clockTime(session.started_at) + " · " + session.event_count + " events";
}

/** Show a failed request (network down, API error) in the header instead of losing it. */
function reported(promise) {
  return promise.catch((error) => setStatus("error", error.message));
}

function setStatus(state, text) {
  const status = $("status");
  status.dataset.state = state;
  status.textContent = text;
}

function navigate(changes) {
  const query = new URLSearchParams(window.location.search);
  for (const [key, value] of Object.entries(changes)) query.set(key, value);
  window.location.search = query.toString();
}

async function main() {
  const params = pageParams();
  applyTheme(params.text("theme", "default"));
  try {
    const body = await getJson("/api/v1/creators");
    new ChatPage(body.creators ?? [], params).start(params.text("mode", "live"));
  } catch (error) {
    setStatus("error", "cannot load creators: " + error.message);
  }
}

main();
