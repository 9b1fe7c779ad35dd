// Shared building blocks of the overlay, the pop-out chat and the dashboard.
//
// Everything that came from chat (names, text, emote names, colours, URLs) reaches the page
// only through textContent, createElement, checked attributes and CSSOM properties: never as
// markup. The Content-Security-Policy forbids inline code anyway; this keeps us from relying
// on it.

/** Hosts whose images we show; a URL elsewhere (or not https) gets the fallback or the text. */
export const IMAGE_HOSTS = Object.freeze([
  "static-cdn.jtvnw.net",
  "yt3.ggpht.com",
  "yt4.ggpht.com",
  "lh3.googleusercontent.com",
  "files.kick.com",
]);

/** Domains whose subdomains are image CDNs too (Rumble serves from several, e.g. 1a-1791.com). */
export const IMAGE_DOMAINS = Object.freeze(["rumble.com"]);

export const KNOWN_PLATFORMS = Object.freeze(["twitch", "youtube", "rumble", "kick"]);
export const ROLE_NAMES = Object.freeze([
  "broadcaster", "moderator", "vip", "subscriber", "member", "verified", "staff",
]);
export const FALLBACK_AVATAR = "/static/avatar-fallback.svg";

/** Return the URL when it is https on a known platform CDN, else null. */
export function safeImageUrl(value) {
  if (typeof value !== "string" || value.length > 2048) return null;
  let url;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" || url.username || url.password || url.port) return null;
  return isKnownImageHost(url.hostname) ? url.href : null;
}

function isKnownImageHost(host) {
  if (IMAGE_HOSTS.includes(host)) return true;
  return IMAGE_DOMAINS.some((domain) => host.endsWith("." + domain));
}

/** Return a colour usable as CSS: only #rgb / #rrggbb, since chat supplies it. */
export function safeColor(value) {
  return typeof value === "string" && /^#(?:[0-9a-fA-F]{3}){1,2}$/.test(value) ? value : null;
}

/** Return the query parameters of this page as a plain reader with typed getters. */
export function pageParams(search = window.location.search) {
  const params = new URLSearchParams(search);
  return {
    text: (name, fallback = "") => params.get(name) ?? fallback,
    list: (name) => splitList(params.getAll(name).join(",")),
    int: (name, fallback, min, max) => clampInt(params.get(name), fallback, min, max),
    number: (name, fallback) => {
      const n = Number.parseFloat(params.get(name) ?? "");
      return Number.isFinite(n) && n >= 0 ? n : fallback;
    },
  };
}

function splitList(value) {
  return value.split(",").map((item) => item.trim()).filter((item) => item !== "");
}

function clampInt(raw, fallback, min, max) {
  const n = Number.parseInt(raw ?? "", 10);
  if (!Number.isFinite(n)) return fallback;
  return Math.min(max, Math.max(min, n));
}

/** Create an element with a class and optional text, the one way pages build nodes. */
export function el(tag, className = "", text = null) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== null && text !== undefined) node.textContent = String(text);
  return node;
}

/** Return the platform badge: our own SVG for a known platform, else the name as text. */
export function platformBadge(platform) {
  const name = String(platform ?? "");
  if (!KNOWN_PLATFORMS.includes(name)) return el("span", "platform-badge platform-other", name);
  const img = el("img", "platform-badge platform-" + name);
  img.src = "/static/badge-" + name + ".svg";
  img.alt = name;
  img.title = name;
  return img;
}

/** Return the role badges of an author: only the roles the event model names. */
export function roleBadges(author) {
  const box = el("span", "roles");
  const roles = Array.isArray(author?.roles) ? author.roles : [];
  for (const role of roles.filter((r) => ROLE_NAMES.includes(r))) {
    const badge = el("span", "role role-" + role, roleLabel(role));
    badge.title = role;
    box.append(badge);
  }
  return box;
}

function roleLabel(role) {
  return { broadcaster: "HOST", moderator: "MOD", vip: "VIP", subscriber: "SUB",
    member: "MEMBER", verified: "✓", staff: "STAFF" }[role];
}

/** Return the author's avatar, or the fallback image when the URL is not allowed. */
export function avatar(author) {
  const img = el("img", "avatar");
  img.alt = "";
  img.src = safeImageUrl(author?.avatar_url) ?? FALLBACK_AVATAR;
  img.addEventListener("error", () => { img.src = FALLBACK_AVATAR; }, { once: true });
  return img;
}

/** Return the author's name, coloured with the platform colour when it is a plain hex colour. */
export function authorName(author) {
  const name = el("span", "author", displayName(author));
  const color = safeColor(author?.color);
  if (color) name.style.setProperty("--author-color", color);
  return name;
}

export function displayName(author) {
  return author?.display_name || author?.login || author?.id || "";
}

/** Return the message body: text runs and emotes (an emote on a foreign URL stays text). */
export function messageBody(event) {
  const body = el("span", "text");
  const fragments = Array.isArray(event.fragments) && event.fragments.length
    ? event.fragments : [{ text: event.text ?? "" }];
  for (const fragment of fragments) body.append(fragmentNode(fragment));
  return body;
}

function fragmentNode(fragment) {
  const text = String(fragment?.text ?? "");
  const url = safeImageUrl(fragment?.emote_url);
  if (!url) return document.createTextNode(text);
  const img = el("img", "emote");
  img.src = url;
  img.alt = text;
  img.title = text;
  img.addEventListener("error", () => img.replaceWith(document.createTextNode(text)), { once: true });
  return img;
}

/** Return a line describing a paid message or a membership, or null for plain chat. */
export function supportLine(event) {
  if (event.kind === "paid_support") {
    return el("span", "support", event.amount?.display || moneyText(event.amount));
  }
  if (event.kind === "membership") return el("span", "support", membershipText(event));
  return null;
}

function moneyText(amount) {
  if (!amount || !Number.isFinite(amount.amount_micros)) return "";
  const value = amount.amount_micros / 1e6;
  return amount.currency === "BITS" ? value + " bits" : value.toFixed(2) + " " + amount.currency;
}

function membershipText(event) {
  const kind = String(event.membership_type ?? "new").replace("_", " ");
  const months = event.months ? " · " + event.months + " months" : "";
  const gifts = event.gift_count ? " · " + event.gift_count + " gifts" : "";
  return kind + months + gifts;
}

/** Return the whole message node the overlay and the chat share. */
export function messageNode(event, { timestamp = false, withAvatar = false } = {}) {
  const node = el("div", "message kind-" + safeKind(event.kind));
  node.dataset.eventId = String(event.event_id ?? "");
  if (timestamp) node.append(el("time", "time", clockTime(event.occurred_at)));
  if (withAvatar) node.append(avatar(event.author));
  node.append(platformBadge(event.platform), roleBadges(event.author), authorName(event.author));
  const support = supportLine(event);
  if (support) node.append(support);
  node.append(messageBody(event));
  return node;
}

function safeKind(kind) {
  return /^[a-z_]{1,32}$/.test(String(kind)) ? kind : "other";
}

// One formatter for every timestamp: toLocaleTimeString builds a new one per call, which is
// most of the cost of drawing a row.
const CLOCK = new Intl.DateTimeFormat([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });

/** Return HH:MM:SS in local time for an ISO time, or "" when it does not parse. */
export function clockTime(iso) {
  const date = new Date(String(iso ?? ""));
  if (Number.isNaN(date.getTime())) return "";
  return CLOCK.format(date);
}

/** Return "12 s ago" style text for an ISO time, or "never". */
export function ago(iso, now = Date.now()) {
  if (!iso) return "never";
  const then = new Date(iso).getTime();
  if (Number.isNaN(then)) return "never";
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 90) return seconds + " s ago";
  if (seconds < 5400) return Math.round(seconds / 60) + " min ago";
  return Math.round(seconds / 3600) + " h ago";
}

/** Return true when a moderation event removes this (displayed) chat event. */
export function moderationHits(moderation, event) {
  if (moderation.platform !== event.platform) return false;
  switch (moderation.action) {
    case "message_deleted": return deletedMessage(moderation, event);
    case "ban":
    case "timeout": return sameAuthor(moderation.target, event.author);
    case "chat_cleared": return moderation.channel === event.channel;
    default: return false;
  }
}

function deletedMessage(moderation, event) {
  const target = moderation.target_message_id;
  if (!target) return false;
  return event.event_id === target || event.event_id === event.platform + ":" + target;
}

function sameAuthor(target, author) {
  if (!target || !author) return false;
  if (target.id && author.id) return target.id === author.id;
  return Boolean(target.login) && target.login === author.login;
}

/** Fetch JSON from our API; throws an Error carrying the API's error message. */
export async function getJson(url, options = {}) {
  const response = await fetch(url, { headers: { Accept: "application/json" }, ...options });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error(body?.error?.message || response.status + " " + response.statusText);
  return body;
}

/** Set the page theme from ?theme= (default|slate|midnight); anything else is the default. */
export function applyTheme(name) {
  const theme = ["default", "slate", "midnight"].includes(name) ? name : "default";
  document.documentElement.dataset.theme = theme;
  return theme;
}

/** Return the URL of the event stream for these filters, resuming after `lastSeq` if known. */
export function streamUrl({ creator, platform, kinds, tail, lastSeq }) {
  const query = new URLSearchParams();
  if (creator) query.set("creator", creator);
  if (platform) query.set("platform", platform);
  if (kinds?.length) query.set("kind", kinds.join(","));
  if (lastSeq !== null && lastSeq !== undefined) query.set("last_event_id", String(lastSeq));
  else if (tail) query.set("tail", String(tail));
  return "/api/v1/events/stream?" + query.toString();
}

/**
 * Follow the event stream, calling onEvent(event) for each event in seq order.
 *
 * EventSource reconnects by itself and sends Last-Event-ID, which the server resumes from. It
 * gives up for good on an HTTP error (e.g. the runtime restarting behind a proxy); then we
 * open a new one ourselves with ?last_event_id= so nothing is lost or shown twice.
 */
export function followEvents(filters, { onEvent, onStatus = () => {} }) {
  let lastSeq = null;
  let source = null;
  let retry = 1000;
  const open = () => {
    source = new EventSource(streamUrl({ ...filters, lastSeq }));
    source.addEventListener("open", () => { retry = 1000; onStatus("live"); });
    source.addEventListener("error", () => onError());
    for (const kind of eventKindsToListen(filters)) source.addEventListener(kind, onMessage);
    source.addEventListener("message", onMessage);
  };
  const onMessage = (message) => {
    const seq = Number.parseInt(message.lastEventId, 10);
    if (Number.isFinite(seq) && lastSeq !== null && seq <= lastSeq) return;
    let event;
    try {
      event = JSON.parse(message.data);
    } catch {
      return;
    }
    if (Number.isFinite(seq)) lastSeq = seq;
    onEvent(event);
  };
  const onError = () => {
    onStatus(source.readyState === EventSource.CLOSED ? "down" : "reconnecting");
    if (source.readyState !== EventSource.CLOSED) return;
    setTimeout(open, retry);
    retry = Math.min(retry * 2, 15000);
  };
  open();
  return { close: () => source?.close(), lastSeq: () => lastSeq };
}

function eventKindsToListen(filters) {
  const all = ["chat_message", "paid_support", "membership", "moderation", "stream_state", "system"];
  return filters.kinds?.length ? filters.kinds : all;
}
