"""The YouTube connector under its supervisor, over real HTTP, against the YouTube emulator.

Time is a shared :class:`FakeClock` that moves whenever something sleeps on it, so polling
intervals, quota days and discovery cadences pass in milliseconds while every request is real.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio

from streamsuites.actions.outbox import OutboundMessage
from streamsuites.config.model import Creator, CreatorPlatform, Limits
from streamsuites.connectors.base import ConnectorSpec
from streamsuites.connectors.supervisor import BackoffPolicy, Supervisor
from streamsuites.connectors.youtube import YouTubeConnector
from streamsuites.connectors.youtube.quota import QuotaBook
from streamsuites.emulators import YouTubeApiEmulator
from streamsuites.eventlog import LoggedEvent
from streamsuites.eventlog.sqlite import SqliteEventLog
from streamsuites.events import ChatMessage, StreamState
from streamsuites.intake import Intake
from streamsuites.state.runtime_state import ConnectorHealth, ConnectorStatus, RuntimeState
from streamsuites.testing import FakeClock

CHANNEL = "UCa1iceP1aysXXXXXXXXXXXX"
LA = ZoneInfo("America/Los_Angeles")
MORNING = datetime(2026, 11, 24, 9, 0, tzinfo=LA).timestamp()
FAST = BackoffPolicy(base=0.5, cap=2.0, healthy_after=60)


def spec(
    emulator: YouTubeApiEmulator, *, oauth: bool = True, key: str = "test-key", **options: object
) -> ConnectorSpec:
    secrets = (
        {"client_id": "client-id", "client_secret": "secret", "refresh_token": "refresh-token"}
        if oauth
        else {"api_key": key}
    )
    settings = CreatorPlatform(
        platform="youtube",
        enabled=True,
        channel=CHANNEL,
        options={"api_base": emulator.url, "token_url": emulator.token_url, **options},
    )
    creator = Creator(
        creator_id="alice", display_name="Alice", enabled=True, tier="open", limits=Limits(),
        platforms={"youtube": settings},
    )  # fmt: skip
    return ConnectorSpec(creator=creator, settings=settings, secrets=secrets)


class Harness:
    """One YouTube connector under a supervisor, appending to a real event log."""

    def __init__(self, emulator: YouTubeApiEmulator, clock: FakeClock, tmp: Path) -> None:
        self.emulator = emulator
        self.clock = clock
        self.log = SqliteEventLog(tmp / "events.db")
        self.state = RuntimeState(started_at=clock.time())
        self.book = QuotaBook()
        self.task: asyncio.Task[None] | None = None
        self.connector: YouTubeConnector | None = None

    async def start(
        self, *, oauth: bool = True, key: str = "test-key", **options: object
    ) -> YouTubeConnector:
        await self.log.start()
        made = spec(self.emulator, oauth=oauth, key=key, **options)
        self.connector = YouTubeConnector(made, clock=self.clock, quota_book=self.book)
        supervisor = Supervisor(
            spec=made,
            connector=self.connector,
            intake=Intake(self.log),
            state=self.state,
            clock=self.clock,
            policy=FAST,
            rng=random.Random(7),
        )
        self.task = asyncio.create_task(supervisor.run())
        return self.connector

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
        await self.log.close()

    @property
    def health(self) -> ConnectorHealth:
        return self.state.connector("alice", "youtube")

    async def events(self) -> list[LoggedEvent]:
        return await self.log.read_after(0, limit=100_000)

    async def chat_texts(self) -> list[str]:
        return [e.event.text for e in await self.events() if isinstance(e.event, ChatMessage)]


@pytest_asyncio.fixture
async def clock() -> FakeClock:
    return FakeClock(start=MORNING)


@pytest.fixture
def emulator_options() -> dict[str, object]:
    """Extra emulator settings; a test overrides this by parametrizing it."""
    return {}


@pytest_asyncio.fixture
async def emulator(
    clock: FakeClock, emulator_options: dict[str, object]
) -> AsyncIterator[YouTubeApiEmulator]:
    server = YouTubeApiEmulator(
        clock=clock,
        owners={"refresh-token": CHANNEL},
        **emulator_options,  # type: ignore[arg-type]
    )
    server.add_channel(CHANNEL, handle="@aliceplays", title="Alice Plays")
    await server.start()
    yield server
    await server.close()


@pytest_asyncio.fixture
async def harness(
    emulator: YouTubeApiEmulator, clock: FakeClock, tmp_path: Path
) -> AsyncIterator[Harness]:
    running = Harness(emulator, clock, tmp_path)
    yield running
    await running.close()


async def until(condition: Callable[[], object], timeout: float = 10) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.005)


async def until_async(condition: Callable[[], object], timeout: float = 10) -> None:
    async with asyncio.timeout(timeout):
        while not await condition():  # type: ignore[misc]
            await asyncio.sleep(0.01)


@pytest.mark.asyncio
@pytest.mark.parametrize("oauth", [True, False], ids=["oauth", "api-key"])
async def test_a_stream_that_starts_later_is_found_and_its_history_is_backfill(
    harness: Harness, emulator: YouTubeApiEmulator, oauth: bool
) -> None:
    await harness.start(oauth=oauth)
    await until(lambda: harness.health.status is ConnectorStatus.OFFLINE)
    assert "no live stream on UCa1iceP1aysXXXXXXXXXXXX" in (harness.health.reason or "")
    assert harness.health.next_retry_at is not None

    stream = emulator.start_stream(CHANNEL, title="Late night")
    emulator.post_text(stream.live_chat_id, "ann", "said before we joined")
    await until(lambda: harness.health.status is ConnectorStatus.CONNECTED)
    emulator.post_text(stream.live_chat_id, "bob", "said while we listen")

    async def both() -> bool:
        return len(await harness.chat_texts()) == 2

    await until_async(both)
    assert harness.health.next_frame_due is not None  # planned quiet is not "stale"
    events = [e.event for e in await harness.events()]
    online = [e for e in events if isinstance(e, StreamState)]
    assert [(e.state, e.title, e.stream_id) for e in online] == [
        ("online", "Late night", stream.video_id)
    ]
    chats = {e.text: e for e in events if isinstance(e, ChatMessage)}
    assert chats["said before we joined"].backfill
    assert not chats["said while we listen"].backfill
    assert chats["said while we listen"].stream_id == stream.video_id
    methods = {call.method for call in emulator.calls}
    if oauth:
        assert "liveBroadcasts.list" in methods and "playlistItems.list" not in methods
    else:
        assert {"channels.list", "playlistItems.list", "videos.list"} <= methods
    assert "search.list" not in methods


@pytest.mark.asyncio
@pytest.mark.parametrize("oauth", [True, False], ids=["oauth", "api-key"])
async def test_a_stream_joined_late_is_planned_from_its_real_start_and_scheduled_end(
    harness: Harness, emulator: YouTubeApiEmulator, clock: FakeClock, oauth: bool
) -> None:
    stream = emulator.start_stream(CHANNEL, title="Marathon", scheduled_seconds=6 * 3600)
    started = clock.time()
    clock.advance(2 * 3600)  # the runtime comes up two hours into the stream
    await harness.start(oauth=oauth)
    await until(lambda: harness.health.status is ConnectorStatus.CONNECTED)

    def planned() -> bool:
        chats = [c for usage in harness.book.usages(clock.time()) for c in usage.chats]
        return bool(chats) and chats[0].interval_seconds is not None

    await until(planned)
    [usage] = harness.book.usages(clock.time())
    [chat] = usage.chats
    assert chat.chat_key == stream.live_chat_id
    assert chat.streaming_since == pytest.approx(started, abs=1e-3)  # RFC 3339 milliseconds
    assert chat.expected_seconds == pytest.approx(6 * 3600, abs=1e-3)


@pytest.mark.asyncio
@pytest.mark.parametrize("emulator_options", [{"polling_interval_ms": 20_000}])
async def test_slow_polling_and_failures_lose_nothing_and_duplicate_nothing(
    harness: Harness, emulator: YouTubeApiEmulator, clock: FakeClock
) -> None:
    stream = emulator.start_stream(CHANNEL)
    # Long server intervals and small pages: only following full pages at once keeps up.
    await harness.start(max_results=200)
    await until(lambda: harness.health.status is ConnectorStatus.CONNECTED)
    sent = []
    for burst in range(6):
        for i in range(350):
            text = f"burst {burst} message {i}"
            emulator.post_text(stream.live_chat_id, f"viewer{i % 40}", text)
            sent.append(text)
        if burst == 2:
            emulator.fail_next(2, status=503)
        if burst == 4:
            emulator.fail_next(1, status=403, reason="rateLimitExceeded")
        await clock.sleep(7)

    async def all_in() -> bool:
        return len(await harness.chat_texts()) >= len(sent)

    await until_async(all_in, timeout=20)
    assert await harness.chat_texts() == sent
    assert harness.health.reconnects >= 2  # the faults were felt, and survived
    assert harness.health.status is ConnectorStatus.CONNECTED


@pytest.mark.asyncio
async def test_quota_exhaustion_stops_every_call_until_the_reset(
    harness: Harness, emulator: YouTubeApiEmulator, clock: FakeClock
) -> None:
    stream = emulator.start_stream(CHANNEL)
    await harness.start()
    await until(lambda: harness.health.status is ConnectorStatus.CONNECTED)
    emulator.exhaust_quota()
    refused_at = clock.time()
    reset = datetime(2026, 11, 25, 0, 0, tzinfo=LA).timestamp()

    emulator.post_text(stream.live_chat_id, "ann", "after midnight")

    async def delivered() -> bool:
        return "after midnight" in await harness.chat_texts()

    # The wait until midnight passes at once on this clock; the telemetry keeps the status.
    await until_async(delivered)
    [waited] = [e for e in harness.state.events if "no calls until" in e.message]
    assert "quota" in waited.message and "2026-11-25 08:00 UTC" in waited.message
    after = [c for c in emulator.calls if c.time >= refused_at]
    refusals = [c for c in after if c.reason == "quotaExceeded"]
    assert len(refusals) == 1  # one refusal, then silence
    quiet = [c for c in after if refusals[0].time < c.time < reset]
    assert quiet == []
    assert harness.health.status is ConnectorStatus.CONNECTED


@pytest.mark.asyncio
async def test_a_chat_that_ends_leads_back_to_discovery_and_to_the_next_stream(
    harness: Harness, emulator: YouTubeApiEmulator
) -> None:
    first = emulator.start_stream(CHANNEL, title="First")
    await harness.start()
    await until(lambda: harness.health.status is ConnectorStatus.CONNECTED)
    emulator.end_stream(first.video_id)
    await until(lambda: harness.health.status is ConnectorStatus.OFFLINE)

    second = emulator.start_stream(CHANNEL, title="Second")
    emulator.post_text(second.live_chat_id, "ann", "hello again")

    async def second_chat() -> bool:
        return "hello again" in await harness.chat_texts()

    await until_async(second_chat)
    states = [
        (e.event.state, e.event.stream_id)
        for e in await harness.events()
        if isinstance(e.event, StreamState)
    ]
    assert states == [
        ("online", first.video_id),
        ("offline", first.video_id),
        ("online", second.video_id),
    ]


@pytest.mark.asyncio
async def test_sending_costs_units_splits_long_text_and_fails_with_reasons(
    harness: Harness, emulator: YouTubeApiEmulator
) -> None:
    stream = emulator.start_stream(CHANNEL)
    connector = await harness.start(insert_cost=50)
    await until(lambda: harness.health.status is ConnectorStatus.CONNECTED)
    used = connector.quota.used(harness.clock.time())
    long_text = " ".join(["word"] * 60)  # 299 characters: two messages
    outcome = await connector.send(message(long_text))
    assert outcome.status == "delivered"
    mine = [
        m["snippet"]["textMessageDetails"]["messageText"]
        for m in emulator.messages(stream.live_chat_id)
        if m["authorDetails"]["isChatOwner"]
    ]
    assert [len(text) <= 200 for text in mine] == [True, True]
    assert " ".join(mine) == long_text
    assert connector.quota.used(harness.clock.time()) >= used + 100

    emulator.end_stream(stream.video_id)
    await until(lambda: harness.health.status is ConnectorStatus.OFFLINE)
    offline = await connector.send(message("anyone?"))
    assert offline.status == "retry_after"
    assert offline.reason == "youtube: no live chat bound"


@pytest.mark.asyncio
async def test_an_api_key_cannot_send_and_says_so(
    harness: Harness, emulator: YouTubeApiEmulator
) -> None:
    emulator.start_stream(CHANNEL)
    connector = await harness.start(oauth=False)
    await until(lambda: harness.health.status is ConnectorStatus.CONNECTED)
    outcome = await connector.send(message("hi"))
    assert outcome.status == "failed"
    assert "needs OAuth" in (outcome.reason or "")


@pytest.mark.asyncio
async def test_a_revoked_refresh_token_is_auth_failed_and_not_retried(
    harness: Harness, emulator: YouTubeApiEmulator
) -> None:
    emulator.revoke("refresh-token")
    await harness.start()
    await until(lambda: harness.health.status is ConnectorStatus.AUTH_FAILED)
    assert "invalid_grant" in (harness.health.reason or "")
    token_calls = len(emulator.calls)
    await asyncio.sleep(0.05)
    assert len(emulator.calls) == token_calls


@pytest.mark.asyncio
async def test_an_unknown_api_key_is_auth_failed(
    harness: Harness, emulator: YouTubeApiEmulator
) -> None:
    await harness.start(oauth=False, key="not-a-key")
    await until(lambda: harness.health.status is ConnectorStatus.AUTH_FAILED)


def message(text: str) -> OutboundMessage:
    return OutboundMessage(
        action_id=f"a-{len(text)}", creator_id="alice", platform="youtube", channel="", text=text
    )
