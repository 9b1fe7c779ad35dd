"""Triggers, replies and polls through the real runtime, two scripted platforms side by side."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from streamsuites.config import load_config
from streamsuites.connectors.base import ConnectorSpec
from streamsuites.connectors.supervisor import BackoffPolicy
from streamsuites.events import Event
from streamsuites.runtime import Runtime, RuntimeOptions
from streamsuites.testing.scripted import (
    Connect,
    Emit,
    Hang,
    ScriptedConnector,
    Wait,
    chat_message,
)

T0 = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)

CONFIG: dict[str, Any] = {
    "tiers.json": {"tiers": {"pro": {"label": "Pro", "features": {
        "triggers": {"max_triggers": 100, "min_cooldown_seconds": 0},
        "polls": {"max_active_polls": 2, "max_options": 6},
    }}}},
    "creators.json": {"creators": [{
        "creator_id": "alice", "display_name": "Alice", "tier": "pro",
        "platforms": {
            "twitch": {"enabled": True, "channel": "alice"},
            "youtube": {"enabled": True, "channel": "UCalice"},
        },
    }]},
    "triggers.json": {"triggers": [
        {"trigger_id": "hello", "creator_id": "alice", "type": "command", "command": "!hello",
         "cooldown_seconds": 30, "response": "hi {user} on {platform}"},
        {"trigger_id": "lurk", "creator_id": "alice", "type": "command", "command": "!lurk",
         "response": "enjoy the lurk, {user}"},
    ]},
    "interactive.json": {"creators": {"alice": {"polls": {"vote_mode": "last"}}}},
    "system.json": {"runtime": {"snapshot_interval_seconds": 0.2}},
}


def write_config(directory: Path) -> Path:
    directory.mkdir()
    for name, body in CONFIG.items():
        (directory / name).write_text(json.dumps(body))
    return directory


class TwoPlatforms:
    """The real runtime on a config dir, with a scripted connector per platform."""

    def __init__(
        self,
        tmp_path: Path,
        twitch: list[Event],
        youtube: list[Event],
        youtube_after: float = 0,
        twitch_later: tuple[Event, ...] = (),
    ) -> None:
        self.config = load_config(write_config(tmp_path / "config")).config
        self.options = RuntimeOptions(
            state_dir=tmp_path / "state", data_dir=tmp_path / "data",
            backoff=BackoffPolicy(base=0.01, cap=0.05),
        )
        self.connectors = {
            "twitch": ScriptedConnector(
                [[Connect(), Emit(twitch), Wait(2 * youtube_after), Emit(twitch_later), Hang()]]
            ),
            # The log orders events by arrival; a delay puts YouTube's after Twitch's.
            "youtube": ScriptedConnector([[Connect(), Wait(youtube_after), Emit(youtube), Hang()]]),
        }

    def factory(self, spec: ConnectorSpec) -> ScriptedConnector:
        return self.connectors[spec.platform]

    def sent(self, platform: str) -> list[str]:
        return [m.text for m in self.connectors[platform].sent]

    async def run_until(self, condition: Callable[[], bool], timeout: float = 15) -> None:
        runtime = Runtime(
            self.config, self.options, connectors={p: self.factory for p in self.connectors}
        )
        stop = asyncio.Event()
        task = asyncio.create_task(runtime.run(stop))
        try:
            async with asyncio.timeout(timeout):
                while not condition():
                    await asyncio.sleep(0.02)
        finally:
            stop.set()
            await asyncio.wait_for(task, timeout=10)

    def state_file(self, name: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.options.state_dir / name).read_text())
        return data


@pytest.mark.asyncio
async def test_the_same_command_fires_on_both_platforms(tmp_path: Path) -> None:
    run = TwoPlatforms(
        tmp_path,
        twitch=[chat_message("alice", "twitch", "!lurk", login="ann", at=T0)],
        youtube=[chat_message("alice", "youtube", "!lurk", login="bo", at=T0)],
    )
    await run.run_until(lambda: bool(run.sent("twitch") and run.sent("youtube")))
    assert run.sent("twitch") == ["enjoy the lurk, ann"]
    assert run.sent("youtube") == ["enjoy the lurk, bo"]
    [twitch] = [p for p in run.state_file("runtime_snapshot.json")["platforms"]
                if p["name"] == "twitch"]
    assert twitch["counters"]["triggers"] == 1


@pytest.mark.asyncio
async def test_a_cooldown_holds_across_platforms(tmp_path: Path) -> None:
    run = TwoPlatforms(
        tmp_path,
        twitch=[chat_message("alice", "twitch", "!hello", login="ann", at=T0)],
        youtube=[chat_message("alice", "youtube", "!hello", login="bo",
                              at=T0 + timedelta(seconds=5))],
        youtube_after=0.3,
        twitch_later=(
            chat_message("alice", "twitch", "!hello", login="cy", at=T0 + timedelta(seconds=31)),
        ),
    )
    await run.run_until(lambda: len(run.sent("twitch")) == 2)
    await asyncio.sleep(0)
    assert run.sent("twitch") == ["hi ann on twitch", "hi cy on twitch"]
    assert run.sent("youtube") == []  # 5 s after the Twitch one: inside the 30 s cooldown


@pytest.mark.asyncio
async def test_a_poll_counts_votes_from_both_platforms(tmp_path: Path) -> None:
    run = TwoPlatforms(
        tmp_path,
        twitch=[
            chat_message("alice", "twitch", "!poll open Best boss? | Margit | Godrick",
                         login="alice", roles=("broadcaster",), at=T0),
            chat_message("alice", "twitch", "!vote 1", login="ann", at=T0 + timedelta(seconds=2)),
        ],
        youtube=[
            chat_message("alice", "youtube", "!vote 2", login="bo", at=T0 + timedelta(seconds=3)),
            chat_message("alice", "youtube", "margit", login="cy", at=T0 + timedelta(seconds=4)),
        ],
        youtube_after=0.5,
    )

    def votes() -> list[int]:
        try:
            [poll] = run.state_file("polls.json")["polls"]
        except (FileNotFoundError, ValueError):
            return []
        return [option["votes"] for option in poll["options"]]

    await run.run_until(lambda: votes() == [2, 1])
    assert votes() == [2, 1]
