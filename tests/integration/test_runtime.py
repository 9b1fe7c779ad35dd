"""The real runtime, in-process, with scripted connectors standing in for platforms."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from streamsuites.config.model import (
    Config,
    Creator,
    CreatorPlatform,
    Limits,
    SystemSettings,
)
from streamsuites.connectors.base import ConnectorFactory, ConnectorSpec
from streamsuites.connectors.supervisor import BackoffPolicy
from streamsuites.errors import AuthError, TransportError
from streamsuites.events import Event
from streamsuites.runtime import Runtime, RuntimeOptions
from streamsuites.testing.scripted import (
    Connect,
    Emit,
    Fail,
    Hang,
    ScriptedConnector,
    Step,
    chat_messages,
)

FAST = BackoffPolicy(base=0.01, cap=0.05, healthy_after=60)


def make_config(platforms: Mapping[str, CreatorPlatform], environ: Mapping[str, str]) -> Config:
    creator = Creator(
        creator_id="alice", display_name="Alice", enabled=True, tier="open", limits=Limits(),
        platforms=platforms,
    )
    return Config(
        directory=Path("."),
        system=SystemSettings(snapshot_interval_seconds=0.2, quotas_interval_seconds=0.2),
        platforms={},
        creators=(creator,),
        tiers={},
        environ=environ,
    )


def scripted(sessions: list[list[Step]]) -> tuple[ScriptedConnector, ConnectorFactory]:
    connector = ScriptedConnector(sessions)

    def factory(spec: ConnectorSpec) -> ScriptedConnector:
        return connector

    return connector, factory


async def wait_for(condition: Callable[[], bool], timeout: float = 10) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


def emitted_all(connector: ScriptedConnector, count: int) -> Callable[[], bool]:
    return lambda: len(connector.emitted) == count


def read_snapshot(state_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((state_dir / "runtime_snapshot.json").read_text())
    return data


def health_of(snapshot: dict[str, Any], platform: str) -> dict[str, Any]:
    [entry] = [p for p in snapshot["platforms"] if p["name"] == platform]
    [health] = entry["health"]
    assert isinstance(health, dict)
    return health


def stored_event_ids(database: Path) -> list[str]:
    with sqlite3.connect(database) as db:
        return [row[0] for row in db.execute("SELECT event_id FROM events ORDER BY seq")]


@pytest.mark.asyncio
async def test_one_failing_platform_never_hides_the_health_of_the_others(tmp_path: Path) -> None:
    healthy_batch = chat_messages("alice", "rumble", 25)
    flapping: list[list[Step]] = [
        [Connect(), Fail(TransportError("connection reset"))] for _ in range(3)
    ]
    flapper, flapper_factory = scripted([*flapping, [Connect(), Hang()]])
    refused, refused_factory = scripted([[Fail(AuthError("Login authentication failed"))]])
    steady, steady_factory = scripted([[Connect(), Emit(healthy_batch), Hang()]])
    unused, unused_factory = scripted([])
    config = make_config(
        {
            "twitch": CreatorPlatform(platform="twitch", enabled=True),
            "youtube": CreatorPlatform(platform="youtube", enabled=True),
            "rumble": CreatorPlatform(platform="rumble", enabled=True),
            "kick": CreatorPlatform(
                platform="kick", enabled=True, secret_env={"token": "ALICE_KICK_TOKEN"}
            ),
        },
        environ={},
    )
    options = RuntimeOptions(state_dir=tmp_path / "state", data_dir=tmp_path / "data", backoff=FAST)
    runtime = Runtime(
        config,
        options,
        connectors={
            "twitch": flapper_factory,
            "youtube": refused_factory,
            "rumble": steady_factory,
            "kick": unused_factory,
        },
    )
    stop = asyncio.Event()
    task = asyncio.create_task(runtime.run(stop))
    await wait_for(lambda: flapper.attempts == 4 and len(steady.emitted) == 25)
    await asyncio.sleep(0.5)  # at least two snapshot ticks

    snapshot = read_snapshot(options.state_dir)
    twitch, youtube = health_of(snapshot, "twitch"), health_of(snapshot, "youtube")
    rumble, kick = health_of(snapshot, "rumble"), health_of(snapshot, "kick")
    assert twitch["status"] == "connected"
    assert twitch["reconnects"] == 3
    assert twitch["last_error"] == "connection reset"
    assert youtube["status"] == "auth_failed"
    assert youtube["reason"] == "Login authentication failed"
    assert refused.attempts == 1
    assert kick["status"] == "disabled"
    assert "ALICE_KICK_TOKEN" in kick["reason"]
    assert unused.attempts == 0
    assert rumble["status"] == "connected"
    assert rumble["counters"]["messages"] == 25
    [creator] = snapshot["creators"]
    assert creator["last_heartbeat"] is not None

    stop.set()
    await asyncio.wait_for(task, timeout=10)
    assert stored_event_ids(options.database) == [e.event_id for e in healthy_batch]


@pytest.mark.asyncio
async def test_shutdown_writes_a_final_snapshot_with_connectors_stopped(tmp_path: Path) -> None:
    batch = chat_messages("alice", "twitch", 10)
    connector, factory = scripted([[Connect(), Emit(batch), Hang()]])
    config = make_config({"twitch": CreatorPlatform(platform="twitch", enabled=True)}, {})
    options = RuntimeOptions(state_dir=tmp_path / "state", data_dir=tmp_path / "data", backoff=FAST)
    runtime = Runtime(config, options, connectors={"twitch": factory})
    stop = asyncio.Event()
    task = asyncio.create_task(runtime.run(stop))
    await wait_for(lambda: len(connector.emitted) == 10)

    stop.set()
    await asyncio.wait_for(task, timeout=10)

    snapshot = read_snapshot(options.state_dir)
    twitch = health_of(snapshot, "twitch")
    assert twitch["status"] == "stopped"
    assert twitch["counters"]["messages"] == 10
    assert snapshot["replay"]["event_count"] == 10
    events = json.loads((options.state_dir / "telemetry" / "events.json").read_text())
    messages = [e["message"] for e in events["events"]]
    assert "runtime stopping" in messages


@pytest.mark.asyncio
async def test_redelivered_events_are_stored_once_across_restarts(tmp_path: Path) -> None:
    batch: list[Event] = chat_messages("alice", "twitch", 40)
    config = make_config({"twitch": CreatorPlatform(platform="twitch", enabled=True)}, {})
    options = RuntimeOptions(state_dir=tmp_path / "state", data_dir=tmp_path / "data", backoff=FAST)
    for replay in (batch[:30], batch[10:]):  # the second run redelivers 20 of the first's events
        connector, factory = scripted([[Connect(), Emit(replay), Hang()]])
        runtime = Runtime(config, options, connectors={"twitch": factory})
        stop = asyncio.Event()
        task = asyncio.create_task(runtime.run(stop))
        await wait_for(emitted_all(connector, len(replay)))
        stop.set()
        await asyncio.wait_for(task, timeout=10)

    assert stored_event_ids(options.database) == [e.event_id for e in batch]
    twitch = health_of(read_snapshot(options.state_dir), "twitch")
    assert twitch["counters"]["duplicates"] == 20


@pytest.mark.asyncio
async def test_a_connector_that_refuses_its_options_is_disabled_with_the_reason(
    tmp_path: Path,
) -> None:
    def refuse(spec: ConnectorSpec) -> ScriptedConnector:
        raise ValueError("option 'port' must be a number from 1 to 65535 (got 'x')")

    batch = chat_messages("alice", "youtube", 3)
    steady, steady_factory = scripted([[Connect(), Emit(batch), Hang()]])
    config = make_config(
        {
            "twitch": CreatorPlatform(platform="twitch", enabled=True),
            "youtube": CreatorPlatform(platform="youtube", enabled=True),
        },
        {},
    )
    options = RuntimeOptions(state_dir=tmp_path / "state", data_dir=tmp_path / "data", backoff=FAST)
    runtime = Runtime(config, options, connectors={"twitch": refuse, "youtube": steady_factory})
    stop = asyncio.Event()
    task = asyncio.create_task(runtime.run(stop))
    await wait_for(lambda: len(steady.emitted) == 3)
    stop.set()
    await asyncio.wait_for(task, timeout=10)

    twitch = health_of(read_snapshot(options.state_dir), "twitch")
    assert twitch["status"] == "disabled"
    assert twitch["reason"] == (
        "invalid config: option 'port' must be a number from 1 to 65535 (got 'x')"
    )
