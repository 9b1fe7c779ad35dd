"""The Twitch chat connector: IRC glue between the transport, the pure modules and the runtime.

One :meth:`TwitchConnector.run` is one connection: CAP REQ, PASS (with a token), NICK, USER and
CAP END (for standard IRCv3 servers; Twitch ignores the last two), then wait
for ``001`` before reporting connected and JOINing every wanted channel (the desired state,
re-applied on every connection, paced by :class:`JoinLimiter` in a task of its own, so the
channels joined first are read while the rest wait their turn). While connected it answers PING,
feeds USERSTATE/ROOMSTATE to the per-channel send limits, reports NOTICEs, emits events, and
ends with an error class the supervisor understands: ``RECONNECT`` → :class:`Reconnect` (at
once after a connection that lasted 10 s), a refused login → :class:`AuthError` (stop),
silence → :class:`TransportError`.

Sending (:meth:`TwitchConnector.send`, the outbox's ``Sender``) writes one PRIVMSG per part,
then waits up to ``send_confirm_timeout`` for Twitch's answer. Twitch never echoes our own
message, but it answers each PRIVMSG in order with a USERSTATE for that channel (accepted; it
carries the new message's ``id``) or a ``msg_*`` NOTICE (refused). Nothing in the answer names
the PRIVMSG, so the check is by elimination: the answer must be for the pending send's channel,
a USERSTATE without ``id`` while that channel's JOIN is unanswered is the JOIN's, and an answer
arriving after an earlier send gave up waiting (within ``_LATE_HORIZON``) is that send's. When
no answer comes in time the message counts as delivered because it was written: Twitch answers
refusals at once, so silence almost always means acceptance.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import TYPE_CHECKING, Final, Literal, TypeAlias

from streamsuites.actions.outbox import SendOutcome
from streamsuites.clock import utc_from_timestamp
from streamsuites.connectors.batching import EventBatcher
from streamsuites.connectors.twitch.config import TwitchConfig, channel_login
from streamsuites.connectors.twitch.protocol import (
    IrcMessage,
    format_message,
    format_privmsg,
    parse_line,
)
from streamsuites.connectors.twitch.ratelimit import (
    CHAT_WINDOW,
    PRIVILEGED_CHAT_LIMIT,
    ChannelLimits,
    JoinLimiter,
    SlidingWindow,
    is_send_notice,
)
from streamsuites.connectors.twitch.translate import translate, user_roles
from streamsuites.connectors.twitch.transport import open_transport
from streamsuites.errors import AuthError, Reconnect, TransportError

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from streamsuites.actions.outbox import OutboundMessage
    from streamsuites.clock import Clock
    from streamsuites.connectors.base import ConnectorLink, ConnectorSpec
    from streamsuites.connectors.twitch.transport import IrcTransport

__all__ = ["AUTH_FAILURES", "TwitchConnector"]

_log = logging.getLogger("streamsuites.twitch")

CAPABILITIES: Final = "CAP REQ :twitch.tv/tags twitch.tv/commands twitch.tv/membership"
AUTH_FAILURES: Final = frozenset(
    {
        "Login authentication failed",
        "Improperly formatted auth",
        "Login unsuccessful",
        "Error logging in",
        "Invalid NICK",
    }
)
"""Pre-login NOTICE texts that mean the token (or nick) was refused."""
_OFFLINE_RETRY: Final = 5.0
"""Seconds the outbox waits before offering a message again while we are disconnected."""
_LOST: Final = "connection closed before Twitch answered; delivery unknown"
_LATE_HORIZON: Final = 10.0
"""Seconds after which an unanswered send's answer is no longer expected."""


_Handler: TypeAlias = "Callable[[IrcMessage, IrcTransport, ConnectorLink], Awaitable[None]]"


class TwitchConnector:
    """Twitch chat over IRC for one creator: reads every wanted channel, sends through limits."""

    def __init__(
        self,
        spec: ConnectorSpec,
        *,
        clock: Clock | None = None,
        transport_factory: Callable[[TwitchConfig], IrcTransport] = open_transport,
    ) -> None:
        self.config = TwitchConfig.from_spec(spec)
        self._creator_id = spec.creator.creator_id
        self._clock: Clock = clock or spec.services.clock
        self._open = transport_factory
        self._joins = JoinLimiter()
        self._account = SlidingWindow(PRIVILEGED_CHAT_LIMIT, CHAT_WINDOW)
        self._limits: dict[str, ChannelLimits] = {}
        self._live: IrcTransport | None = None
        """The transport, from welcome until the connection ends; None means "not connected"."""
        self._joiner: asyncio.Task[None] | None = None
        self._pending: dict[str, asyncio.Future[SendOutcome]] = {}
        self._joining: set[str] = set()
        """Channels JOINed on this connection whose JOIN USERSTATE has not come yet."""
        self._late: dict[str, deque[float]] = {}
        """Per channel, when each send that stopped waiting for its answer stopped."""
        self._send_lock = asyncio.Lock()
        self._handlers: dict[str, _Handler] = {
            "001": self._on_welcome,
            "PING": self._on_ping,
            "RECONNECT": self._on_reconnect,
            "NOTICE": self._on_notice,
            "USERSTATE": self._on_userstate,
            "ROOMSTATE": self._on_roomstate,
        }

    async def run(self, link: ConnectorLink) -> None:
        """Serve one connection until it ends; the raised class tells the supervisor why."""
        transport = self._open(self.config)
        try:
            await transport.connect()
            await self._login(transport)
            async with EventBatcher(link) as batcher:
                while True:
                    msg = parse_line(await self._next_line(transport, link))
                    link.frame_received()
                    await self._handle(msg, transport, link, batcher)
        finally:
            self._live, self._joining, self._late = None, set(), {}
            await self._stop_joining()
            self._settle_all(SendOutcome.failed(_LOST))
            await transport.close()

    async def _stop_joining(self) -> None:
        joiner, self._joiner = self._joiner, None
        if joiner is not None:
            joiner.cancel()  # a write error there is the read loop's to report, so ignore it
            await asyncio.gather(joiner, return_exceptions=True)

    async def _login(self, transport: IrcTransport) -> None:
        await transport.write(CAPABILITIES)
        if self.config.token is not None:
            await transport.write(f"PASS {self.config.token}")
        await transport.write(f"NICK {self.config.nick}")
        # Twitch welcomes after NICK alone; a standard IRC server also wants USER, and holds
        # registration after a CAP REQ until CAP END. Twitch ignores both.
        await transport.write(f"USER {self.config.nick} 0 * :{self.config.nick}")
        await transport.write("CAP END")

    async def _next_line(self, transport: IrcTransport, link: ConnectorLink) -> str:
        """Return the next line; after `idle_timeout` of silence probe once with PING."""
        if transport.buffered():
            # Already here: no need to arm the idle timer (which costs more than the parse).
            line = await transport.readline()
        else:
            try:
                async with asyncio.timeout(self.config.idle_timeout):
                    line = await transport.readline()
            except TimeoutError:
                line = await self._probe(transport, link)
        if line is None:
            raise TransportError("Twitch closed the connection", platform="twitch")
        return line

    async def _probe(self, transport: IrcTransport, link: ConnectorLink) -> str | None:
        # A quiet channel is normal (Twitch itself PINGs only every ~5 minutes): the probe is
        # routine, and only an unanswered one is news.
        idle = self.config.idle_timeout
        _log.debug("no data for %gs; sending PING", idle)
        await transport.write("PING :tmi.twitch.tv")
        try:
            async with asyncio.timeout(self.config.pong_timeout):
                return await transport.readline()
        except TimeoutError:
            reason = f"no data for {idle + self.config.pong_timeout:g}s; PING unanswered"
            link.notice("warning", f"twitch: connection stale ({reason}); reconnecting")
            raise TransportError(reason, platform="twitch", code="stale") from None

    async def _handle(
        self, msg: IrcMessage, transport: IrcTransport, link: ConnectorLink, batcher: EventBatcher
    ) -> None:
        events = translate(
            msg, creator_id=self._creator_id, received_at=utc_from_timestamp(self._clock.time())
        )
        if events:
            await batcher.add(events)
        handler = self._handlers.get(msg.command)
        if handler is not None:
            await handler(msg, transport, link)

    async def _on_welcome(
        self, msg: IrcMessage, transport: IrcTransport, link: ConnectorLink
    ) -> None:
        self._live = transport
        link.connected()
        self._joiner = asyncio.create_task(self._join_all(transport), name="twitch-join")

    async def _join_all(self, transport: IrcTransport) -> None:
        """JOIN every wanted channel, 20 per 10 s; beyond 20 it sleeps while reading goes on."""
        wanted = list(self.config.channels)
        while wanted:
            now = self._clock.monotonic()
            batch = self._joins.take(wanted, now)
            for channel in batch:
                self._joining.add(channel)
                await transport.write(f"JOIN #{channel}")
            wanted = wanted[len(batch) :]
            if wanted:
                await self._clock.sleep(self._joins.delay(now))

    async def _on_ping(self, msg: IrcMessage, transport: IrcTransport, link: ConnectorLink) -> None:
        params = msg.params or ["tmi.twitch.tv"]
        await transport.write(format_message(IrcMessage(command="PONG", params=params)))

    async def _on_reconnect(
        self, msg: IrcMessage, transport: IrcTransport, link: ConnectorLink
    ) -> None:
        link.notice("info", "twitch: server asked to reconnect (RECONNECT)")
        raise Reconnect("Twitch asked us to reconnect (RECONNECT)", platform="twitch")

    async def _on_notice(
        self, msg: IrcMessage, transport: IrcTransport, link: ConnectorLink
    ) -> None:
        msg_id, text, channel = msg.tags.get("msg-id", ""), msg.trailing, _channel(msg)
        if self._live is None and text in AUTH_FAILURES:
            raise AuthError(text, platform="twitch", code="login_failed")
        level: Literal["info", "warning"] = (
            "warning" if not msg_id or is_send_notice(msg_id) else "info"
        )
        where = f"#{channel}" if channel else "twitch"
        link.notice(level, f"{where}: {text} ({msg_id or 'notice'})")
        _log.log(logging.WARNING if level == "warning" else logging.INFO, "%s: %s", where, text)
        if channel and is_send_notice(msg_id):
            effect = self._channel_limits(channel).on_notice(msg_id, self._clock.monotonic())
            self._answer(channel, effect.outcome())

    async def _on_userstate(
        self, msg: IrcMessage, transport: IrcTransport, link: ConnectorLink
    ) -> None:
        channel = _channel(msg)
        roles = user_roles(msg)
        privileged = "broadcaster" in roles or "moderator" in roles
        self._channel_limits(channel).set_privileged(privileged)
        if channel in self._joining and not msg.tags.get("id"):
            self._joining.discard(channel)  # the JOIN's USERSTATE, not a PRIVMSG's
        else:
            self._answer(channel, SendOutcome.delivered())

    async def _on_roomstate(
        self, msg: IrcMessage, transport: IrcTransport, link: ConnectorLink
    ) -> None:
        slow = msg.tags.get("slow", "")
        if slow.isdigit():
            self._channel_limits(_channel(msg)).set_slow_mode(float(slow))

    async def send(self, message: OutboundMessage) -> SendOutcome:
        """Send `message` as one PRIVMSG per part; see the module docstring for the outcome."""
        async with self._send_lock:
            transport = self._live
            if transport is None:
                return SendOutcome.retry(_OFFLINE_RETRY, "twitch is not connected")
            if self.config.anonymous:
                return SendOutcome.failed("twitch: anonymous login is read-only; set a token")
            channel = channel_login(message.channel) or self.config.channels[0]
            limits = self._channel_limits(channel)
            parts = limits.split(message.text)
            if not parts:
                return SendOutcome.failed("the message is empty")
            wait = limits.next_send(self._clock.monotonic())
            if wait > 0:
                return SendOutcome.retry(wait, f"twitch send limits for #{channel}")
            return await self._send_parts(transport, channel, parts, message.reply_to)

    async def _send_parts(
        self, transport: IrcTransport, channel: str, parts: list[str], reply_to: str | None
    ) -> SendOutcome:
        limits = self._channel_limits(channel)
        for index, part in enumerate(parts):
            # Later parts wait their turn here: returning "retry" would resend the earlier ones.
            await self._clock.sleep(limits.next_send(self._clock.monotonic()))
            first_reply = reply_to if index == 0 else None
            outcome = await self._send_part(transport, channel, part, first_reply)
            if outcome.status != "delivered":
                return outcome if not index else SendOutcome.partial(outcome, index, len(parts))
        return SendOutcome.delivered()

    async def _send_part(
        self, transport: IrcTransport, channel: str, part: str, reply_to: str | None
    ) -> SendOutcome:
        limits = self._channel_limits(channel)
        text = limits.prepare(part, self._clock.monotonic())
        answer: asyncio.Future[SendOutcome] = asyncio.get_running_loop().create_future()
        self._pending[channel] = answer
        try:
            await transport.write(format_privmsg(channel, text, reply_to=reply_to))
            limits.sent(text, self._clock.monotonic())
            _log.info("sent to #%s: %s", channel, text)
            async with asyncio.timeout(self.config.send_confirm_timeout):
                return await answer
        except TimeoutError:
            self._overdue(channel).append(self._clock.monotonic())
            return SendOutcome.delivered()  # written and not refused in time: see the docstring
        finally:
            self._pending.pop(channel, None)

    def _answer(self, channel: str, outcome: SendOutcome) -> None:
        """Settle the send pending in `channel`, unless this answers an earlier, late one."""
        late = self._overdue(channel)
        if late:
            late.popleft()
            _log.info("#%s: late answer to an earlier message (%s)", channel, outcome.status)
        else:
            self._settle(channel, outcome)

    def _overdue(self, channel: str) -> deque[float]:
        """When each send in `channel` still owed an answer stopped waiting, oldest first."""
        late = self._late.setdefault(channel, deque())
        while late and late[0] < self._clock.monotonic() - _LATE_HORIZON:
            late.popleft()  # too old: that answer is not coming
        return late

    def _settle(self, channel: str, outcome: SendOutcome) -> None:
        answer = self._pending.pop(channel, None)
        if answer is not None and not answer.done():
            answer.set_result(outcome)

    def _settle_all(self, outcome: SendOutcome) -> None:
        for channel in list(self._pending):
            self._settle(channel, outcome)

    def _channel_limits(self, channel: str) -> ChannelLimits:
        limits = self._limits.get(channel)
        if limits is None:
            limits = self._limits[channel] = ChannelLimits(channel, account=self._account)
        return limits


def _channel(msg: IrcMessage) -> str:
    target = msg.params[0] if msg.params else ""
    return channel_login(target) if target.startswith("#") else ""
