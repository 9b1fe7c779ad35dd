"""The real Twitch connector, ``transport: websocket``, against the emulator's IRC over WebSocket.

Most tests run twice: plain ``ws://`` and ``wss://`` with the emulator's self-signed certificate
trusted through ``ca_file``. test_twitch_connector.py and test_twitch_faults.py cover TCP and TLS.
The last tests check the JOIN limit (20 per 10 s) from both sides, on a fake clock shared by the
emulator and the connector so that no test waits out a real 10 s window.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from streamsuites.actions.outbox import OutboundMessage, SendOutcome
from streamsuites.clock import SystemClock
from streamsuites.config.model import Config
from streamsuites.connectors.base import ConnectorSpec
from streamsuites.connectors.twitch import TwitchConnector
from streamsuites.connectors.twitch.ratelimit import JOIN_LIMIT, JOIN_WINDOW
from streamsuites.emulators import ClientLine, TwitchIrcEmulator
from streamsuites.emulators._twitch_rules import JOIN_DROPPED
from streamsuites.errors import AuthError
from streamsuites.events import ChatMessage, native_event_id
from streamsuites.testing import FakeClock
from tests.integration.test_twitch_connector import Running, make_config, wait_for
from tests.integration.test_twitch_emulator import WsClient
from tests.integration.test_twitch_faults import PING_TRIGGER, chat, joined, logged_ids
from tests.unit.connectors.twitch.test_connector import RecordingLink

SCHEMES = ["ws", "wss"]


@pytest_asyncio.fixture(params=SCHEMES)
async def emulator(request: pytest.FixtureRequest) -> AsyncIterator[TwitchIrcEmulator]:
    server = TwitchIrcEmulator(
        tokens={"abc123": "bot"}, reconnect_grace=0.05, ping_interval=0.2, pong_timeout=0.5
    )
    await server.start(websocket=True, ws_tls=request.param == "wss")
    yield server
    await server.close()


def ws_config(
    emulator: TwitchIrcEmulator, *, token: str = "abc123", triggers: bool = False
) -> Config:
    """The creator's twitch entry aimed at the emulator's WebSocket, ws:// or wss://."""
    config = make_config(emulator, "websocket", token)
    [creator] = config.creators
    twitch = creator.platforms["twitch"]
    secure = emulator.cert_path is not None
    scheme = "wss" if secure else "ws"
    options = {
        **twitch.options,
        "url": f"{scheme}://127.0.0.1:{emulator.ws_port}/",
        "ca_file": str(emulator.cert_path) if secure else "",
        "idle_timeout": 0.5,
        "pong_timeout": 0.3,
    }
    twitch = dataclasses.replace(twitch, options=options)
    creator = dataclasses.replace(creator, platforms={"twitch": twitch})
    return dataclasses.replace(
        config, creators=(creator,), triggers=(PING_TRIGGER,) if triggers else ()
    )


def connector(config: Config, clock: FakeClock | None = None) -> TwitchConnector:
    [creator] = config.creators
    spec = ConnectorSpec(
        creator=creator,
        settings=creator.platforms["twitch"],
        secrets={"token": config.environ["ALICE_TWITCH_TOKEN"]},
    )
    return TwitchConnector(spec, clock=clock or SystemClock())


@contextlib.asynccontextmanager
async def running(conn: TwitchConnector, link: RecordingLink) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(conn.run(link))
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def commands(emulator: TwitchIrcEmulator, command: str) -> list[int]:
    """The connection number of each line `command` the clients sent."""
    return [line.connection for line in emulator.sent if line.command == command]


@pytest.mark.asyncio
async def test_login_join_receive_and_a_confirmed_reply(emulator: TwitchIrcEmulator) -> None:
    conn, link = connector(ws_config(emulator)), RecordingLink()
    async with running(conn, link):
        await emulator.wait_for(lambda: emulator.joined.get("alice") == ["bot"])
        said = emulator.say("alice", "ann", "hello over a websocket")
        await wait_for(lambda: any(isinstance(e, ChatMessage) for e in link.events))
        reply = OutboundMessage(
            action_id="a1", creator_id="alice", platform="twitch", channel="alice", text="hi ann"
        )
        outcome = await asyncio.wait_for(conn.send(reply), 5)
    [event] = [e for e in link.events if isinstance(e, ChatMessage)]
    assert event.author is not None
    assert (event.event_id, event.text, event.author.login) == (
        native_event_id("twitch", said),
        "hello over a websocket",
        "ann",
    )
    assert outcome == SendOutcome.delivered()
    [sent] = emulator.privmsgs
    assert (sent.channel, sent.text, sent.refused) == ("alice", "hi ann", None)
    assert commands(emulator, "PASS") == [1]
    assert link.connects == 1


@pytest.mark.asyncio
async def test_server_pings_are_answered_and_the_connection_stays(
    emulator: TwitchIrcEmulator,
) -> None:
    conn, link = connector(ws_config(emulator)), RecordingLink()
    async with running(conn, link) as task:
        # The emulator PINGs every 0.2 s and drops a client silent for 0.5 s after one.
        await emulator.wait_for(lambda: len(commands(emulator, "PONG")) >= 3)
        assert not task.done()
    assert set(commands(emulator, "PONG")) == {1}
    await emulator.wait_for(lambda: emulator.connections == 0)  # cancelling the run closed it


@pytest.mark.asyncio
async def test_a_command_goes_through_the_runtime_and_its_reply_reaches_chat(
    emulator: TwitchIrcEmulator, tmp_path: Path
) -> None:
    async with Running(ws_config(emulator, triggers=True), tmp_path) as running_:
        await joined(emulator, running_)
        msg_id = emulator.say("alice", "ann", "!ping")
        await emulator.wait_for(lambda: emulator.privmsgs)
        assert logged_ids(running_) == [native_event_id("twitch", msg_id)]
    [reply] = emulator.privmsgs
    assert (reply.channel, reply.text, reply.refused) == ("alice", "pong ann", None)


@pytest.mark.asyncio
@pytest.mark.parametrize("fault", ["reconnect", "close", "stall"])
async def test_after_a_fault_the_connector_rejoins_and_logs_each_message_once(
    emulator: TwitchIrcEmulator, tmp_path: Path, fault: str
) -> None:
    async with Running(ws_config(emulator), tmp_path) as running_:
        await joined(emulator, running_)
        before = await chat(emulator, running_, 3, "before")
        emulator.fault(fault)
        await wait_for(lambda: commands(emulator, "JOIN") == [1, 2])
        await wait_for(lambda: running_.twitch().get("reconnects", 0) >= 1)
        await wait_for(lambda: running_.twitch().get("status") == "connected")
        after = await chat(emulator, running_, 3, "after")
        assert sorted(logged_ids(running_)) == sorted(before + after)


@pytest.mark.asyncio
async def test_a_refused_token_raises_auth_error(emulator: TwitchIrcEmulator) -> None:
    conn = connector(ws_config(emulator, token="wrong"))
    with pytest.raises(AuthError, match="Login authentication failed"):
        await asyncio.wait_for(conn.run(RecordingLink()), 5)
    assert commands(emulator, "NICK") == [1]


@pytest.mark.asyncio
async def test_a_refused_token_under_the_runtime_is_auth_failed_without_retries(
    emulator: TwitchIrcEmulator, tmp_path: Path
) -> None:
    async with Running(ws_config(emulator, token="wrong"), tmp_path) as running_:
        await wait_for(lambda: running_.twitch().get("status") == "auth_failed")
        reason = running_.twitch().get("reason") or ""
    assert "authentication failed" in reason.lower()
    assert {line.connection for line in emulator.sent} == {1}


PING_INTERVAL = 3600.0
"""The fake-clock emulator's PING interval: far beyond the 20 s these tests move the clock."""


@pytest_asyncio.fixture
async def paced() -> AsyncIterator[tuple[TwitchIrcEmulator, FakeClock]]:
    """A WebSocket emulator on a fake clock that moves only when the test moves it."""
    clock = FakeClock(auto_advance=False)
    server = TwitchIrcEmulator(tokens={"abc123": "bot"}, ping_interval=PING_INTERVAL, clock=clock)
    await server.start(websocket=True)
    yield server, clock
    await server.close()


def join_lines(emulator: TwitchIrcEmulator) -> list[ClientLine]:
    return [line for line in emulator.sent if line.command == "JOIN"]


def join_pauses(clock: FakeClock) -> list[float]:
    """The connector's sleeps between JOIN batches (every sleep but the emulator's PING timer)."""
    return [seconds for seconds in clock.sleeps if seconds != PING_INTERVAL]


def busiest_window(lines: list[ClientLine]) -> int:
    """The most JOINs sent within any JOIN_WINDOW seconds."""
    ends = {line.at for line in lines}
    return max(sum(1 for line in lines if end - JOIN_WINDOW < line.at <= end) for end in ends)


async def paused_after(
    emulator: TwitchIrcEmulator, clock: FakeClock, link: RecordingLink, *, batch: int
) -> None:
    """Check the connector pauses after JOIN batch `batch`, still reading; then move the clock."""
    sent = batch * JOIN_LIMIT
    await emulator.wait_for(lambda: len(join_lines(emulator)) >= sent)
    # The connector sleeps on the fake clock for the window to slide, and JOINs no more…
    await wait_for(lambda: len(join_pauses(clock)) == batch)
    assert len(join_lines(emulator)) == sent
    # …while it reads chat from a channel it has joined already.
    said = native_event_id("twitch", emulator.say("alice", "ann", f"after {sent} JOINs"))
    await wait_for(lambda: said in {event.event_id for event in link.events})
    clock.advance(join_pauses(clock)[-1])


@pytest.mark.asyncio
async def test_the_emulator_drops_joins_over_twenty_in_ten_seconds(
    paced: tuple[TwitchIrcEmulator, FakeClock],
) -> None:
    emulator, clock = paced
    assert emulator.ws_port is not None
    client = await WsClient.connect(emulator.ws_port)
    try:
        await client.send("PASS oauth:abc123", "NICK bot")
        await client.send(*(f"JOIN #chan{i:02d}" for i in range(JOIN_LIMIT + 5)))
        await emulator.wait_for(lambda: len(join_lines(emulator)) == JOIN_LIMIT + 5)
        refused = [line.channel for line in join_lines(emulator) if line.refused == JOIN_DROPPED]
        assert refused == [f"chan{i:02d}" for i in range(JOIN_LIMIT, JOIN_LIMIT + 5)]
        assert len(emulator.joined) == JOIN_LIMIT
        clock.advance(JOIN_WINDOW)
        await client.send("JOIN #chan20")
        await emulator.wait_for(lambda: "chan20" in emulator.joined)
    finally:
        await client.close()


@pytest.mark.asyncio
async def test_45_channels_are_joined_in_windows_of_twenty_while_chat_is_read(
    paced: tuple[TwitchIrcEmulator, FakeClock],
) -> None:
    emulator, clock = paced
    config = ws_config(emulator)
    [creator] = config.creators
    twitch = creator.platforms["twitch"]
    extra = [f"chan{i:02d}" for i in range(44)]
    twitch = dataclasses.replace(twitch, options={**twitch.options, "channels": extra})
    config = dataclasses.replace(
        config, creators=(dataclasses.replace(creator, platforms={"twitch": twitch}),)
    )
    wanted = {"alice", *extra}
    conn, link = connector(config, clock), RecordingLink()
    async with running(conn, link):
        await paused_after(emulator, clock, link, batch=1)
        await paused_after(emulator, clock, link, batch=2)
        await emulator.wait_for(lambda: set(emulator.joined) == wanted)
    lines = join_lines(emulator)
    assert [line.refused for line in lines] == [None] * 45
    assert sorted(line.channel for line in lines) == sorted(wanted)
    assert busiest_window(lines) == JOIN_LIMIT
    assert join_pauses(clock) == [JOIN_WINDOW, JOIN_WINDOW]
