"""``streamsuites demo``: the runtime against local platforms, with nothing to set up.

Twitch chat comes from the Twitch IRC emulator (:mod:`streamsuites.emulators`), started here on
a free port and playing a scenario in a loop; the creator's bot logs in with a token the
emulator accepts, so replies are really sent over IRC. Platforms without an emulator yet
(YouTube) are fed from a recorded event file through the replay connector. Everything else is
the real runtime: log, triggers, outbox, polls, state files.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import secrets
from typing import TYPE_CHECKING, Final

from streamsuites.connectors.registry import default_connectors
from streamsuites.connectors.replay import replay_connectors
from streamsuites.emulators import Scenario, TwitchIrcEmulator, load_scenario
from streamsuites.runtime import Runtime

if TYPE_CHECKING:
    from pathlib import Path

    from streamsuites.config.model import Config, Creator
    from streamsuites.runtime import RuntimeOptions

__all__ = ["DemoFiles", "run_demo"]

TOKEN_ENV: Final = "STREAMSUITES_DEMO_TWITCH_TOKEN"
_log = logging.getLogger("streamsuites.demo")


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class DemoFiles:
    """The inputs of the demo."""

    scenario: Path
    """Twitch emulator scenario, played in a loop."""
    replay: Path
    """Recorded events for the platforms that have no emulator yet."""
    replay_speed: float = 60.0


async def run_demo(
    config: Config, options: RuntimeOptions, files: DemoFiles, stop: asyncio.Event
) -> None:
    """Run the demo until `stop` is set; a bad scenario raises ScenarioError before it starts."""
    scenario = load_scenario(files.scenario)
    bots = {
        channel: _twitch_bot(creator)
        for creator in config.creators
        if (channel := _twitch_channel(creator)) is not None
    }
    tokens = {login: secrets.token_hex(16) for login in bots.values()}
    emulator = TwitchIrcEmulator(
        tokens={token: login for login, token in tokens.items()},
        moderators={channel: [bot, "modmina"] for channel, bot in bots.items()},
    )
    await emulator.start()
    try:
        assert emulator.tcp_port is not None  # start() listened on TCP
        _log.info(
            "Twitch emulator on 127.0.0.1:%d; watch with an IRC client: NICK justinfan1, JOIN #%s",
            emulator.tcp_port,
            next(iter(bots), "aliceplays"),
        )
        demo_config = _aimed_at(config, emulator.tcp_port, tokens)
        connectors = default_connectors()
        replayed = replay_connectors(files.replay, speed=files.replay_speed, live_times=True)
        youtube = replayed.get("youtube")
        if youtube is not None:
            connectors["youtube"] = youtube
        runtime = Runtime(demo_config, options, connectors=connectors)
        async with asyncio.TaskGroup() as tasks:
            player = tasks.create_task(_play_forever(emulator, scenario))
            await runtime.run(stop)
            player.cancel()
    finally:
        await emulator.close()


async def _play_forever(emulator: TwitchIrcEmulator, scenario: Scenario) -> None:
    while True:
        await emulator.play(scenario)
        await asyncio.sleep(5)


def _twitch_channel(creator: Creator) -> str | None:
    twitch = creator.platforms.get("twitch")
    return None if twitch is None or not twitch.enabled else twitch.channel


def _twitch_bot(creator: Creator) -> str:
    twitch = creator.platforms["twitch"]
    return str(twitch.options.get("nick") or twitch.channel)


def _aimed_at(config: Config, port: int, tokens: dict[str, str]) -> Config:
    """Return `config` with every Twitch connection aimed at the emulator, logged in as the bot."""
    creators = tuple(_creator_aimed_at(c, port) for c in config.creators)
    environ = {**config.environ, **{_token_env(login): t for login, t in tokens.items()}}
    return dataclasses.replace(config, creators=creators, environ=environ)


def _token_env(login: str) -> str:
    return f"{TOKEN_ENV}_{login.upper()}"


def _creator_aimed_at(creator: Creator, port: int) -> Creator:
    twitch = creator.platforms.get("twitch")
    if twitch is None or _twitch_channel(creator) is None:
        return creator
    options = {**twitch.options, "transport": "tcp", "host": "127.0.0.1", "port": port}
    token = {**twitch.secret_env, "token": _token_env(_twitch_bot(creator))}
    aimed = dataclasses.replace(twitch, options=options, secret_env=token)
    return dataclasses.replace(creator, platforms={**creator.platforms, "twitch": aimed})
