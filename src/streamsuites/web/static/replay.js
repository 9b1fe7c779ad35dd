// Replay: one past stream read page by page from the event log, scrubbable by time.
//
// The list starts at the stream's end. Scrolling near the top (or "Older") fetches the page
// before the first loaded event; near the bottom, the page after the last one. The scrubber
// jumps to a time with the range query and paging continues from there. Every request carries
// `session=<session_id>`, so the server returns only this stream's events: a page is always
// full until the stream's start or end, however busy the creator's other streams were.
import { clockTime, getJson } from "/static/common.js";

const PAGE = 500;
const NEAR = 10;

export class Replay {
  constructor({ feed, list, creator, elements }) {
    this.feed = feed;
    this.list = list;
    this.creator = creator;
    this.ui = elements;
    this.session = null;
    this.loading = false;
    this.atStart = false;
    this.atEnd = true;
    this.generation = 0;
  }

  /**
   * Open a session (a /sessions entry) at its end. A page that arrives after another open or
   * jump started is dropped (`generation`), so a slow answer never replaces newer content.
   */
  async open(session) {
    const generation = ++this.generation;
    this.session = session;
    const page = await this.fetchPage({ before: session.last_seq + 1 });
    if (generation !== this.generation) return;
    this.atStart = page.prev_before === null || page.events.length < PAGE;
    this.atEnd = true;
    this.show(page.events);
    this.list.scrollToEnd();
  }

  /** Jump to a fraction (0..1) of the stream's time span. */
  async jump(fraction) {
    if (!this.session) return;
    const start = Date.parse(this.session.started_at);
    const end = Date.parse(this.session.ended_at) + 1;
    const since = new Date(start + fraction * (end - start)).toISOString();
    const until = new Date(end).toISOString();
    const generation = ++this.generation;
    const body = await this.query("/api/v1/events/range", { since, until, limit: PAGE });
    if (generation !== this.generation) return;
    this.atStart = false;
    this.atEnd = body.events.length < PAGE;
    this.show(body.events);
    this.list.scrollToIndex(0);
  }

  async older() {
    if (this.loading || this.atStart || !this.feed.events.length) return;
    await this.guard(async (current) => {
      const page = await this.fetchPage({ before: this.feed.events[0].seq });
      if (!current()) return;
      this.atStart = page.prev_before === null || page.events.length < PAGE;
      const fresh = this.add(page.events, "start");
      this.list.prepend(fresh.filter((e) => this.feed.visible(e)));
    });
  }

  async newer() {
    if (this.loading || this.atEnd || !this.feed.events.length) return;
    await this.guard(async (current) => {
      const last = this.feed.events[this.feed.events.length - 1].seq;
      const page = await this.fetchPage({ after: last });
      if (!current()) return;
      const fresh = this.add(page.events, "end");
      this.atEnd = page.next_after === null || fresh.length === 0 || page.events.length < PAGE;
      this.list.append(fresh.filter((e) => this.feed.visible(e)));
    });
  }

  /** Called on scroll: load more when the view nears either end of what is loaded. */
  async onScroll() {
    this.updateScrubber();
    const first = this.list.firstVisible();
    if (first < NEAR) await this.older();
    else if (first > this.list.items.length - NEAR - this.visibleRows()) await this.newer();
  }

  visibleRows() {
    return Math.ceil(this.list.viewport.clientHeight / this.list.rowHeight);
  }

  /** Run one page load at a time; its result is dropped if an open or jump came meanwhile. */
  async guard(work) {
    this.loading = true;
    const generation = this.generation;
    try {
      await work(() => generation === this.generation);
    } finally {
      this.loading = false;
      this.updateInfo();
    }
  }

  fetchPage(cursor) {
    return this.query("/api/v1/events", { ...cursor, limit: PAGE });
  }

  query(path, params) {
    const query = new URLSearchParams({
      creator: this.creator, platform: this.session.platform, session: this.session.session_id,
    });
    for (const [key, value] of Object.entries(params)) query.set(key, String(value));
    return getJson(path + "?" + query.toString());
  }

  show(events) {
    this.feed.events = [];
    this.feed.deleted.clear();
    this.add(events, "end");
    this.list.setItems(this.feed.events.filter((e) => this.feed.visible(e)));
    this.updateInfo();
  }

  /** Add a page to the feed, skipping events already loaded; applies its moderation. */
  add(events, where) {
    const have = new Set(this.feed.events.map((e) => e.seq));
    const fresh = events.filter((e) => !have.has(e.seq));
    if (where === "start") this.feed.events.unshift(...fresh);
    else this.feed.events.push(...fresh);
    for (const event of fresh.filter((e) => e.kind === "moderation")) this.feed.moderate(event);
    return fresh;
  }

  updateScrubber() {
    const event = this.list.items[this.list.firstVisible()];
    if (!event || !this.session) return;
    const start = Date.parse(this.session.started_at);
    const span = Math.max(1, Date.parse(this.session.ended_at) - start);
    this.ui.scrubber.value = String(Math.round(((Date.parse(event.occurred_at) - start) / span) * 1000));
    this.ui.time.textContent = clockTime(event.occurred_at);
  }

  updateInfo() {
    const loaded = this.feed.events.length;
    const total = this.session?.event_count ?? loaded;
    this.ui.info.textContent = loaded + " of " + total + " events loaded" + (this.atStart ? " · start of stream" : "");
    this.ui.info.dataset.loaded = String(loaded);
    this.ui.info.dataset.atStart = String(this.atStart);
  }
}
