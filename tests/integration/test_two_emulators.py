"""The real runtime with the real Twitch and YouTube connectors against both emulators.

The multi-platform automation tests (test_automation.py) again, over real sockets: the same
command fires on both platforms, a cooldown holds across them, a poll counts votes from both,
and YouTube's history from before the runtime joined fires nothing.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from streamsuites.config import load_config
from streamsuites.connectors.registry import default_connectors
from streamsuites.connectors.supervisor import BackoffPolicy
from streamsuites.emulators import TwitchIrcEmulator, YouTubeApiEmulator
from streamsuites.runtime import Runtime, RuntimeOptions

CHANNEL = "UCa1iceP1aysXXXXXXXXXXXX"


def config_files(twitch: TwitchIrcEmulator, youtube: YouTubeApiEmulator) -> dict[str, Any]:
    return {
        "tiers.json": {"tiers": {"pro": {"label": "Pro", "features": {
            "triggers": {"max_triggers": 100, "min_cooldown_seconds": 0},
            "polls": {"max_active_polls": 2, "max_options": 6},
        }}}},
        "creators.json": {"creators": [{
            "creator_id": "alice", "display_name": "Alice", "tier": "pro",
            "platforms": {
                "twitch": {"channel": "alice", "nick": "bot", "token_env": "TWITCH_TOKEN",
                           "transport": "tcp", "host": "127.0.0.1", "port": twitch.tcp_port},
                "youtube": {"channel": CHANNEL, "client_id_env": "YT_CLIENT",
                            "client_secret_env": "YT_SECRET", "refresh_token_env": "YT_REFRESH",
                            "api_base": youtube.url, "token_url": youtube.token_url,
                            "expected_stream_hours": 0.01},
            },
        }]},
        "triggers.json": {"triggers": [
            {"trigger_id": "hello", "creator_id": "alice", "type": "command",
             "command": "!hello", "cooldown_seconds": 30, "response": "hi {user} on {platform}"},
            {"trigger_id": "lurk", "creator_id": "alice", "type": "command", "command": "!lurk",
             "response": "enjoy the lurk, {user}"},
        ]},
        "interactive.json": {"creators": {"alice": {"polls": {"vote_mode": "last"}}}},
        "system.json": {"runtime": {"snapshot_interval_seconds": 0.2,
                                    "quotas_interval_seconds": 0.2}},
    }  # fmt: skip


@pytest_asyncio.fixture
async def twitch() -> AsyncIterator[TwitchIrcEmulator]:
    server = TwitchIrcEmulator(tokens={"abc123": "bot"}, moderators={"alice": ["bot"]})
    await server.start()
    yield server
    await server.close()


@pytest_asyncio.fixture
async def youtube() -> AsyncIterator[YouTubeApiEmulator]:
    server = YouTubeApiEmulator(polling_interval_ms=50, owners={"refresh-token": CHANNEL})
    server.add_channel(CHANNEL, handle="@aliceplays", title="Alice Plays")
    await server.start()
    yield server
    await server.close()


class Both:
    """The runtime on a config directory aimed at both emulators."""

    def __init__(
        self, tmp_path: Path, twitch: TwitchIrcEmulator, youtube: YouTubeApiEmulator
    ) -> None:
        directory = tmp_path / "config"
        directory.mkdir()
        for name, body in config_files(twitch, youtube).items():
            (directory / name).write_text(json.dumps(body))
        (directory / ".env").write_text(
            "TWITCH_TOKEN=abc123\nYT_CLIENT=client-id\nYT_SECRET=secret\nYT_REFRESH=refresh-token\n"
        )
        self.config = load_config(directory).config
        self.options = RuntimeOptions(
            state_dir=tmp_path / "state",
            data_dir=tmp_path / "data",
            backoff=BackoffPolicy(base=0.01, cap=0.05),
        )
        self.twitch, self.youtube = twitch, youtube
        self.stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Both:
        runtime = Runtime(self.config, self.options, connectors=default_connectors())
        self.task = asyncio.create_task(runtime.run(self.stop))
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.stop.set()
        assert self.task is not None
        await asyncio.wait_for(self.task, timeout=10)

    def status(self, platform: str) -> str | None:
        path = self.options.state_dir / "runtime_snapshot.json"
        if not path.exists():
            return None
        snapshot = json.loads(path.read_text())
        [entry] = [p for p in snapshot["platforms"] if p["name"] == platform]
        return str(entry["status"])

    def state_file(self, name: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.options.state_dir / name).read_text())
        return data

    def twitch_replies(self) -> list[str]:
        return [line.msg.trailing for line in self.twitch.sent if line.command == "PRIVMSG"]

    def youtube_replies(self, live_chat_id: str) -> list[str]:
        return [
            m["snippet"]["textMessageDetails"]["messageText"]
            for m in self.youtube.messages(live_chat_id)
            if m["authorDetails"]["isChatOwner"]
        ]


async def until(condition: Callable[[], object], timeout: float = 15) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


@pytest.mark.asyncio
async def test_the_same_command_fires_on_both_and_history_fires_nothing(
    tmp_path: Path, twitch: TwitchIrcEmulator, youtube: YouTubeApiEmulator
) -> None:
    stream = youtube.start_stream(CHANNEL)
    youtube.post_text(stream.live_chat_id, "early", "!lurk")  # history: must not fire
    async with Both(tmp_path, twitch, youtube) as both:
        await until(lambda: both.status("twitch") == "connected")
        await until(lambda: both.status("youtube") == "connected")
        twitch.say("alice", "ann", "!lurk")
        youtube.post_text(stream.live_chat_id, "bo", "!lurk")
        await until(lambda: both.twitch_replies() and both.youtube_replies(stream.live_chat_id))
        await asyncio.sleep(0.3)  # a reply to the history would be here by now
        assert both.twitch_replies() == ["enjoy the lurk, ann"]
        assert both.youtube_replies(stream.live_chat_id) == ["enjoy the lurk, bo"]
        await until(lambda: both.state_file("quotas.json")["platforms"])
        [quota] = both.state_file("quotas.json")["platforms"]
    assert quota["platform"] == "youtube"
    assert quota["used"] > 0 and quota["remaining"] == quota["max"] - quota["used"]


@pytest.mark.asyncio
async def test_a_cooldown_holds_across_platforms_and_a_poll_counts_both(
    tmp_path: Path, twitch: TwitchIrcEmulator, youtube: YouTubeApiEmulator
) -> None:
    stream = youtube.start_stream(CHANNEL)
    async with Both(tmp_path, twitch, youtube) as both:
        await until(lambda: both.status("twitch") == "connected")
        await until(lambda: both.status("youtube") == "connected")
        twitch.say("alice", "ann", "!hello")
        await until(lambda: both.twitch_replies() == ["hi ann on twitch"])
        youtube.post_text(stream.live_chat_id, "bo", "!hello")  # inside the 30 s cooldown

        twitch.say(
            "alice", "alice", "!poll open Best boss? | Margit | Godrick", badges="broadcaster/1"
        )
        await until(lambda: _votes(both) == [0, 0])
        twitch.say("alice", "ann", "!vote 1")
        youtube.post_text(stream.live_chat_id, "bo", "!vote 2")
        youtube.post_text(stream.live_chat_id, "cy", "margit")
        await until(lambda: _votes(both) == [2, 1])
        assert both.youtube_replies(stream.live_chat_id) == []


def _votes(both: Both) -> list[int]:
    try:
        [poll] = both.state_file("polls.json")["polls"]
    except (FileNotFoundError, ValueError):
        return []
    return [option["votes"] for option in poll["options"]]
