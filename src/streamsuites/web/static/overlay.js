// The OBS browser-source overlay: the last `max` messages of a creator, live over SSE.
//
// Query: creator, platforms (comma list), kinds (comma list, default chat, paid support and
// memberships), max (1..100, default 20), theme (default|slate|midnight), fade (seconds a
// message stays; 0 or absent keeps it until pushed out).
import {
  applyTheme, followEvents, messageNode, moderationHits, pageParams,
} from "/static/common.js";

const DISPLAYED = ["chat_message", "paid_support", "membership"];

function readSettings() {
  const params = pageParams();
  return {
    creator: params.text("creator"),
    platforms: params.list("platforms"),
    kinds: params.list("kinds").length ? params.list("kinds") : DISPLAYED,
    max: params.int("max", 20, 1, 100),
    fade: params.number("fade", 0),
    theme: params.text("theme", "default"),
  };
}

/** The list of shown messages, each node paired with its event for moderation lookups. */
class Overlay {
  constructor(root, settings) {
    this.root = root;
    this.settings = settings;
    this.shown = [];
  }

  accepts(event) {
    const { platforms, kinds } = this.settings;
    return (!platforms.length || platforms.includes(event.platform)) && kinds.includes(event.kind);
  }

  handle(event) {
    if (event.kind === "moderation") this.moderate(event);
    if (this.accepts(event) && event.kind !== "moderation") this.add(event);
  }

  add(event) {
    const node = messageNode(event);
    const item = { event, node };
    this.shown.push(item);
    this.root.append(node);
    if (this.settings.fade > 0) setTimeout(() => this.leave(item), this.settings.fade * 1000);
    while (this.shown.length > this.settings.max) this.remove(this.shown[0]);
  }

  moderate(moderation) {
    for (const item of this.shown.filter((i) => moderationHits(moderation, i.event))) {
      this.remove(item);
    }
  }

  leave(item) {
    if (!this.shown.includes(item)) return;
    item.node.classList.add("leaving");
    item.node.addEventListener("animationend", () => this.remove(item), { once: true });
  }

  remove(item) {
    this.shown = this.shown.filter((i) => i !== item);
    item.node.remove();
  }
}

function streamFilters(settings) {
  const platform = settings.platforms.join(",");
  const kinds = [...new Set([...settings.kinds, "moderation"])];
  return { creator: settings.creator, platform, kinds, tail: settings.max };
}

function start() {
  const settings = readSettings();
  applyTheme(settings.theme);
  const overlay = new Overlay(document.getElementById("messages"), settings);
  followEvents(streamFilters(settings), {
    onEvent: (event) => overlay.handle(event),
    onStatus: (status) => { document.body.dataset.stream = status; },
  });
}

start();
