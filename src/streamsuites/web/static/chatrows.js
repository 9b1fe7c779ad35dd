// How one event looks as a row of the pop-out chat (live and replay share it).
import { clockTime, displayName, el, messageNode, moderationHits, platformBadge } from "/static/common.js";

const MESSAGE_KINDS = ["chat_message", "paid_support", "membership"];

/** A list of events plus the ids a moderator removed, filtered by the chosen platforms. */
export class ChatFeed {
  constructor() {
    this.events = [];
    this.deleted = new Set();
    this.platforms = null;
  }

  visible(event) {
    return this.platforms === null || this.platforms.has(event.platform);
  }

  /** Mark the events a moderation event removes; returns true when any was found. */
  moderate(moderation, events = this.events) {
    let hit = false;
    for (const event of events) {
      if (MESSAGE_KINDS.includes(event.kind) && moderationHits(moderation, event)) {
        this.deleted.add(event.event_id);
        hit = true;
      }
    }
    return hit;
  }

  rowFor(event) {
    const node = MESSAGE_KINDS.includes(event.kind) ? messageRow(event) : noticeRow(event);
    return this.mark(node, event);
  }

  /** Strike a row through when its message was removed (also on a row drawn earlier). */
  mark(node, event) {
    node.classList.toggle("deleted", this.deleted.has(event.event_id));
    return node;
  }
}

function messageRow(event) {
  const node = messageNode(event, { timestamp: true, withAvatar: true });
  node.title = displayName(event.author) + ": " + String(event.text ?? "");
  return node;
}

function noticeRow(event) {
  const node = el("div", "message notice kind-" + event.kind);
  node.dataset.eventId = String(event.event_id ?? "");
  node.append(el("time", "time", clockTime(event.occurred_at)), platformBadge(event.platform));
  node.append(el("span", "text", noticeText(event)));
  return node;
}

/** Return the words for a moderation, stream or system event. */
export function noticeText(event) {
  if (event.kind === "moderation") return moderationText(event);
  if (event.kind === "stream_state") return streamText(event);
  return String(event.text || event.code || event.kind);
}

function moderationText(event) {
  const who = displayName(event.target) || "someone";
  switch (event.action) {
    case "message_deleted": return "A message from " + who + " was deleted";
    case "ban": return who + " was banned";
    case "timeout": return who + " was timed out" + (event.duration_seconds ? " for " + event.duration_seconds + " s" : "");
    case "chat_cleared": return "Chat was cleared";
    default: return "Moderation";
  }
}

function streamText(event) {
  if (event.state === "raid") return displayName(event.author) + " is raiding" + (event.viewers ? " with " + event.viewers + " viewers" : "");
  return "Stream " + event.state + (event.title ? ": " + event.title : "");
}
