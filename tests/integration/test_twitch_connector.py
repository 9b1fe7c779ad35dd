"""The real runtime with the real Twitch connector, against the Twitch IRC emulator."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from streamsuites.actions.outbox import OutboundMessage, SendOutcome
from streamsuites.clock import SystemClock
from streamsuites.config.model import Config, Creator, CreatorPlatform, Limits, SystemSettings
from streamsuites.connectors.base import ConnectorSpec
from streamsuites.connectors.registry import default_connectors
from streamsuites.connectors.supervisor import BackoffPolicy
from streamsuites.connectors.twitch import TwitchConnector
from streamsuites.emulators import TwitchIrcEmulator
from streamsuites.runtime import Runtime, RuntimeOptions
from tests.unit.connectors.twitch.test_connector import RecordingLink

FAST = BackoffPolicy(base=0.01, cap=0.05, healthy_after=60)


def make_config(emulator: TwitchIrcEmulator, transport: str, token: str) -> Config:
    tls = transport == "tls"
    twitch = CreatorPlatform(
        platform="twitch",
        enabled=True,
        channel="alice",
        secret_env={"token": "ALICE_TWITCH_TOKEN"},
        options={
            "nick": "bot",
            "transport": transport,
            "host": "127.0.0.1",
            "port": emulator.tls_port if tls else emulator.tcp_port,
            "ca_file": str(emulator.cert_path) if tls else "",
        },
    )
    creator = Creator(
        creator_id="alice", display_name="Alice", enabled=True, tier="open", limits=Limits(),
        platforms={"twitch": twitch},
    )
    return Config(
        directory=Path("."),
        system=SystemSettings(snapshot_interval_seconds=0.1, quotas_interval_seconds=0.2),
        platforms={},
        creators=(creator,),
        tiers={},
        environ={"ALICE_TWITCH_TOKEN": token},
    )


@pytest_asyncio.fixture
async def emulator() -> AsyncIterator[TwitchIrcEmulator]:
    server = TwitchIrcEmulator(tokens={"abc123": "bot"}, reconnect_grace=0.05)
    await server.start(tls=True)
    yield server
    await server.close()


class Running:
    def __init__(self, config: Config, state_dir: Path) -> None:
        options = RuntimeOptions(
            state_dir=state_dir / "state", data_dir=state_dir / "data", backoff=FAST
        )
        self.options = options
        self.runtime = Runtime(config, options, connectors=default_connectors())
        self.stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Running:
        self.task = asyncio.create_task(self.runtime.run(self.stop))
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.stop.set()
        assert self.task is not None
        await asyncio.wait_for(self.task, timeout=10)

    def twitch(self) -> dict[str, Any]:
        path = self.options.state_dir / "runtime_snapshot.json"
        if not path.exists():
            return {}
        snapshot = json.loads(path.read_text())
        [entry] = [p for p in snapshot["platforms"] if p["name"] == "twitch"]
        [health] = entry["health"]
        assert isinstance(health, dict)
        return health


async def wait_for(condition: Callable[[], object], timeout: float = 10) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


def reconnected(health: dict[str, Any]) -> bool:
    return health.get("reconnects", 0) >= 1 and health.get("status") == "connected"


def joins(emulator: TwitchIrcEmulator) -> list[int]:
    return [line.connection for line in emulator.sent if line.command == "JOIN"]


@pytest.mark.asyncio
@pytest.mark.parametrize("transport", ["tcp", "tls"])
async def test_chat_reaches_the_snapshot_and_reconnect_rejoins(
    emulator: TwitchIrcEmulator, transport: str, tmp_path: Path
) -> None:
    config = make_config(emulator, transport, "abc123")
    async with Running(config, tmp_path) as running:
        await wait_for(lambda: joins(emulator) == [1])
        await wait_for(lambda: running.twitch().get("status") == "connected")
        emulator.say("alice", "ann", "hello from chat")
        await wait_for(lambda: running.twitch().get("counters", {}).get("messages") == 1)

        emulator.fault("reconnect")
        await wait_for(lambda: joins(emulator) == [1, 2])
        await wait_for(lambda: reconnected(running.twitch()))


@pytest.mark.asyncio
async def test_a_refused_token_stops_with_auth_failed_after_one_attempt(
    emulator: TwitchIrcEmulator, tmp_path: Path
) -> None:
    config = make_config(emulator, "tcp", "wrong")
    async with Running(config, tmp_path) as running:
        await wait_for(lambda: running.twitch().get("status") == "auth_failed")
        await asyncio.sleep(0.2)
        health = running.twitch()
    assert "authentication failed" in (health.get("reason") or "").lower()
    assert {line.connection for line in emulator.sent} == {1}


@pytest.mark.asyncio
async def test_a_send_is_confirmed_by_the_emulators_userstate(
    emulator: TwitchIrcEmulator,
) -> None:
    config = make_config(emulator, "tcp", "abc123")
    [creator] = config.creators
    spec = ConnectorSpec(
        creator=creator, settings=creator.platforms["twitch"], secrets={"token": "abc123"}
    )
    connector = TwitchConnector(spec, clock=SystemClock())
    link = RecordingLink()
    task = asyncio.create_task(connector.run(link))
    try:
        await wait_for(lambda: joins(emulator) == [1])
        message = OutboundMessage(
            action_id="a1", creator_id="alice", platform="twitch", channel="alice", text="hi"
        )
        outcome = await asyncio.wait_for(connector.send(message), 2)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert outcome == SendOutcome.delivered()
    assert [line.text for line in emulator.privmsgs] == ["hi"]
