"""The pieces every browser test needs: a running stack, a watched page, seeded history.

:func:`running_stack` starts the Twitch IRC emulator and the real :class:`Runtime` (which runs
the web server in its own loop) on a free port. :func:`watched_page` opens Debian's chromium
headless (never a downloaded browser) and records what must never happen on our pages: a
dialog, an uncaught script error, a Content-Security-Policy violation.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import aiohttp
from playwright.async_api import BrowserContext, Dialog, Error, Page, async_playwright

from streamsuites.config.model import (
    Config,
    Creator,
    CreatorPlatform,
    InteractiveConfig,
    Limits,
    SystemSettings,
)
from streamsuites.connectors.registry import default_connectors
from streamsuites.connectors.supervisor import BackoffPolicy
from streamsuites.emulators import TwitchIrcEmulator
from streamsuites.eventlog.sqlite import SqliteEventLog
from streamsuites.events import Author, ChatMessage, Event, Fragment
from streamsuites.runtime import Runtime, RuntimeOptions
from streamsuites.web import WebOptions
from tests.support import REPO, require_binary

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Mapping, Sequence
    from pathlib import Path


__all__ = [
    "ARTIFACTS",
    "Stack",
    "Watched",
    "WatchedBrowser",
    "artifact_dir",
    "chat_events",
    "csp_report_count",
    "running_stack",
    "watched_browser",
    "watched_page",
]

ARTIFACTS = REPO / "build" / "test-artifacts" / "e2e"
TOKEN = "abc123"
OPERATOR_TOKEN = "e2e-operator-token"
FAST = BackoffPolicy(base=0.05, cap=0.3, healthy_after=60)
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def artifact_dir(test_name: str) -> Path:
    """Return (and create) the folder for one test's screenshots."""
    folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def free_port() -> int:
    """Return a loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def chat_events(texts: Sequence[str], *, start: datetime, step: timedelta) -> list[Event]:
    """Return Twitch chat messages from alice's channel, one per text, `step` apart."""
    return [_chat(index, text, start + index * step) for index, text in enumerate(texts)]


def _chat(index: int, text: str, at: datetime) -> Event:
    author = Author(id=str(1000 + index % 7), login=f"viewer{index % 7}", roles=("subscriber",))
    return ChatMessage(
        event_id=f"twitch:seed-{index}",
        creator_id="alice",
        platform="twitch",
        channel="alice",
        occurred_at=at,
        received_at=at,
        author=author,
        text=text,
        fragments=(Fragment(text=text),),
    )


async def seed_log(database: Path, events: Sequence[Event]) -> None:
    """Append `events` to the runtime's event log before the runtime opens it."""
    log = SqliteEventLog(database)
    await log.start()
    try:
        await log.append(events)
    finally:
        await log.close()


def stack_config(
    directory: Path,
    twitch_port: int,
    interactive: InteractiveConfig | None = None,
    limits: Limits | None = None,
    triggers: Sequence[Mapping[str, Any]] = (),
) -> Config:
    """Return a one-creator config: alice on the emulator's Twitch, polls per `interactive`,
    the entries of triggers.json given as `triggers`."""
    twitch = CreatorPlatform(
        platform="twitch",
        enabled=True,
        channel="alice",
        secret_env={"token": "E2E_TWITCH"},
        options={"nick": "bot", "transport": "tcp", "host": "127.0.0.1", "port": twitch_port},
    )
    creator = Creator(
        creator_id="alice",
        display_name="Alice",
        enabled=True,
        tier="open",
        limits=limits or Limits(),
        platforms={"twitch": twitch},
    )
    return Config(
        directory=directory,
        system=SystemSettings(snapshot_interval_seconds=0.2, quotas_interval_seconds=0.5),
        platforms={},
        creators=(creator,),
        tiers={},
        environ={"E2E_TWITCH": TOKEN},
        interactive=interactive or InteractiveConfig(),
        triggers=tuple(triggers),
    )


@dataclass
class Stack:
    """A running emulator + runtime + web server, and how to reach it."""

    emulator: TwitchIrcEmulator
    runtime: Runtime
    base_url: str
    port: int
    stop: asyncio.Event
    task: asyncio.Task[None]

    async def get_json(self, path: str) -> Any:
        """GET an API path and return its JSON body."""
        async with aiohttp.ClientSession() as session, session.get(self.base_url + path) as resp:
            resp.raise_for_status()
            return await resp.json()

    async def twitch_status(self) -> str | None:
        """Return alice's Twitch connector status as the API reports it."""
        body = await self.get_json("/api/v1/creators")
        [creator] = body["creators"]
        statuses = [p["status"] for p in creator["platforms"] if p["platform"] == "twitch"]
        return statuses[0] if statuses else None

    async def shutdown(self) -> None:
        """Stop the runtime (idempotent) and wait for it to finish."""
        self.stop.set()
        await asyncio.wait_for(asyncio.shield(self.task), timeout=10)


@contextlib.asynccontextmanager
async def running_stack(
    tmp_path: Path,
    *,
    seed: Sequence[Event] = (),
    interactive: InteractiveConfig | None = None,
    limits: Limits | None = None,
    port: int | None = None,
    triggers: Sequence[Mapping[str, Any]] = (),
) -> AsyncIterator[Stack]:
    """Run the emulator and the runtime with its web server (on `port`) until the block ends."""
    emulator = TwitchIrcEmulator(tokens={TOKEN: "bot"}, reconnect_grace=0.05)
    await emulator.start()
    try:
        port = port or free_port()
        options = runtime_options(tmp_path, port)
        if seed:
            await seed_log(options.database, seed)
        assert emulator.tcp_port is not None, "a started emulator listens on TCP"
        config = stack_config(tmp_path / "config", emulator.tcp_port, interactive, limits, triggers)
        runtime = Runtime(config, options, connectors=default_connectors())
        stop = asyncio.Event()
        task = asyncio.create_task(runtime.run(stop))
        stack = Stack(emulator, runtime, f"http://127.0.0.1:{port}", port, stop, task)
        try:
            await wait_until(lambda: _connected(stack), timeout=10)
            yield stack
        finally:
            await stack.shutdown()
    finally:
        await emulator.close()


def runtime_options(tmp_path: Path, port: int) -> RuntimeOptions:
    """Return runtime options with the web server on `port` and the operator token set."""
    return RuntimeOptions(
        state_dir=tmp_path / "state",
        data_dir=tmp_path / "data",
        backoff=FAST,
        web=WebOptions(host="127.0.0.1", port=port, token=OPERATOR_TOKEN),
    )


async def _connected(stack: Stack) -> bool:
    with contextlib.suppress(aiohttp.ClientError):
        return await stack.twitch_status() == "connected"
    return False


async def wait_until(check: Callable[[], Any], *, timeout: float, interval: float = 0.05) -> None:
    """Re-check an (async) condition until it holds; raise TimeoutError after `timeout`."""
    async with asyncio.timeout(timeout):
        while True:
            result = check()
            if asyncio.iscoroutine(result):
                result = await result
            if result:
                return
            await asyncio.sleep(interval)


async def csp_report_count(base_url: str) -> int:
    """Return how many CSP violation reports the server has received."""
    url = base_url + "/api/v1/csp-report/count"
    async with aiohttp.ClientSession() as session, session.get(url) as resp:
        body = await resp.json()
    count: int = body["count"]
    return count


@dataclass
class Watched:
    """A page and everything it did that our pages must never do."""

    page: Page
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    async def on_dialog(self, dialog: Dialog) -> None:
        """Record and dismiss a dialog (alert, confirm, prompt): it means a payload ran."""
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        await dialog.dismiss()

    def on_error(self, error: Error) -> None:
        """Record an uncaught script error on the page."""
        self.errors.append(str(error))

    async def violations(self) -> list[str]:
        """Return the CSP violations the page saw (recorded by an init script)."""
        found: list[str] = await self.page.evaluate("window.__cspViolations || []")
        return found

    async def assert_clean(self, base_url: str) -> None:
        """Fail on any dialog, script error, CSP violation seen here or reported to the server."""
        assert self.dialogs == [], self.dialogs
        assert self.errors == [], self.errors
        assert await self.violations() == []
        assert await csp_report_count(base_url) == 0

    async def screenshot(self, folder: Path, name: str) -> None:
        """Save a full-page screenshot as a test artifact."""
        await self.page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@dataclass
class WatchedBrowser:
    """One headless chromium context; every page it opens is watched."""

    context: BrowserContext

    async def open(self) -> Watched:
        """Open a new watched page."""
        page = await self.context.new_page()
        watched = Watched(page)
        page.on("dialog", watched.on_dialog)
        page.on("pageerror", watched.on_error)
        return watched


@contextlib.asynccontextmanager
async def watched_browser(
    base_url: str, *, width: int = 1000, height: int = 700
) -> AsyncIterator[WatchedBrowser]:
    """Run Debian's chromium headless (skip when it is missing) with pages on `base_url`."""
    executable = require_binary("chromium", "chromium")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            context = await browser.new_context(
                base_url=base_url, viewport={"width": width, "height": height}
            )
            await context.add_init_script(script=RECORD_VIOLATIONS)
            yield WatchedBrowser(context)
        finally:
            await browser.close()


@contextlib.asynccontextmanager
async def watched_page(
    base_url: str, *, width: int = 1000, height: int = 700
) -> AsyncIterator[Watched]:
    """Open one watched page in a fresh headless chromium."""
    async with watched_browser(base_url, width=width, height=height) as browser:
        yield await browser.open()
