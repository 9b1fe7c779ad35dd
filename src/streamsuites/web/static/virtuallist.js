// A windowed list: only the rows in view (plus a margin) exist in the DOM.
//
// Rows have one fixed height (long messages are clamped to two lines, the full text is in the
// tooltip), so a row's position is index × height and a 100,000-row list costs the same to
// scroll as a 50-row one. The spacer gives the scrollbar its full length.
//
// A row drawn in the previous frame is kept and moved, not built again: a scroll of a few rows
// builds only the rows that came into view. `updateRow(node, item)` refreshes what may have
// changed on a kept row (a moderator deleting the message).

export class VirtualList {
  constructor(viewport, { rowHeight, margin = 8, renderRow, updateRow = () => {} }) {
    this.viewport = viewport;
    this.rowHeight = rowHeight;
    this.margin = margin;
    this.renderRow = renderRow;
    this.updateRow = updateRow;
    this.drawn = new Map();
    this.items = [];
    this.spacer = document.createElement("div");
    this.spacer.className = "vlist-spacer";
    this.layer = document.createElement("div");
    this.layer.className = "vlist-layer";
    this.spacer.append(this.layer);
    viewport.append(this.spacer);
    this.scheduled = false;
    this.stickToEnd = false;
    viewport.addEventListener("scroll", () => this.schedule());
    new ResizeObserver(() => this.schedule()).observe(viewport);
  }

  setItems(items) {
    this.items = items;
    this.drawn.clear();
    this.render();
  }

  /**
   * Add rows at the end; keeps the view pinned to the end when it was there. Drawing waits
   * for the next frame, so a burst of messages costs one render, not one per message.
   */
  append(items) {
    const pinned = this.stickToEnd || this.atEnd();
    this.items.push(...items);
    this.stickToEnd = pinned;
    this.schedule();
    return pinned;
  }

  /** Add rows at the start without moving what the user is looking at. */
  prepend(items) {
    this.items.unshift(...items);
    this.sizeSpacer();
    this.viewport.scrollTop += items.length * this.rowHeight;
    this.render();
  }

  /** Drop `count` rows from the start (a live list keeps a bounded history). */
  dropFirst(count) {
    this.items.splice(0, count);
    this.viewport.scrollTop = Math.max(0, this.viewport.scrollTop - count * this.rowHeight);
    this.render();
  }

  atEnd() {
    const { scrollTop, clientHeight, scrollHeight } = this.viewport;
    return scrollHeight - scrollTop - clientHeight <= this.rowHeight / 2;
  }

  scrollToEnd() {
    this.stickToEnd = true;
    this.render();
  }

  scrollToIndex(index) {
    this.sizeSpacer();
    this.viewport.scrollTop = index * this.rowHeight;
    this.render();
  }

  /** The index of the first row in view. */
  firstVisible() {
    return Math.min(this.items.length - 1, Math.floor(this.viewport.scrollTop / this.rowHeight));
  }

  schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.render();
    });
  }

  sizeSpacer() {
    this.spacer.style.height = this.items.length * this.rowHeight + "px";
  }

  render() {
    this.sizeSpacer();
    if (this.stickToEnd) this.viewport.scrollTop = this.viewport.scrollHeight;
    this.stickToEnd = false;
    const [start, end] = this.windowRange();
    this.layer.style.transform = "translateY(" + start * this.rowHeight + "px)";
    const drawn = new Map();
    const rows = [];
    for (let i = start; i < end; i += 1) {
      const node = this.row(i);
      drawn.set(this.items[i], node);
      rows.push(node);
    }
    this.drawn = drawn;
    this.patch(rows);
  }

  /**
   * Make the layer's children `rows` by removing the rows that left the window and inserting
   * the ones that came in. Kept rows stay in the DOM untouched (their order never changes), so
   * the browser lays out and paints only the new rows.
   */
  patch(rows) {
    const keep = new Set(rows);
    for (const child of [...this.layer.children]) if (!keep.has(child)) child.remove();
    let cursor = this.layer.firstElementChild;
    for (const node of rows) {
      if (node === cursor) cursor = cursor.nextElementSibling;
      else this.layer.insertBefore(node, cursor);
    }
  }

  windowRange() {
    const first = Math.floor(this.viewport.scrollTop / this.rowHeight) - this.margin;
    const count = Math.ceil(this.viewport.clientHeight / this.rowHeight) + 2 * this.margin;
    const start = Math.max(0, first);
    return [start, Math.min(this.items.length, start + count)];
  }

  row(index) {
    const item = this.items[index];
    let node = this.drawn.get(item);
    if (node) this.updateRow(node, item);
    else {
      node = this.renderRow(item, index);
      node.classList.add("vlist-row");
    }
    if (node.dataset.index !== String(index)) node.dataset.index = String(index);
    return node;
  }
}

