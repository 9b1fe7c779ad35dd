from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Sequence
from typing import cast

import pytest

from streamsuites.config.model import Creator, CreatorPlatform, Limits
from streamsuites.connectors.base import ConnectorSpec
from streamsuites.connectors.supervisor import Backoff, BackoffPolicy, Supervisor, retry_delay
from streamsuites.errors import AuthError, ProtocolError, RateLimited, TransportError
from streamsuites.eventlog import AppendResult, EventLog, LoggedEvent
from streamsuites.events import Event
from streamsuites.intake import Intake
from streamsuites.state.runtime_state import ConnectorStatus, RuntimeState, effective_status
from streamsuites.testing.scripted import (
    Connect,
    Emit,
    Fail,
    Hang,
    ScriptedConnector,
    Step,
    Wait,
    chat_messages,
)


class StepClock:
    """A clock whose sleep advances time at once and remembers how long it slept."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


class ListLog:
    """Just enough of an event log for the intake: dedupes by id, keeps order."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.ids: set[str] = set()

    async def append(self, events: Sequence[Event]) -> AppendResult:
        appended = []
        for event in events:
            if event.event_id in self.ids:
                continue
            self.ids.add(event.event_id)
            self.events.append(event)
            appended.append(LoggedEvent(seq=len(self.events), session_id="s", event=event))
        return AppendResult(appended=tuple(appended), duplicates=len(events) - len(appended))


def make_supervisor(
    connector: ScriptedConnector, clock: StepClock, policy: BackoffPolicy | None = None
) -> tuple[Supervisor, RuntimeState, ListLog]:
    creator = Creator(
        creator_id="alice", display_name="Alice", enabled=True, tier="open", limits=Limits(),
        platforms={},
    )
    spec = ConnectorSpec(creator=creator, settings=CreatorPlatform(platform="twitch", enabled=True))
    state = RuntimeState(started_at=clock.now)
    log = ListLog()
    supervisor = Supervisor(
        spec=spec, connector=connector, intake=Intake(cast(EventLog, log)), state=state,
        clock=clock, policy=policy or BackoffPolicy(base=1, cap=30, healthy_after=60),
        rng=random.Random(7),
    )
    return supervisor, state, log


async def run_until(supervisor: Supervisor, condition: object, steps: int = 200) -> None:
    task = asyncio.create_task(supervisor.run())
    for _ in range(steps):
        await asyncio.sleep(0)
        if callable(condition) and condition():
            break
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def test_backoff_ceiling_doubles_up_to_the_cap_and_resets() -> None:
    backoff = Backoff(BackoffPolicy(base=1, cap=30), random.Random(1))
    ceilings = []
    for _ in range(8):
        ceilings.append(backoff.ceiling())
        assert 0 <= backoff.next_delay() <= ceilings[-1]
    assert ceilings == [1, 2, 4, 8, 16, 30, 30, 30]
    backoff.reset()
    assert backoff.ceiling() == 1


def test_backoff_survives_very_many_attempts() -> None:
    backoff = Backoff(BackoffPolicy(base=1, cap=30), random.Random(1))
    backoff.attempt = 10_000
    assert backoff.ceiling() == 30


def test_rate_limited_waits_exactly_what_the_platform_asked() -> None:
    backoff = Backoff(BackoffPolicy(), random.Random(1))
    assert retry_delay(RateLimited("slow down", retry_after=12.5), backoff) == 12.5
    assert backoff.attempt == 0


@pytest.mark.asyncio
async def test_flapping_connector_retries_with_growing_jittered_delays() -> None:
    clock = StepClock()
    flaps: list[list[Step]] = [
        [Connect(), Fail(TransportError("reset by peer"))] for _ in range(4)
    ]
    connector = ScriptedConnector([*flaps, [Connect(), Hang()]], clock=clock)
    supervisor, state, _ = make_supervisor(connector, clock)

    await run_until(supervisor, lambda: connector.attempts == 5)

    health = state.connector("alice", "twitch")
    assert connector.attempts == 5
    assert health.reconnects == 4
    assert [s <= c for s, c in zip(clock.sleeps, [1, 2, 4, 8], strict=True)] == [True] * 4
    assert health.last_error == "reset by peer"
    assert health.status is ConnectorStatus.STOPPED  # cancelled at the end
    assert len(state.errors) == 4


@pytest.mark.asyncio
async def test_status_is_connected_while_the_connection_is_up() -> None:
    clock = StepClock()
    connector = ScriptedConnector([[Connect(), Hang()]], clock=clock)
    supervisor, state, _ = make_supervisor(connector, clock)
    task = asyncio.create_task(supervisor.run())
    for _ in range(5):
        await asyncio.sleep(0)
    health = state.connector("alice", "twitch")
    assert health.status.value == "connected"
    assert health.connected_since == clock.now
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert health.status is ConnectorStatus.STOPPED
    assert health.connected_since is None


@pytest.mark.asyncio
async def test_a_healthy_period_resets_the_backoff() -> None:
    clock = StepClock()
    policy = BackoffPolicy(base=1, cap=1000, healthy_after=60)
    sessions: list[list[Step]] = [[Connect(), Fail(TransportError("x"))] for _ in range(5)]
    sessions.append([Connect(), Wait(61), Fail(TransportError("dropped after an hour"))])
    sessions.append([Connect(), Hang()])
    connector = ScriptedConnector(sessions, clock=clock)
    supervisor, state, _ = make_supervisor(connector, clock, policy)

    await run_until(supervisor, lambda: connector.attempts == 7)

    backoff_sleeps = [s for s in clock.sleeps if s != 61]
    assert len(backoff_sleeps) == 6
    # Before the healthy session the ceiling had grown to 16; after it, it is back to 1.
    assert backoff_sleeps[-1] <= 1
    assert state.connector("alice", "twitch").attempts == 1


@pytest.mark.asyncio
async def test_auth_failure_stops_without_retrying() -> None:
    clock = StepClock()
    connector = ScriptedConnector([[Fail(AuthError("Login authentication failed"))]], clock=clock)
    supervisor, state, _ = make_supervisor(connector, clock)

    await asyncio.wait_for(supervisor.run(), timeout=5)

    health = state.connector("alice", "twitch")
    assert connector.attempts == 1
    assert clock.sleeps == []
    assert health.status is ConnectorStatus.AUTH_FAILED
    assert health.reason == "Login authentication failed"


@pytest.mark.asyncio
async def test_rate_limit_sleeps_retry_after() -> None:
    clock = StepClock()
    connector = ScriptedConnector(
        [[Fail(RateLimited("429", retry_after=42))], [Connect(), Hang()]], clock=clock
    )
    supervisor, _, _ = make_supervisor(connector, clock)
    await run_until(supervisor, lambda: connector.attempts == 2)
    assert clock.sleeps == [42]


@pytest.mark.asyncio
async def test_unknown_error_logs_traceback_once_then_one_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = StepClock()
    boom: list[list[Step]] = [[Fail(KeyError("surprise"))] for _ in range(3)]
    connector = ScriptedConnector([*boom, [Connect(), Hang()]], clock=clock)
    supervisor, state, _ = make_supervisor(connector, clock)
    with caplog.at_level(logging.WARNING, logger="streamsuites.supervisor"):
        await run_until(supervisor, lambda: connector.attempts == 4)
    with_traceback = [r for r in caplog.records if r.exc_info]
    assert len(with_traceback) == 1
    assert len([r for r in caplog.records if "retrying" in r.getMessage()]) == 3
    assert state.connector("alice", "twitch").last_error == "KeyError: 'surprise'"


@pytest.mark.asyncio
async def test_protocol_errors_and_clean_returns_are_retried() -> None:
    clock = StepClock()
    connector = ScriptedConnector(
        [[Connect(), Fail(ProtocolError("garbled"))], [Connect()], [Connect(), Hang()]],
        clock=clock,
    )
    supervisor, state, _ = make_supervisor(connector, clock)
    await run_until(supervisor, lambda: connector.attempts == 3)
    assert state.connector("alice", "twitch").reconnects == 2
    assert state.connector("alice", "twitch").last_error == "connection ended"


@pytest.mark.asyncio
async def test_emit_counts_messages_and_duplicates() -> None:
    clock = StepClock()
    batch = chat_messages("alice", "twitch", 5)
    connector = ScriptedConnector([[Connect(), Emit(batch), Emit(batch[:2]), Hang()]], clock=clock)
    supervisor, state, log = make_supervisor(connector, clock)
    await run_until(supervisor, lambda: len(connector.emitted) == 7)
    counters = state.connector("alice", "twitch").counters
    assert (counters.messages, counters.events, counters.duplicates) == (5, 5, 2)
    assert [e.event_id for e in log.events] == [e.event_id for e in batch]


@pytest.mark.asyncio
async def test_closed_intake_stops_the_connector() -> None:
    clock = StepClock()
    batch = chat_messages("alice", "twitch", 1)
    connector = ScriptedConnector([[Connect(), Emit(batch)]], clock=clock)
    supervisor, state, _ = make_supervisor(connector, clock)
    await supervisor._intake.close()
    await asyncio.wait_for(supervisor.run(), timeout=5)
    health = state.connector("alice", "twitch")
    assert health.status is ConnectorStatus.STOPPED
    assert health.reason == "runtime shutting down"


def test_a_quiet_connection_is_reported_stale() -> None:
    state = RuntimeState(started_at=0)
    health = state.connector("alice", "twitch")
    health.status = ConnectorStatus.CONNECTED
    health.stale_after = 90
    health.connected_since = 100
    health.last_frame_at = 1000
    assert effective_status(health, now=1089) is ConnectorStatus.CONNECTED
    assert effective_status(health, now=1091) is ConnectorStatus.STALE
    health.status = ConnectorStatus.BACKOFF
    assert effective_status(health, now=5000) is ConnectorStatus.BACKOFF

