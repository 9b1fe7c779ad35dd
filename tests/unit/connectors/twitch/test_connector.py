"""The Twitch connector against a tiny in-test IRC server speaking just enough Twitch."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable, Sequence
from typing import cast

import pytest

from streamsuites.actions.outbox import OutboundMessage, SendOutcome
from streamsuites.clock import SystemClock
from streamsuites.config.model import Creator, CreatorPlatform, Limits
from streamsuites.connectors.base import ConnectorSpec
from streamsuites.connectors.registry import default_connectors
from streamsuites.connectors.supervisor import Backoff, BackoffPolicy, Supervisor, retry_delay
from streamsuites.connectors.twitch import TwitchConnector
from streamsuites.connectors.twitch.connector import CAPABILITIES
from streamsuites.errors import AuthError, Reconnect, TransportError
from streamsuites.eventlog import AppendResult, EventLog
from streamsuites.events import ChatMessage, Event, Moderation, SystemEvent
from streamsuites.intake import Intake
from streamsuites.state.runtime_state import ConnectorStatus, RuntimeState

WELCOME = ":tmi.twitch.tv 001 {nick} :Welcome, GLHF!"
USERSTATE = "@badges=moderator/1;mod=1;id=u1 :tmi.twitch.tv USERSTATE #alice"
PRIVMSG = (
    "@badges=;color=;display-name=Ann;emotes=;id=m-1;mod=0;room-id=1;subscriber=0;"
    "tmi-sent-ts=1700000000000;user-id=7 :ann!ann@ann.tmi.twitch.tv PRIVMSG #alice :hi there"
)
TIMEOUT = "@ban-duration=60;room-id=1;target-user-id=7 :tmi.twitch.tv CLEARCHAT #alice :ann"


class FakeTwitch:
    """An IRC server: welcomes NICK, echoes JOIN, answers PRIVMSG with a scripted line."""

    def __init__(self) -> None:
        self.connections: list[list[str]] = []
        self._writers: list[asyncio.StreamWriter] = []
        self._server: asyncio.Server | None = None
        self.refuse_login: str | None = None
        self.answer_privmsg: str | None = None
        self.answer_ping = True

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def lines(self) -> list[str]:
        return self.connections[-1] if self.connections else []

    async def __aenter__(self) -> FakeTwitch:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        for writer in self._writers:
            writer.close()
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()
        for writer in self._writers:
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def say(self, line: str) -> None:
        writer = self._writers[-1]
        writer.write(line.encode() + b"\r\n")
        await writer.drain()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        lines: list[str] = []
        self.connections.append(lines)
        self._writers.append(writer)
        with contextlib.suppress(OSError):
            while data := await reader.readline():
                lines.append(data.decode().rstrip("\r\n"))
                if not await self._answer(lines[-1]):
                    break
        writer.close()

    async def _answer(self, line: str) -> bool:
        if line.startswith("@"):
            line = line.partition(" ")[2]
        verb, _, rest = line.partition(" ")
        if verb == "NICK" and self.refuse_login:
            await self.say(f":tmi.twitch.tv NOTICE * :{self.refuse_login}")
            return False
        reply = {
            "NICK": WELCOME.format(nick=rest),
            "JOIN": f":me!me@me.tmi.twitch.tv JOIN {rest}",
            "PING": f":tmi.twitch.tv PONG tmi.twitch.tv {rest}" if self.answer_ping else None,
        }.get(verb)
        if verb == "PRIVMSG":
            reply = self.answer_privmsg
        if reply:
            await self.say(reply)
        return True


class RecordingLink:
    def __init__(self) -> None:
        self.connects = 0
        self.frames = 0
        self.events: list[Event] = []
        self.notices: list[tuple[str, str]] = []

    def connected(self) -> None:
        self.connects += 1

    def frame_received(self) -> None:
        self.frames += 1

    async def emit(self, events: Sequence[Event]) -> AppendResult:
        self.events.extend(events)
        return AppendResult(appended=(), duplicates=0)

    def notice(self, level: str, message: str) -> None:
        self.notices.append((level, message))

    def next_frame_at(self, at: float) -> None:
        self.notices.append(("next_frame_at", str(at)))

    def waiting(self, status: str, reason: str, *, until: float | None = None) -> None:
        self.notices.append((status, reason))


def make_spec(port: int, *, token: str | None = None, **options: object) -> ConnectorSpec:
    creator = Creator(
        creator_id="alice", display_name="Alice", enabled=True, tier="open", limits=Limits(),
        platforms={},
    )
    settings = CreatorPlatform(
        platform="twitch", enabled=True, channel="alice",
        options={"transport": "tcp", "host": "127.0.0.1", "port": port, **options},
    )
    return ConnectorSpec(
        creator=creator, settings=settings, secrets={"token": token} if token else {}
    )


def connector(server: FakeTwitch, **kwargs: object) -> TwitchConnector:
    token = cast("str | None", kwargs.pop("token", None))
    return TwitchConnector(make_spec(server.port, token=token, **kwargs), clock=SystemClock())


async def until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(2):
        while not condition():
            await asyncio.sleep(0.005)


@contextlib.asynccontextmanager
async def running(conn: TwitchConnector, link: RecordingLink):
    task = asyncio.create_task(conn.run(link))
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


def message(text: str = "hello", **kwargs: str) -> OutboundMessage:
    return OutboundMessage(
        action_id="a1", creator_id="alice", platform="twitch", channel="", text=text, **kwargs
    )


@pytest.mark.asyncio
async def test_anonymous_login_sends_cap_nick_then_joins_after_welcome() -> None:
    link = RecordingLink()
    async with FakeTwitch() as server, running(connector(server), link):
        await until(lambda: "JOIN #alice" in server.lines)
        cap, nick, user, end, join = server.lines[:5]
    assert cap == CAPABILITIES
    assert nick.startswith("NICK justinfan")
    assert user.startswith("USER justinfan")
    assert end == "CAP END"
    assert join == "JOIN #alice"
    assert link.connects == 1


@pytest.mark.asyncio
async def test_token_login_sends_pass_before_nick_and_joins_every_channel() -> None:
    link = RecordingLink()
    conn_kwargs: dict[str, object] = {"token": "abc", "nick": "Bot", "channels": ["#Bob"]}
    async with FakeTwitch() as server, running(connector(server, **conn_kwargs), link):
        await until(lambda: "JOIN #bob" in server.lines)
        lines = server.lines[:7]
    login = [CAPABILITIES, "PASS oauth:abc", "NICK bot", "USER bot 0 * :bot", "CAP END"]
    assert lines == [*login, "JOIN #alice", "JOIN #bob"]


@pytest.mark.asyncio
async def test_ping_is_answered_with_pong_of_the_same_parameter() -> None:
    link = RecordingLink()
    async with FakeTwitch() as server, running(connector(server), link):
        await until(lambda: link.connects == 1)
        await server.say("PING :tmi.twitch.tv")
        await until(lambda: "PONG tmi.twitch.tv" in server.lines)


@pytest.mark.asyncio
async def test_reconnect_raises_reconnect_and_the_next_run_joins_again() -> None:
    link = RecordingLink()
    async with FakeTwitch() as server:
        conn = connector(server)
        task = asyncio.create_task(conn.run(link))
        await until(lambda: "JOIN #alice" in server.lines)
        await server.say(":tmi.twitch.tv RECONNECT")
        with pytest.raises(Reconnect):
            await asyncio.wait_for(task, 2)
        async with running(conn, link):
            await until(lambda: len(server.connections) == 2 and "JOIN #alice" in server.lines)
    assert link.connects == 2
    assert [e.code for e in link.events if isinstance(e, SystemEvent)] == ["reconnect"]


def test_reconnect_is_retried_at_once_after_a_healthy_connection() -> None:
    backoff = Backoff(BackoffPolicy(base=5), random.Random(1))
    assert retry_delay(Reconnect("RECONNECT"), backoff, connected_for=600) == 0.0
    assert backoff.attempt == 0


def test_a_server_that_keeps_asking_to_reconnect_gets_the_backoff() -> None:
    backoff = Backoff(BackoffPolicy(base=5), random.Random(1))
    delays = [retry_delay(Reconnect("RECONNECT"), backoff, connected_for=1) for _ in range(3)]
    assert backoff.attempt == 3
    assert all(0 <= d <= 20 for d in delays)


@pytest.mark.asyncio
@pytest.mark.parametrize("reason", ["Login authentication failed", "Improperly formatted auth"])
async def test_refused_login_raises_auth_error_with_the_reason(reason: str) -> None:
    async with FakeTwitch() as server:
        server.refuse_login = reason
        conn = connector(server, token="bad", nick="bot")
        with pytest.raises(AuthError) as raised:
            await asyncio.wait_for(conn.run(RecordingLink()), 2)
    assert raised.value.reason == reason


class _ListLog:
    async def append(self, events: Sequence[Event]) -> AppendResult:
        return AppendResult(appended=(), duplicates=0)


@pytest.mark.asyncio
async def test_supervisor_stops_after_a_refused_login_without_a_second_attempt() -> None:
    async with FakeTwitch() as server:
        server.refuse_login = "Login authentication failed"
        conn = connector(server, token="bad", nick="bot")
        clock = SystemClock()
        state = RuntimeState(started_at=clock.time())
        supervisor = Supervisor(
            spec=make_spec(server.port), connector=conn,
            intake=Intake(cast(EventLog, _ListLog())), state=state, clock=clock,
            policy=BackoffPolicy(base=0.01, cap=0.01), rng=random.Random(1),
        )
        await asyncio.wait_for(supervisor.run(), 2)
    health = state.connector("alice", "twitch")
    assert health.status is ConnectorStatus.AUTH_FAILED
    assert health.reason == "Login authentication failed"
    assert len(server.connections) == 1


@pytest.mark.asyncio
async def test_silence_sends_a_ping_probe_then_gives_up() -> None:
    link = RecordingLink()
    async with FakeTwitch() as server:
        server.answer_ping = False
        conn = connector(server, idle_timeout=0.2, pong_timeout=0.2)
        with pytest.raises(TransportError, match="PING unanswered"):
            await asyncio.wait_for(conn.run(link), 2)
    assert "PING :tmi.twitch.tv" in server.lines
    assert any("stale" in text for _, text in link.notices)


@pytest.mark.asyncio
async def test_an_answered_probe_keeps_the_connection() -> None:
    link = RecordingLink()
    async with FakeTwitch() as server, running(connector(server, idle_timeout=0.1), link) as task:
        await until(lambda: server.lines.count("PING :tmi.twitch.tv") >= 3)
        assert not task.done()


@pytest.mark.asyncio
async def test_lines_become_events_of_the_right_kinds() -> None:
    link = RecordingLink()
    async with FakeTwitch() as server, running(connector(server), link):
        await until(lambda: link.connects == 1)
        for line in (PRIVMSG, TIMEOUT, "@msg-id=msg_channel_suspended :tmi.twitch.tv NOTICE "
                     "#alice :This channel does not exist or has been suspended."):
            await server.say(line)
        await until(lambda: len(link.events) == 3)
    chat, timeout, notice = link.events
    assert isinstance(chat, ChatMessage) and chat.text == "hi there"
    assert isinstance(timeout, Moderation)
    assert isinstance(notice, SystemEvent) and notice.code == "msg_channel_suspended"
    assert any(level == "warning" and "suspended" in text for level, text in link.notices)


async def send_through(
    server: FakeTwitch, answer: str | None, msg: OutboundMessage, *, confirm: float = 30
) -> SendOutcome:
    """Connect with a token, send `msg` while the server answers PRIVMSG with `answer`.

    The long default `confirm` wait proves an answer settled the send, not the timeout.
    """
    server.answer_privmsg = answer
    link = RecordingLink()
    conn = connector(server, token="t", nick="bot", send_confirm_timeout=confirm)
    async with running(conn, link):
        await until(lambda: "JOIN #alice" in server.lines)
        return await asyncio.wait_for(conn.send(msg), 2)


@pytest.mark.asyncio
async def test_send_is_delivered_when_userstate_answers() -> None:
    async with FakeTwitch() as server:
        outcome = await send_through(server, USERSTATE, message("hello", reply_to="p-1"))
        assert "@reply-parent-msg-id=p-1 PRIVMSG #alice hello" in server.lines
    assert outcome == SendOutcome.delivered()


@pytest.mark.asyncio
async def test_send_without_an_answer_counts_as_delivered_because_written() -> None:
    async with FakeTwitch() as server:
        outcome = await send_through(server, None, message(), confirm=0.2)
        assert "PRIVMSG #alice hello" in server.lines
    assert outcome == SendOutcome.delivered()


@pytest.mark.asyncio
async def test_a_ratelimit_notice_turns_the_send_into_a_retry() -> None:
    notice = "@msg-id=msg_ratelimit :tmi.twitch.tv NOTICE #alice :You are sending too fast."
    async with FakeTwitch() as server:
        outcome = await send_through(server, notice, message())
    assert outcome.status == "retry_after"
    assert outcome.retry_after == 30.0
    assert "msg_ratelimit" in (outcome.reason or "")


@pytest.mark.asyncio
async def test_a_refusal_notice_fails_the_send_with_the_reason() -> None:
    notice = "@msg-id=msg_banned :tmi.twitch.tv NOTICE #alice :You are banned."
    async with FakeTwitch() as server:
        outcome = await send_through(server, notice, message())
    assert outcome.status == "failed"
    assert "banned" in (outcome.reason or "")


@pytest.mark.asyncio
async def test_a_long_message_goes_out_in_parts() -> None:
    async with FakeTwitch() as server:
        outcome = await send_through(server, USERSTATE, message("word " * 150))
        sent = [line for line in server.lines if line.startswith("PRIVMSG")]
    assert outcome == SendOutcome.delivered()
    assert len(sent) == 2


@pytest.mark.asyncio
async def test_send_while_disconnected_asks_for_a_retry() -> None:
    async with FakeTwitch() as server:
        outcome = await connector(server, token="t", nick="bot").send(message())
    assert outcome.status == "retry_after"
    assert outcome.retry_after > 0


@pytest.mark.asyncio
async def test_an_anonymous_connection_cannot_send() -> None:
    link = RecordingLink()
    async with FakeTwitch() as server:
        conn = connector(server)
        async with running(conn, link):
            await until(lambda: link.connects == 1)
            outcome = await conn.send(message())
    assert outcome.status == "failed"


def test_twitch_is_a_default_connector() -> None:
    assert default_connectors()["twitch"] is TwitchConnector
