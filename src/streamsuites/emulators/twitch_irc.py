"""A local server speaking Twitch's IRC dialect, for tests and for trying the runtime offline.

It listens on plain TCP, and optionally on TLS (with a certificate made at start) and on
WebSocket. Each connection gets Twitch's login, CAP, JOIN and keepalive behaviour (see
``_twitch_session``) and the server's send and JOIN limits (``_twitch_rules``). Tests drive it
in-process on ephemeral ports::

    emulator = TwitchIrcEmulator(tokens={"abc123": "bot"}, moderators={"alice": {"bot"}})
    await emulator.start(tls=True, websocket=True)
    ...connect to emulator.tcp_port / tls_port (trust emulator.client_ssl_context()) / ws_port
    emulator.say("alice", "ann", "!ping")
    await emulator.wait_for(lambda: emulator.privmsgs)
    emulator.fault("reconnect")
    await emulator.close()

Everything the clients send is recorded in :attr:`TwitchIrcEmulator.sent`. Scenario files
(``_scenario``) script chat, raw lines and faults over time; :func:`serve_twitch` is the CLI's
entry point (``_serve``).
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from aiohttp import web

from streamsuites.clock import SystemClock
from streamsuites.connectors.twitch.protocol import IrcMessage, parse_line
from streamsuites.emulators import _tls
from streamsuites.emulators._http import serve_app
from streamsuites.emulators._links import StreamLink, WebSocketLink
from streamsuites.emulators._scenario import FAULTS, Scenario, load_scenario, play
from streamsuites.emulators._twitch_rules import (
    NOTICE_TEXTS,
    JoinPolicy,
    Login,
    LoginRefused,
    SendPolicy,
    decide_login,
    join_replies,
    notice,
    privmsg,
    source_of,
    user_id,
    userstate,
)
from streamsuites.emulators._twitch_session import Session
from streamsuites.errors import ComponentStateError

if TYPE_CHECKING:
    import ssl
    from collections.abc import Callable, Collection, Mapping

    from streamsuites.clock import Clock
    from streamsuites.emulators._links import Link

__all__ = ["ClientLine", "TwitchIrcEmulator"]

log = logging.getLogger(__name__)

MALFORMED_LINES: Final = (
    "",
    ":tmi.twitch.tv",
    "@badges=;;;= :tmi.twitch.tv",
    "PRIVMSG",
    "@id=\\ :x!x@x.tmi.twitch.tv PRIVMSG #",
    ":tmi.twitch.tv 999 * :\x01\x02 not a numeric anyone knows",
    "\u2603 :not an irc line at all",
)
"""What the ``malformed`` fault sends: lines a robust client must survive."""
_SHUTDOWN_TIMEOUT: Final = 2.0
_KEPT_CLIENT_TAGS: Final = ("client-nonce", "reply-parent-msg-id")


@dataclass(frozen=True, slots=True)
class ClientLine:
    """One line a client sent, as the emulator received it."""

    connection: int
    """Which connection sent it: 1 for the first accepted, then 2, 3…"""
    login: str
    """The connection's login at the time, ``""`` before one."""
    msg: IrcMessage
    at: float
    """The emulator clock's wall time when it arrived."""
    refused: str | None = None
    """For a PRIVMSG the server did not pass on: the msg-id (``msg_ratelimit``…) or a reason;
    for a JOIN line with a channel the JOIN limit dropped: ``join_ratelimit``."""

    @property
    def command(self) -> str:
        """The IRC command."""
        return self.msg.command

    @property
    def channel(self) -> str:
        """The channel login (without ``#``) a PRIVMSG, JOIN or PART names; ``""`` otherwise."""
        first = self.msg.params[0] if self.msg.params else ""
        return first[1:].lower() if first.startswith("#") else ""

    @property
    def text(self) -> str:
        """The last parameter: a PRIVMSG's text."""
        return self.msg.trailing


class TwitchIrcEmulator:
    """Twitch IRC, locally. `tokens` maps each accepted OAuth token to its login.

    `moderators` maps a channel to the logins that moderate it (each channel's broadcaster is
    its own login). The server sends ``PING`` every `ping_interval` seconds and drops a
    connection that has not answered within `pong_timeout`. After ``RECONNECT`` it closes the
    connection `reconnect_grace` seconds later, as Twitch does "shortly after". `policy`
    applies the chat limits and `join_policy` the JOIN limit (20 per 10 s per account; excess
    JOINs get no answer at all, as on Twitch).
    """

    def __init__(
        self,
        *,
        tokens: Mapping[str, str],
        moderators: Mapping[str, Collection[str]] | None = None,
        ping_interval: float = 60.0,
        pong_timeout: float = 10.0,
        reconnect_grace: float = 0.5,
        policy: SendPolicy | None = None,
        join_policy: JoinPolicy | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._tokens = {token: login.lower() for token, login in tokens.items()}
        self._moderators = {
            ch.lower(): {m.lower() for m in ms} for ch, ms in (moderators or {}).items()
        }
        self._ping_interval = ping_interval
        self._pong_timeout = pong_timeout
        self._reconnect_grace = reconnect_grace
        self._policy = policy or SendPolicy()
        self._join_policy = join_policy or JoinPolicy()
        self._clock: Clock = clock or SystemClock()
        self.sent: list[ClientLine] = []
        """Every line every client sent, in arrival order."""
        self.tcp_port: int | None = None
        self.tls_port: int | None = None
        self.ws_port: int | None = None
        self.cert_path: Path | None = None
        """The generated certificate (PEM) while TLS is on; trust it as a CA file."""
        self._sessions: dict[Session, asyncio.Event] = {}
        self._members: dict[str, set[Session]] = {}
        self._servers: list[asyncio.Server] = []
        self._runner: web.AppRunner | None = None
        self._certs: _tls.CertFiles | None = None
        self._numbers = 0
        self._state = "new"
        self._changed = asyncio.Event()

    # Lifecycle

    async def start(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        tls: bool = False,
        tls_port: int = 0,
        websocket: bool = False,
        ws_port: int = 0,
        ws_tls: bool = False,
    ) -> None:
        """Listen on TCP `port`, plus TLS and WebSocket if asked; 0 picks a free port."""
        if self._state != "new":
            raise ComponentStateError(f"the emulator is {self._state}; start it only once")
        self._state = "started"
        if tls or ws_tls:
            self._certs = _tls.make_self_signed(Path(tempfile.mkdtemp(prefix="ss-twitch-")), host)
            self.cert_path = self._certs.cert
        self.tcp_port = await self._listen(host, port, None)
        if tls:
            self.tls_port = await self._listen(host, tls_port, self._server_ssl())
        if websocket:
            self.ws_port = await self._listen_websocket(host, ws_port, ws_tls)

    async def close(self) -> None:
        """Drop every connection and stop listening; calling it again does nothing."""
        if self._state != "started":
            self._state = "closed"
            return
        self._state = "closed"
        for server in self._servers:
            server.close()
        for session in self._sessions:
            session.abort()
        if self._sessions:
            done = [asyncio.create_task(event.wait()) for event in self._sessions.values()]
            await asyncio.wait(done, timeout=_SHUTDOWN_TIMEOUT)
            for task in done:
                task.cancel()
            await asyncio.gather(*done, return_exceptions=True)
        for server in self._servers:
            await server.wait_closed()
        if self._runner is not None:
            await self._runner.cleanup()
        if self._certs is not None:
            shutil.rmtree(self._certs.cert.parent, ignore_errors=True)

    def client_ssl_context(self) -> ssl.SSLContext:
        """Return a client TLS context that trusts this emulator's certificate."""
        if self._certs is None:
            raise ComponentStateError("TLS is not on; start the emulator with tls=True")
        return _tls.client_context(self._certs)

    def _server_ssl(self) -> ssl.SSLContext:
        assert self._certs is not None
        return _tls.server_context(self._certs)

    async def _listen(self, host: str, port: int, ssl_context: ssl.SSLContext | None) -> int:
        server = await asyncio.start_server(self._serve_stream, host, port, ssl=ssl_context)
        self._servers.append(server)
        return int(server.sockets[0].getsockname()[1])

    async def _listen_websocket(self, host: str, port: int, secure: bool) -> int:
        app = web.Application()
        app.router.add_get("/", self._serve_websocket)
        ssl_context = self._server_ssl() if secure else None
        self._runner, bound = await serve_app(app, host, port, ssl_context=ssl_context)
        return bound

    async def _serve_stream(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await self._serve(StreamLink(reader, writer))

    async def _serve_websocket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(timeout=1.0)
        await ws.prepare(request)
        await self._serve(WebSocketLink(ws, request))
        return ws

    async def _serve(self, link: Link) -> None:
        self._numbers += 1
        session = Session(
            self._numbers,
            link,
            self,
            self._clock,
            ping_interval=self._ping_interval,
            pong_timeout=self._pong_timeout,
        )
        self._sessions[session] = done = asyncio.Event()
        self._notify()
        try:
            await session.run()
        finally:
            for channel in session.channels:
                self._members.get(channel, set()).discard(session)
            del self._sessions[session]
            done.set()
            self._notify()

    # What tests and scenarios use

    @property
    def connections(self) -> int:
        """How many clients are connected now."""
        return len(self._sessions)

    @property
    def privmsgs(self) -> list[ClientLine]:
        """The PRIVMSGs clients sent, refused ones included (see :attr:`ClientLine.refused`)."""
        return [line for line in self.sent if line.command == "PRIVMSG"]

    @property
    def joined(self) -> dict[str, list[str]]:
        """The logins of the connected clients in each channel (``#`` dropped), sorted."""
        return {ch[1:]: sorted(s.name for s in ss) for ch, ss in self._members.items() if ss}

    def room_id(self, channel: str) -> str:
        """Return the room-id of `channel` (its broadcaster's user-id)."""
        return user_id(channel.removeprefix("#").lower())

    def say(self, channel: str, login: str, text: str, **tags: str) -> str:
        """Send a chat message from `login` to the clients in `channel`; return its id.

        `tags` override the generated ones; ``display_name`` stands for ``display-name``.
        """
        channel, login = channel.removeprefix("#").lower(), login.lower()
        msg_id = str(uuid.uuid4())
        extra = {key.replace("_", "-"): value for key, value in tags.items()}
        msg = privmsg(
            channel,
            login,
            text,
            moderator=self._is_mod(login, channel),
            msg_id=msg_id,
            now=self._clock.time(),
            extra=extra,
        )
        for session in self._members.get(f"#{channel}", ()):
            session.send(msg)
        return msg_id

    def send_raw(self, line: str) -> None:
        """Send a server line: to `#channel`'s clients if it names one, else to every login."""
        msg = parse_line(line)
        target = msg.params[0].lower() if msg.params else ""
        sessions = self._members.get(target, ()) if target.startswith("#") else self._logged_in()
        for session in list(sessions):
            session.send(msg)

    def fault(self, kind: str, *, login: str | None = None) -> None:
        """Inject fault `kind` on every connection, or only on `login`'s.

        ``reconnect`` sends RECONNECT and closes after the grace; ``close`` drops the socket;
        ``stall`` stops reading and writing (half-open); ``malformed`` sends garbage lines;
        ``revoke`` invalidates the tokens (of `login`, or all) and closes their connections.
        """
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; expected one of {sorted(FAULTS)}")
        if kind == "revoke":
            self._revoke(login)
            return
        for session in list(self._sessions):
            if login is None or session.name == login.lower():
                self._apply(kind, session)

    def _apply(self, kind: str, session: Session) -> None:
        if kind == "reconnect":
            session.server("RECONNECT")
            session.close_after(self._reconnect_grace)
        elif kind == "close":
            session.abort()
        elif kind == "stall":
            session.stall()
        else:
            for line in MALFORMED_LINES:
                session.send_verbatim(line)

    def _revoke(self, login: str | None) -> None:
        revoked = {
            t for t, owner in self._tokens.items() if login is None or owner == login.lower()
        }
        for token in revoked:
            del self._tokens[token]
        for session in list(self._sessions):
            if session.login is not None and session.login.token in revoked:
                session.close_after(0)

    async def wait_for(self, predicate: Callable[[], object], timeout: float | None = 5.0) -> None:
        """Wait until `predicate()` is true, checked after each client line and (dis)connection.

        Raises TimeoutError after `timeout` seconds.
        """
        async with asyncio.timeout(timeout):
            while not predicate():
                await self._changed.wait()

    async def play(self, scenario: Path | Scenario) -> None:
        """Play a scenario (a file or a parsed one) from now; return when its last step has run."""
        if isinstance(scenario, Path):
            scenario = load_scenario(scenario)
        await play(scenario, self, self._clock)

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def _logged_in(self) -> list[Session]:
        return [session for session in self._sessions if session.login is not None]

    # The session hub

    def authenticate(self, password: str | None, nick: str) -> Login | LoginRefused:
        """Decide a login against the current (unrevoked) tokens."""
        return decide_login(password, nick, self._tokens)

    def record(self, session: Session, msg: IrcMessage, refused: str | None = None) -> None:
        """Add a client line to :attr:`sent`."""
        self.sent.append(ClientLine(session.number, session.name, msg, self._clock.time(), refused))
        self._notify()

    def may_join(self, session: Session) -> bool:
        """Count a JOIN attempt against the account's JOIN limit; False drops it."""
        return self._join_policy.check(session.name, now=self._clock.monotonic())

    def join(self, session: Session, channel: str) -> list[IrcMessage]:
        """Add `session` to `channel`; return NAMES, USERSTATE and ROOMSTATE for it."""
        members = self._members.setdefault(channel, set())
        own = IrcMessage(source=source_of(session.name), command="JOIN", params=[channel])
        for other in members:
            if "twitch.tv/membership" in other.caps:
                other.send(own)
        members.add(session)
        names = [session.name]
        if "twitch.tv/membership" in session.caps:
            names += sorted(other.name for other in members if other is not session)
        return join_replies(
            channel[1:], session.name, names, moderator=self._is_mod(session.name, channel[1:])
        )

    def part(self, session: Session, channel: str) -> None:
        """Remove `session` from `channel`."""
        self._members.get(channel, set()).discard(session)

    def chat(self, session: Session, msg: IrcMessage) -> None:
        """Apply the send limits to a client PRIVMSG, then echo it to the channel's others."""
        channel, text, login = msg.params[0].lower(), msg.params[-1], session.name
        privileged = self._is_mod(login, channel[1:]) or login == channel[1:]
        refused = self._policy.check(
            login, channel, text, privileged=privileged, now=self._clock.monotonic()
        )
        self.record(session, msg, refused)
        if refused is not None:
            session.send(notice(channel, NOTICE_TEXTS[refused], refused))
            return
        msg_id, moderator = str(uuid.uuid4()), self._is_mod(login, channel[1:])
        kept = {k: v for k, v in msg.tags.items() if k in _KEPT_CLIENT_TAGS}
        echo = privmsg(
            channel[1:],
            login,
            text,
            moderator=moderator,
            msg_id=msg_id,
            now=self._clock.time(),
            extra=kept,
        )
        for other in self._members.get(channel, ()):
            if other is not session:
                other.send(echo)
        session.send(userstate(channel[1:], login, moderator=moderator, msg_id=msg_id))

    def _is_mod(self, login: str, channel: str) -> bool:
        return login in self._moderators.get(channel, ())
