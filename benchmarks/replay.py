"""Replay of a 100,000-message stream in the pop-out chat, against plain appended DOM rows.

Ours: --messages chat messages are appended to a fresh event log as one past stream (one
session). The real ``Runtime`` starts on it with its web server (no connectors: nothing else
writes), and headless chromium (Debian's, ``executable_path``; Playwright drives it) opens
``/chat?mode=replay``. Measured:

* first page: from ``goto`` to the stream's newest message visible (the replay opens at the end);
* page back: scrolling to the top again and again until all --messages are loaded (500 per page,
  ``/api/v1/events?session=…&before=``), with the frame times while it happens;
* scroll: the viewport scrolled up --scroll-step px per frame for --frames frames (a fast fling);
* jump: the viewport set to a random position every frame for --frames frames (scrollbar drags);
* scrubber: --jumps scrubber drops (a range query, then a new list), time to the new rows;
* DOM elements and rows in the page; after a forced GC (CDP), the V8 heap in use and the
  renderer's memory (the sum of Pss over the renderer processes of that page's browser, found
  through /proc as descendants of this process; DOM nodes live there, outside the V8 heap).
  Each page gets its own browser, so the renderer holds that page alone.

Frame times are ``requestAnimationFrame`` deltas collected inside the page by ``page.evaluate``
(a function, run over CDP, so the page's CSP does not apply; ``wait_for_function`` with a string
would need ``unsafe-eval`` and is not used). A 60 Hz frame is 16.7 ms; a delta above 25 ms is a
dropped frame.

Naive peer, same run, same browser: the same messages (fetched once from our API and written to a
temporary folder) rendered by a throwaway page the benchmark serves from that folder, one plain
``<div>`` per message appended to a scrolling box (text via ``textContent``), scrolled to the
end; then the same scroll and jump measurements, DOM count and heap. It is not shipped.

Run: .venv/bin/python benchmarks/replay.py [--messages 100000] [--frames 600]
Linux; needs /usr/bin/chromium (exits with status 2 if it is missing).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from playwright.async_api import Browser, Page, Playwright, ViewportSize, async_playwright

from streamsuites.config.model import Config, Creator, Limits, SystemSettings
from streamsuites.eventlog.sqlite import SqliteEventLog
from streamsuites.events import Author, ChatMessage, Fragment
from streamsuites.runtime import Runtime, RuntimeOptions
from streamsuites.web import WebOptions

CHROMIUM = Path("/usr/bin/chromium")
START = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
WORDS = (
    "gg", "wp", "lol", "that", "was", "close", "nice", "play", "pog", "clip", "it", "again",
    "chat", "is", "wild", "omg", "no", "way", "lets", "go", "what", "a", "shot", "unlucky",
    "next", "round", "hype", "train", "kekw", "monkas", "pepega", "true", "sadge", "based",
)  # fmt: skip
VIEWPORT: ViewportSize = {"width": 1000, "height": 700}

NAIVE_HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>naive replay</title>
<style>
body { margin: 0; font: 14px system-ui, sans-serif; background: #111; color: #eee; }
#viewport { height: 100vh; overflow-y: auto; }
.row { padding: 4px 10px; border-bottom: 1px solid #222; }
.row .time { color: #888; margin-right: 6px; }
.row .name { font-weight: 700; margin-right: 6px; }
</style></head>
<body><main id="viewport"></main>
<script>
// The obvious replay: fetch everything, append one row per message, scroll to the end.
fetch("/messages.json").then((r) => r.json()).then((events) => {
  const viewport = document.getElementById("viewport");
  for (const e of events) {
    const row = document.createElement("div");
    row.className = "row";
    const time = document.createElement("span");
    time.className = "time";
    time.textContent = new Date(e.occurred_at).toLocaleTimeString();
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = e.author.display_name || e.author.login;
    const text = document.createElement("span");
    text.textContent = e.text;
    row.append(time, name, text);
    viewport.append(row);
  }
  viewport.scrollTop = viewport.scrollHeight;
  document.body.dataset.loaded = String(events.length);
});
</script></body></html>
"""

FRAMES_JS = """
async ({ selector, frames, mode, step, seed }) => {
  const viewport = document.querySelector(selector);
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  if (mode === "scroll") viewport.scrollTop = viewport.scrollHeight;
  let last = await frame();
  const deltas = [];
  for (let i = 0; i < frames; i++) {
    if (mode === "scroll") viewport.scrollTop = Math.max(0, viewport.scrollTop - step);
    const range = viewport.scrollHeight - viewport.clientHeight;
    if (mode !== "scroll") viewport.scrollTop = Math.floor(random() * range);
    const now = await frame();
    deltas.push(now - last);
    last = now;
  }
  return deltas;
}
"""

PAGE_BACK_JS = """
async ({ total }) => {
  const viewport = document.getElementById("viewport");
  const info = document.getElementById("replay-info");
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  const started = performance.now();
  const deltas = [];
  let last = await frame();
  let pages = 0;
  while (info.dataset.atStart !== "true") {
    const loaded = info.dataset.loaded;
    viewport.scrollTop = 0;
    while (info.dataset.loaded === loaded) {
      const now = await frame();
      deltas.push(now - last);
      last = now;
    }
    pages += 1;
  }
  return { ms: performance.now() - started, pages, loaded: Number(info.dataset.loaded), deltas };
}
"""

SCRUB_JS = """
async ({ jumps, seed }) => {
  const scrubber = document.getElementById("scrubber");
  const first = () => document.querySelector(".vlist-row")?.title ?? "";
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  const times = [];
  for (let i = 0; i < jumps; i++) {
    const before = first();
    scrubber.value = String(Math.floor(random() * 1000));
    const started = performance.now();
    scrubber.dispatchEvent(new Event("change"));
    while (first() === before) await frame();
    times.push(performance.now() - started);
  }
  return times;
}
"""

COUNT_JS = """
(selector) => ({
  elements: document.getElementsByTagName("*").length,
  rows: document.querySelectorAll(selector).length,
})
"""


@dataclass(frozen=True, slots=True)
class Frames:
    """Summary of requestAnimationFrame deltas (ms)."""

    p50: float
    p95: float
    p99: float
    worst: float
    dropped: float
    """Share of frames longer than 25 ms."""

    @classmethod
    def of(cls, deltas: Sequence[float]) -> Frames:
        ordered = sorted(deltas)

        def pick(q: float) -> float:
            return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

        dropped = sum(1 for d in ordered if d > 25) / len(ordered)
        return cls(pick(0.5), pick(0.95), pick(0.99), ordered[-1], dropped)

    def text(self) -> str:
        return (
            f"p50 {self.p50:5.1f}  p95 {self.p95:6.1f}  p99 {self.p99:6.1f}  "
            f"max {self.worst:7.1f} ms  dropped {self.dropped:6.1%}"
        )


@dataclass
class Figures:
    """What one page measured."""

    first_page_s: float = 0.0
    scroll: Frames | None = None
    jump: Frames | None = None
    elements: int = 0
    rows: int = 0
    heap_mb: float = 0.0
    renderer_mb: float = 0.0
    extra: dict[str, str] | None = None


def messages(count: int) -> list[ChatMessage]:
    """Return `count` chat messages in alice's Twitch channel, 0.5 s apart: one session."""
    rng = random.Random(6)
    step = timedelta(milliseconds=500)
    return [_message(n, START + n * step, rng) for n in range(count)]


def _message(n: int, at: datetime, rng: random.Random) -> ChatMessage:
    login = f"viewer{rng.randrange(2000)}"
    text = f"m{n:06d} " + " ".join(rng.choices(WORDS, k=rng.choice((2, 5, 9, 16, 30))))
    return ChatMessage(
        event_id=f"twitch:bench-{n}",
        creator_id="alice",
        platform="twitch",
        channel="alice",
        occurred_at=at,
        received_at=at,
        author=Author(id=login, login=login, display_name=login, color="#9146FF"),
        text=text,
        fragments=(Fragment(text=text),),
    )


async def seed(database: Path, count: int) -> float:
    """Append the messages to a fresh log; return the seconds it took."""
    started = time.perf_counter()
    log = SqliteEventLog(database)
    await log.start()
    try:
        events = messages(count)
        for at in range(0, count, 2000):
            await log.append(events[at : at + 2000])
    finally:
        await log.close()
    return time.perf_counter() - started


def config(directory: Path) -> Config:
    """One creator, no platforms enabled: the runtime serves the log and nothing writes to it."""
    creator = Creator(
        creator_id="alice", display_name="Alice", enabled=True, tier="open", limits=Limits(),
        platforms={},
    )  # fmt: skip
    return Config(
        directory=directory, system=SystemSettings(), platforms={}, creators=(creator,),
        tiers={}, environ={},
    )  # fmt: skip


@contextlib.asynccontextmanager
async def running_runtime(folder: Path, port: int) -> AsyncIterator[str]:
    """Run the real runtime with its web server on `port`; yield its base URL."""
    options = RuntimeOptions(
        state_dir=folder / "state", data_dir=folder / "data",
        web=WebOptions(host="127.0.0.1", port=port),
    )  # fmt: skip
    runtime = Runtime(config(folder / "config"), options, connectors={})
    stop = asyncio.Event()
    task = asyncio.create_task(runtime.run(stop))
    base = f"http://127.0.0.1:{port}"
    try:
        await _wait_for_http(base + "/healthz")
        yield base
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=15)


async def _wait_for_http(url: str) -> None:
    async with asyncio.timeout(30), aiohttp.ClientSession() as http:
        while True:
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(url) as response:
                    if response.status < 500:
                        return
            await asyncio.sleep(0.05)


def database_path(folder: Path) -> Path:
    return RuntimeOptions(state_dir=folder / "state", data_dir=folder / "data").database


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def export_messages(base: str, target: Path) -> int:
    """Write every event of the replayed session as one JSON array, for the naive page."""
    async with aiohttp.ClientSession() as http:
        async with http.get(base + "/api/v1/creators/alice/sessions") as response:
            [session] = (await response.json())["sessions"]
        events: list[Any] = []
        after = 0
        while True:
            url = f"{base}/api/v1/events?session={session['session_id']}&after={after}&limit=1000"
            async with http.get(url) as response:
                page = await response.json()
            events.extend(page["events"])
            if page["next_after"] is None:
                break
            after = page["next_after"]
    target.write_text(json.dumps(events))
    return len(events)


async def heap_mb(page: Page) -> float:
    """Return the JS heap in use after a forced garbage collection, in MB (CDP)."""
    cdp = await page.context.new_cdp_session(page)
    try:
        await cdp.send("HeapProfiler.collectGarbage")
        usage = await cdp.send("Runtime.getHeapUsage")
    finally:
        await cdp.detach()
    return float(usage["usedSize"]) / 1e6


def _parent(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return int(fields[1])


def _descends_from_us(pid: int) -> bool:
    ours = os.getpid()
    with contextlib.suppress(OSError, ValueError, IndexError):
        for _ in range(8):
            pid = _parent(pid)
            if pid == ours:
                return True
            if pid <= 1:
                return False
    return False


def _pss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def renderer_mb() -> float:
    """Return the Pss of every chromium renderer this process started, in MB."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            cmdline = (entry / "cmdline").read_bytes()
            if b"--type=renderer" in cmdline and _descends_from_us(int(entry.name)):
                total += _pss_kb(int(entry.name))
    return total / 1024


async def frames(page: Page, mode: str, count: int, step: int) -> Frames:
    deltas = await page.evaluate(
        FRAMES_JS, {"selector": "#viewport", "frames": count, "mode": mode, "step": step, "seed": 7}
    )
    return Frames.of(deltas)


async def measure_ours(browser: Browser, base: str, args: argparse.Namespace) -> Figures:
    page = await (await browser.new_context(viewport=VIEWPORT)).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    newest = f"m{args.messages - 1:06d}"
    started = time.perf_counter()
    await page.goto(base + "/chat?creator=alice&mode=replay")
    await page.locator(".vlist-row", has_text=newest).wait_for(timeout=60000)
    figures = Figures(first_page_s=time.perf_counter() - started)
    back = await page.evaluate(PAGE_BACK_JS, {"total": args.messages})
    if back["loaded"] != args.messages:
        raise SystemExit(f"replay loaded {back['loaded']} of {args.messages} messages")
    figures.scroll = await frames(page, "scroll", args.frames, args.scroll_step)
    figures.jump = await frames(page, "jump", args.frames, 0)
    counts = await page.evaluate(COUNT_JS, ".vlist-row")
    figures.elements, figures.rows = counts["elements"], counts["rows"]
    figures.heap_mb = await heap_mb(page)
    figures.renderer_mb = renderer_mb()
    scrub = await page.evaluate(SCRUB_JS, {"jumps": args.jumps, "seed": 11})
    paging = Frames.of(back["deltas"])
    figures.extra = {
        "page back to the start": (
            f"{back['pages']} pages in {back['ms'] / 1000:.2f} s "
            f"({back['ms'] / back['pages']:.0f} ms a page); frames {paging.text()}"
        ),
        "scrubber drop → new rows": (
            f"median {statistics.median(scrub):.0f} ms, max {max(scrub):.0f} ms "
            f"over {len(scrub)} drops"
        ),
    }
    if errors:
        raise SystemExit(f"page errors: {errors}")
    await page.context.close()
    return figures


async def serve_naive(folder: Path) -> tuple[web.AppRunner, str]:
    (folder / "index.html").write_text(NAIVE_HTML)
    app = web.Application()
    app.router.add_static("/", folder)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}"


async def measure_naive(browser: Browser, base: str, args: argparse.Namespace) -> Figures:
    page = await (await browser.new_context(viewport=VIEWPORT)).new_page()
    newest = f"m{args.messages - 1:06d}"
    started = time.perf_counter()
    await page.goto(base + "/index.html")
    await page.locator("body[data-loaded]").wait_for(state="attached", timeout=300000)
    await page.locator(".row", has_text=newest).wait_for(timeout=300000)
    figures = Figures(first_page_s=time.perf_counter() - started)
    figures.scroll = await frames(page, "scroll", args.frames, args.scroll_step)
    figures.jump = await frames(page, "jump", args.frames, 0)
    counts = await page.evaluate(COUNT_JS, ".row")
    figures.elements, figures.rows = counts["elements"], counts["rows"]
    figures.heap_mb = await heap_mb(page)
    figures.renderer_mb = renderer_mb()
    await page.context.close()
    return figures


def report(ours: Figures, naive: Figures, messages_count: int) -> None:
    print(f"\n{'':34}{'ours (virtual list, paged)':>36}   {'naive (appended rows)':>36}")

    def line(name: str, a: str, b: str) -> None:
        print(f"{name:34}{a:>36}   {b:>36}")

    line("first page visible", f"{ours.first_page_s:.2f} s", f"{naive.first_page_s:.2f} s")
    line("messages in the page's memory", f"{messages_count:,}", f"{messages_count:,}")
    line("DOM elements / chat rows", f"{ours.elements:,} / {ours.rows:,}",
         f"{naive.elements:,} / {naive.rows:,}")  # fmt: skip
    line("V8 heap after GC", f"{ours.heap_mb:.1f} MB", f"{naive.heap_mb:.1f} MB")
    line("renderer memory (Pss)", f"{ours.renderer_mb:.0f} MB", f"{naive.renderer_mb:.0f} MB")
    assert ours.scroll and naive.scroll and ours.jump and naive.jump
    print("\nscroll (fling) frame times")
    print(f"  ours : {ours.scroll.text()}\n  naive: {naive.scroll.text()}")
    print("jump (random position every frame) frame times")
    print(f"  ours : {ours.jump.text()}\n  naive: {naive.jump.text()}")
    for name, value in (ours.extra or {}).items():
        print(f"ours, {name}: {value}")


def machine() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, nproc {os.cpu_count()}, "
        f"load average {load}, Python {platform.python_version()}"
    )


@contextlib.asynccontextmanager
async def launched(playwright: Playwright) -> AsyncIterator[Browser]:
    """Run a fresh headless chromium (one per measured page, so its renderer is that page's)."""
    browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
    try:
        yield browser
    finally:
        await browser.close()


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="replay-bench-") as tmp:
        folder = Path(tmp)
        database = database_path(folder)
        database.parent.mkdir(parents=True, exist_ok=True)
        seconds = await seed(database, args.messages)
        print(f"{machine()}\nseeded {args.messages:,} messages in {seconds:.1f} s")
        naive_dir = folder / "naive"
        naive_dir.mkdir()
        async with async_playwright() as playwright:
            async with launched(playwright) as browser:
                print(f"chromium {browser.version} headless, viewport {VIEWPORT}")
                async with running_runtime(folder, free_port()) as base:
                    exported = await export_messages(base, naive_dir / "messages.json")
                    assert exported == args.messages, exported
                    ours = await measure_ours(browser, base, args)
            runner, naive_base = await serve_naive(naive_dir)
            try:
                async with launched(playwright) as browser:
                    naive = await measure_naive(browser, naive_base, args)
            finally:
                await runner.cleanup()
    report(ours, naive, args.messages)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--frames", type=int, default=600, help="frames per scroll/jump run")
    parser.add_argument("--scroll-step", type=int, default=120, help="px scrolled per frame")
    parser.add_argument("--jumps", type=int, default=20, help="scrubber drops")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing (apt install chromium)", file=sys.stderr)
        return 2
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
