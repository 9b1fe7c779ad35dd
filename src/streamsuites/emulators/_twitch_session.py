"""One client connection to the Twitch IRC emulator: login, CAP, JOIN/PART, chat, keepalive.

A session runs three loops on one link: the reader handles client lines, the writer sends the
queued server lines in batches, and the pinger sends ``PING`` and ends the session when no
``PONG`` comes back in time. The session ends when any loop ends. Everything shared between
connections (tokens, channels, limits, the record of client lines) lives in the emulator, which
the session reaches through the :class:`Hub` protocol.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Protocol

from streamsuites.connectors.twitch.protocol import IrcMessage, parse_line
from streamsuites.emulators._twitch_rules import (
    JOIN_DROPPED,
    KNOWN_CAPS,
    SERVER,
    Login,
    LoginRefused,
    format_line,
    notice,
    user_id,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from streamsuites.clock import Clock
    from streamsuites.emulators._links import Link

__all__ = ["Hub", "Session"]

log = logging.getLogger(__name__)

_WELCOME: Final = (
    ("001", "Welcome, GLHF!"),
    ("002", f"Your host is {SERVER}"),
    ("003", "This server is rather new"),
    ("004", "-"),
    ("375", "-"),
    ("372", "You are in a maze of twisty passages, all alike."),
    ("376", ">"),
)
_NEEDS_COMMANDS: Final = frozenset(
    {
        "CLEARCHAT",
        "CLEARMSG",
        "GLOBALUSERSTATE",
        "HOSTTARGET",
        "RECONNECT",
        "ROOMSTATE",
        "USERNOTICE",
        "USERSTATE",
    }
)
_MAX_BATCH: Final = 256
_SELF_RECORDED: Final = frozenset({"PRIVMSG", "JOIN"})
"""Commands whose handler records the line itself, with the server's verdict."""


class Hub(Protocol):
    """What a session asks of the emulator."""

    def authenticate(self, password: str | None, nick: str) -> Login | LoginRefused:
        """Decide a login."""
        ...

    def record(self, session: Session, msg: IrcMessage, refused: str | None = None) -> None:
        """Note a line the client sent (and, for a PRIVMSG, why it was refused, if it was)."""
        ...

    def may_join(self, session: Session) -> bool:
        """Count one JOIN attempt of `session`'s account; False if the JOIN limit drops it."""
        ...

    def join(self, session: Session, channel: str) -> list[IrcMessage]:
        """Add `session` to `channel`; return the replies for it after its JOIN echo."""
        ...

    def part(self, session: Session, channel: str) -> None:
        """Remove `session` from `channel`."""
        ...

    def chat(self, session: Session, msg: IrcMessage) -> None:
        """Handle a PRIVMSG from a logged-in session."""
        ...


@dataclass(frozen=True, slots=True)
class _Close:
    after: float


class Session:
    """The state and loops of one connection."""

    def __init__(
        self,
        number: int,
        link: Link,
        hub: Hub,
        clock: Clock,
        *,
        ping_interval: float,
        pong_timeout: float,
    ) -> None:
        self.number = number
        """1 for the emulator's first connection, then 2, 3…"""
        self.login: Login | None = None
        self.caps: set[str] = set()
        self.channels: set[str] = set()
        self._link = link
        self._hub = hub
        self._clock = clock
        self._ping_interval = ping_interval
        self._pong_timeout = pong_timeout
        self._password: str | None = None
        self._pongs = 0
        self._queue: asyncio.Queue[str | _Close] = asyncio.Queue()
        self._running = asyncio.Event()
        self._running.set()
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def name(self) -> str:
        """The login, or ``""`` before one."""
        return self.login.login if self.login else ""

    async def run(self) -> None:
        """Serve the connection until a loop ends it or :meth:`abort` is called."""
        self._tasks = [
            asyncio.create_task(loop(), name=f"twitch-emulator-{self.number}-{loop.__name__}")
            for loop in (self._read_loop, self._write_loop, self._ping_loop)
        ]
        try:
            await asyncio.wait(self._tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            await self._stop_tasks()
        await self._link.close()

    async def _stop_tasks(self) -> None:
        for task in self._tasks:
            task.cancel()
        for result in await asyncio.gather(*self._tasks, return_exceptions=True):
            if isinstance(result, Exception):
                log.debug("emulated session %d: %r", self.number, result)

    def abort(self) -> None:
        """Drop the connection now (the ``close`` fault, and the emulator's close)."""
        self._link.abort()
        for task in self._tasks:
            task.cancel()

    def stall(self) -> None:
        """Stop reading, writing and pinging but keep the socket open: a half-open connection."""
        self._running.clear()

    def close_after(self, seconds: float) -> None:
        """Close gracefully once the lines queued so far are written and `seconds` have passed."""
        self._queue.put_nowait(_Close(seconds))

    def send(self, msg: IrcMessage) -> None:
        """Queue `msg` for the client, as the client's caps shape it."""
        if msg.command in _NEEDS_COMMANDS and "twitch.tv/commands" not in self.caps:
            return
        self._queue.put_nowait(format_line(msg, with_tags="twitch.tv/tags" in self.caps))

    def send_verbatim(self, line: str) -> None:
        """Queue `line` exactly as given (for malformed lines)."""
        self._queue.put_nowait(line)

    def server(self, command: str, *params: str, tags: dict[str, str] | None = None) -> None:
        """Queue a line from ``tmi.twitch.tv``."""
        self.send(IrcMessage(tags=tags or {}, source=SERVER, command=command, params=list(params)))

    async def _read_loop(self) -> None:
        while (line := await self._link.read_line()) is not None:
            await self._running.wait()
            msg = parse_line(line)
            handler = self._handlers().get(msg.command)
            stop = handler is not None and handler(msg) is False
            if msg.command not in _SELF_RECORDED:
                self._hub.record(self, msg)
            if stop:
                return

    async def _write_loop(self) -> None:
        while True:
            await self._running.wait()
            batch, close = await self._next_batch()
            if batch:
                await self._link.send(batch)
            if close is not None:
                await self._clock.sleep(close.after)
                return

    async def _next_batch(self) -> tuple[list[str], _Close | None]:
        batch: list[str] = []
        item = await self._queue.get()
        while isinstance(item, str):
            batch.append(item)
            if self._queue.empty() or len(batch) >= _MAX_BATCH:
                return batch, None
            item = self._queue.get_nowait()
        return batch, item

    async def _ping_loop(self) -> None:
        while True:
            await self._clock.sleep(self._ping_interval)
            await self._running.wait()
            before = self._pongs
            self.server("PING", SERVER)
            await self._clock.sleep(self._pong_timeout)
            if self._pongs == before and self._running.is_set():
                log.debug("emulated session %d: no PONG, disconnecting", self.number)
                return

    def _handlers(self) -> dict[str, Callable[[IrcMessage], bool | None]]:
        return {
            "CAP": self._on_cap,
            "PASS": self._on_pass,
            "NICK": self._on_nick,
            "PING": self._on_ping,
            "PONG": self._on_pong,
            "JOIN": self._on_join,
            "PART": self._on_part,
            "PRIVMSG": self._on_privmsg,
            "QUIT": lambda _msg: False,
        }

    def _on_cap(self, msg: IrcMessage) -> None:
        sub = msg.params[0].upper() if msg.params else ""
        if sub == "LS":
            self.server("CAP", "*", "LS", " ".join(sorted(KNOWN_CAPS)))
        elif sub == "REQ":
            wanted = set(msg.trailing.split()) if len(msg.params) > 1 else set()
            verdict = "ACK" if wanted and wanted <= KNOWN_CAPS else "NAK"
            if verdict == "ACK":
                self.caps |= wanted
            self.server("CAP", "*", verdict, msg.trailing)

    def _on_pass(self, msg: IrcMessage) -> None:
        self._password = msg.trailing

    def _on_nick(self, msg: IrcMessage) -> None:
        if self.login is not None:
            return
        outcome = self._hub.authenticate(self._password, msg.trailing)
        if isinstance(outcome, LoginRefused):
            self.send(notice("*", outcome.text))
            self.close_after(0)
            return
        self.login = outcome
        self._welcome(outcome)

    def _welcome(self, login: Login) -> None:
        for numeric, text in _WELCOME:
            self.server(numeric, login.login, text)
        if not login.anonymous:
            tags = {
                "badge-info": "",
                "badges": "",
                "color": "",
                "display-name": login.login,
                "emote-sets": "0",
                "turbo": "0",
                "user-id": user_id(login.login),
                "user-type": "",
            }
            self.server("GLOBALUSERSTATE", tags=tags)

    def _on_ping(self, msg: IrcMessage) -> None:
        self.server("PONG", SERVER, msg.trailing or SERVER)

    def _on_pong(self, _msg: IrcMessage) -> None:
        self._pongs += 1

    def _on_join(self, msg: IrcMessage) -> None:
        channels = msg.params[0].lower().split(",") if self.login and msg.params else []
        dropped = [channel for channel in channels if not self._join(channel)]
        self._hub.record(self, msg, JOIN_DROPPED if dropped else None)

    def _join(self, channel: str) -> bool:
        """Join one channel of a JOIN line; False if the JOIN limit dropped the attempt."""
        if not self._hub.may_join(self):
            log.debug("emulated session %d: JOIN %s over the limit, dropped", self.number, channel)
            return False
        if channel.startswith("#") and channel[1:] and channel not in self.channels:
            self.channels.add(channel)
            self.send(IrcMessage(source=self._source(), command="JOIN", params=[channel]))
            for reply in self._hub.join(self, channel):
                self.send(reply)
        return True

    def _on_part(self, msg: IrcMessage) -> None:
        for channel in msg.params[0].lower().split(",") if msg.params else []:
            if channel in self.channels:
                self.channels.discard(channel)
                self._hub.part(self, channel)
                self.send(IrcMessage(source=self._source(), command="PART", params=[channel]))

    def _on_privmsg(self, msg: IrcMessage) -> None:
        if self.login is None or len(msg.params) < 2:
            self._hub.record(self, msg, "not logged in" if self.login is None else "no text")
        elif self.login.anonymous:
            self._hub.record(self, msg, "anonymous")
        else:
            self._hub.chat(self, msg)

    def _source(self) -> str:
        name = self.name
        return f"{name}!{name}@{name}.{SERVER}"
