"""The live endpoints: Server-Sent Events for overlays and chat, a WebSocket for the dashboard.

Both serve a :class:`~.live.Feed`: the events after the client's cursor from the log, then the
hub's live events, each once and in seq order. A client the hub drops for being slow has its
connection aborted at once (even if a write to it is blocked), so nothing waits on it; an
``EventSource`` reconnects by itself with ``Last-Event-ID`` and loses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import msgspec
from aiohttp import WSMsgType, web

from streamsuites.events import event_kind
from streamsuites.web.actions import recent_actions
from streamsuites.web.errors import ApiError, kinds_param, optional_int, values_param
from streamsuites.web.live import ClientTooSlowError, Feed, Selector, event_json
from streamsuites.web.security import origin_allowed
from streamsuites.web.views import build_creators

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

    from streamsuites.eventlog import LoggedEvent
    from streamsuites.web.live import Hub, Subscription
    from streamsuites.web.sources import WebSources

__all__ = ["LiveApi", "LiveSettings", "selector_from", "sse_frames"]

MAX_TAIL: Final = 500
STATE_ACTIONS: Final = 20
"""How many recent actions the WebSocket's state message carries."""
_CLOSED: Final = (ConnectionResetError, ClientTooSlowError)
_SSE_HEADERS: Final = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
_encoder = msgspec.json.Encoder()
_log = logging.getLogger("streamsuites.web")


@dataclass(frozen=True, slots=True, kw_only=True)
class LiveSettings:
    """How the live endpoints pace themselves."""

    keepalive: float = 15.0
    """Seconds of silence after which an SSE stream sends a ``: keepalive`` comment."""
    state_check: float = 0.5
    """How often the WebSocket looks for a change of state."""
    state_every: float = 2.0
    """The WebSocket sends the state at least this often, changed or not."""


def selector_from(query: Mapping[str, str]) -> Selector:
    """Return the filters of a live request: creator, platform and kind, each repeatable."""
    return Selector(
        creators=frozenset(values_param(query, "creator")),
        platforms=frozenset(values_param(query, "platform")),
        kinds=frozenset(kinds_param(query)),
    )


def sse_frames(events: list[LoggedEvent]) -> bytes:
    """Return `events` as SSE frames: ``id``, ``event`` (the kind) and ``data`` (one line).

    The canonical JSON escapes every newline, so ``data`` is always a single line.
    """
    return b"".join(_frame(logged) for logged in events)


def _frame(logged: LoggedEvent) -> bytes:
    kind = event_kind(logged.event).encode()
    return b"id: %d\nevent: %s\ndata: %s\n\n" % (logged.seq, kind, bytes(event_json(logged)))


def _abort(request: web.Request) -> None:
    transport = request.transport
    if transport is not None:
        transport.abort()


class LiveApi:
    """``/api/v1/events/stream`` (SSE) and ``/api/v1/ws`` (WebSocket) over one hub."""

    def __init__(
        self,
        sources: WebSources,
        hub: Hub,
        settings: LiveSettings,
        origins: Collection[str] = (),
    ) -> None:
        self._sources, self._hub, self._settings = sources, hub, settings
        self._origins = origins

    def routes(self) -> list[web.RouteDef]:
        """Return the route table."""
        return [
            web.get("/api/v1/events/stream", self.sse),
            web.get("/api/v1/ws", self.websocket),
        ]

    async def sse(self, request: web.Request) -> web.StreamResponse:
        """Stream events as SSE, resuming after ``Last-Event-ID`` when the client sends one."""
        selector = selector_from(request.query)
        resume = _resume_cursor(request)
        tail = optional_int(request.query, "tail", low=0, high=MAX_TAIL) or 0
        if resume is None:
            await self._hub.pump()
        response = web.StreamResponse(headers=_SSE_HEADERS)
        response.content_type = "text/event-stream"
        response.charset = "utf-8"
        subscription = self._hub.subscribe(selector, on_drop=lambda: _abort(request))
        try:
            await response.prepare(request)
            await response.write(b"retry: 2000\n\n")
            feed = await self._open(response, subscription, resume, tail)
            await self._pump_sse(response, feed)
        except _CLOSED:
            pass
        finally:
            self._hub.unsubscribe(subscription)
        return response

    async def _open(
        self, response: web.StreamResponse, subscription: Subscription, resume: int | None,
        tail: int,
    ) -> Feed:  # fmt: skip
        """Send the requested tail (when not resuming) and return the feed for the rest."""
        cursor = subscription.position if resume is None else resume
        if resume is None and tail:
            where = subscription.selector.log_filter()
            rows = await self._sources.log.tail(tail, where=where)
            rows = [row for row in rows if subscription.selector.matches(row.event)]
            await response.write(sse_frames(rows))
            cursor = max([subscription.position, *(row.seq for row in rows)])
        return Feed(self._hub, self._sources.log, subscription, cursor)

    async def _pump_sse(self, response: web.StreamResponse, feed: Feed) -> None:
        while True:
            batch = await feed.next(self._settings.keepalive)
            await response.write(sse_frames(batch) if batch else b": keepalive\n\n")

    async def websocket(self, request: web.Request) -> web.WebSocketResponse:
        """Send events and the dashboard's state; the client may ask to resume after a seq."""
        headers = request.headers
        if not origin_allowed(headers.get("Origin"), headers.get("Host"), self._origins):
            raise ApiError(
                403, "forbidden_origin", "WebSocket connections from that origin are refused"
            )
        selector = selector_from(request.query)
        ws = web.WebSocketResponse(heartbeat=20.0, max_msg_size=64 * 1024)
        await ws.prepare(request)
        await self._hub.pump()
        subscription = self._hub.subscribe(selector, on_drop=lambda: _abort(request))
        feed = Feed(self._hub, self._sources.log, subscription, subscription.position)
        sender = asyncio.create_task(self._send_ws(ws, feed), name="ws-send")
        reader = asyncio.create_task(_read_ws(ws, feed), name="ws-read")
        try:
            await asyncio.wait({sender, reader}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._hub.unsubscribe(subscription)
            await _finish(sender, reader)
            await ws.close()
        return ws

    async def _send_ws(self, ws: web.WebSocketResponse, feed: Feed) -> None:
        """Send the state at once, then events as they come and the state when it changes."""
        loop = asyncio.get_running_loop()
        with contextlib.suppress(*_CLOSED):
            last = await self._state_message()
            await ws.send_str(last.decode())
            sent_at = checked_at = loop.time()
            check = self._settings.state_check
            while not ws.closed:
                # Events go out as they come; the state is built once per `check` at most,
                # however busy the chat (each build reads the actions database).
                wait = max(0.0, checked_at + check - loop.time())
                for logged in await feed.next(wait):
                    await ws.send_str(_event_message(logged))
                if loop.time() - checked_at < check:
                    continue
                checked_at = loop.time()
                state = await self._state_message()
                if state != last or loop.time() - sent_at >= self._settings.state_every:
                    await ws.send_str(state.decode())
                    last, sent_at = state, loop.time()

    async def _state_message(self) -> bytes:
        src = self._sources
        now = src.clock.time()
        message: dict[str, Any] = {
            "type": "state",
            "creators": build_creators(src.state, src.config, now)["creators"],
        }
        for name in ("quotas", "jobs"):
            source = src.documents.get(name)
            document = dict(await source(now)) if source is not None else {}
            document.pop("generated_at", None)
            message[name] = document
        db = src.db
        message["actions"] = [] if db is None else await recent_actions(db, limit=STATE_ACTIONS)
        return _encoder.encode(message)


async def _finish(*tasks: asyncio.Task[None]) -> None:
    """Cancel and await `tasks`; log a failure other than the client going away."""
    for task in tasks:
        task.cancel()
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    for task, outcome in zip(tasks, outcomes, strict=True):
        if isinstance(outcome, Exception) and not isinstance(outcome, _CLOSED):
            _log.error("WebSocket task %s failed", task.get_name(), exc_info=outcome)


def _event_message(logged: LoggedEvent) -> str:
    return _encoder.encode({"type": "event", "event": event_json(logged)}).decode()


async def _read_ws(ws: web.WebSocketResponse, feed: Feed) -> None:
    """Handle the client's messages until it closes: ``{"type": "resume", "after": seq}``."""
    async for message in ws:
        if message.type is not WSMsgType.TEXT:
            continue
        after = _resume_after(message.data)
        if after is None:
            _log.debug("ignored a WebSocket message that is not a resume")
            continue
        feed.rewind(after)


def _resume_after(data: str) -> int | None:
    try:
        message = msgspec.json.decode(data)
    except msgspec.DecodeError:
        return None
    if not isinstance(message, dict) or message.get("type") != "resume":
        return None
    after = message.get("after")
    if isinstance(after, bool) or not isinstance(after, int) or after < 0:
        return None
    return after


def _resume_cursor(request: web.Request) -> int | None:
    """Return the seq to resume after: the ``Last-Event-ID`` header, else ``?last_event_id=``."""
    header = request.headers.get("Last-Event-ID")
    if header is None:
        return optional_int(request.query, "last_event_id")
    header = header.strip()
    if not header.isascii() or not header.isdigit() or len(header) > 19:
        raise ApiError.bad("Last-Event-ID", "Last-Event-ID must be an event seq (a whole number)")
    return int(header)
