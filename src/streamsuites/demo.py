"""``streamsuites demo``: the runtime against local platforms, with nothing to set up.

Twitch chat comes from the Twitch IRC emulator and YouTube chat from the YouTube Data API
emulator (:mod:`streamsuites.emulators`), both started here on free ports and playing their
scenarios in a loop. Each creator's bot logs in with credentials the emulators accept (a Twitch
token; a YouTube OAuth refresh token), so replies are really sent: PRIVMSG over IRC and
``liveChatMessages.insert`` over HTTP. When ffmpeg is installed, a live HLS test stream
(:class:`~streamsuites.emulators.hls.HlsEmulator`) is every Twitch creator's ``clip_source``, so
``!clip`` in the demo chat makes a real MP4 under the data dir's ``clips/``; without ffmpeg the
demo runs the same and reports ``clips unavailable: ffmpeg not found``. Everything else is the
real runtime: log, triggers, outbox, polls, quota planner, clips, state files.

Every run starts from empty state and data folders (:func:`fresh_folders`), so it shows the
same thing each time: the last run's cooldowns, counts and clip jobs do not carry over.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import secrets
import shutil
from typing import TYPE_CHECKING, Final

from streamsuites.clips.ffmpeg import FFMPEG_NOT_FOUND, FFmpegNotFound, locate_ffmpeg
from streamsuites.clips.settings import clips_settings
from streamsuites.connectors.registry import default_connectors
from streamsuites.emulators import (
    TwitchIrcEmulator,
    YouTubeApiEmulator,
    load_scenario,
    load_youtube_scenario,
)
from streamsuites.emulators.hls import HlsEmulator
from streamsuites.runtime import Runtime

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable
    from pathlib import Path

    from streamsuites.config.model import Config, Creator, CreatorPlatform
    from streamsuites.runtime import RuntimeOptions

__all__ = ["DEMO_MARKER", "DemoFiles", "NotDemoFolder", "fresh_folders", "run_demo"]

TOKEN_ENV: Final = "STREAMSUITES_DEMO_TWITCH_TOKEN"
WEB_TOKEN_ENV: Final = "STREAMSUITES_WEB_TOKEN"
YOUTUBE_ENV: Final = "STREAMSUITES_DEMO_YOUTUBE"
_CLIENT_ID: Final = "demo-client"
_YOUTUBE_OPTIONS: Final = {
    # A demo stream lasts a minute, not hours: let the planner poll as fast as the server allows,
    # and look for the next stream every few seconds.
    "expected_stream_hours": 0.25,
    "offline_check_seconds": 5,
}
_log = logging.getLogger("streamsuites.demo")

DEMO_MARKER: Final = ".streamsuites-demo"
"""The file that marks a folder as the demo's own, to be emptied at its next start."""


class NotDemoFolder(Exception):
    """A folder the demo would empty holds files the demo did not make."""


def fresh_folders(*folders: Path) -> None:
    """Empty each of `folders` (made by an earlier demo run) and mark it as the demo's.

    A missing or empty folder is made and marked. A folder that holds files but no
    :data:`DEMO_MARKER` is left alone and :class:`NotDemoFolder` names it: it may be real data.
    """
    for folder in folders:
        if folder.is_dir() and any(folder.iterdir()):
            if not (folder / DEMO_MARKER).is_file():
                raise NotDemoFolder(folder)
            shutil.rmtree(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / DEMO_MARKER).write_text("made by `streamsuites demo`; emptied at its next run\n")


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class DemoFiles:
    """The inputs of the demo."""

    scenario: Path
    """Twitch emulator scenario, played in a loop."""
    youtube_scenario: Path
    """YouTube emulator scenario, played in a loop."""


async def run_demo(
    config: Config, options: RuntimeOptions, files: DemoFiles, stop: asyncio.Event
) -> None:
    """Run the demo until `stop` is set; a bad scenario raises ScenarioError before it starts."""
    scenario = load_scenario(files.scenario)
    youtube_scenario = load_youtube_scenario(files.youtube_scenario)
    twitch = _twitch_emulator(config)
    youtube = _youtube_emulator(config)
    await twitch.start()
    try:
        await youtube.start()
        try:
            assert twitch.tcp_port is not None  # start() listened on TCP
            _log.info(
                "Twitch emulator on 127.0.0.1:%d; watch with an IRC client: NICK justinfan1",
                twitch.tcp_port,
            )
            _log.info("YouTube Data API emulator on %s", youtube.url)
            async with _test_stream(config, options) as stream:
                demo_config = _with_clip_source(_aimed_at(config, twitch, youtube), stream)
                runtime = Runtime(demo_config, options, connectors=default_connectors())
                async with asyncio.TaskGroup() as tasks:
                    players = [
                        tasks.create_task(_in_a_loop(lambda: twitch.play(scenario))),
                        tasks.create_task(_in_a_loop(lambda: youtube.play(youtube_scenario))),
                        tasks.create_task(_announce(runtime, demo_config)),
                    ]
                    await runtime.run(stop)
                    for player in players:
                        player.cancel()
        finally:
            await youtube.close()
    finally:
        await twitch.close()


async def _announce(runtime: Runtime, config: Config) -> None:
    """Print where to look once the runtime serves: the pages and the operator token."""
    await runtime.ready.wait()
    if runtime.web is None:
        return
    base = f"http://127.0.0.1:{runtime.web.port}"
    creator = config.creators[0].creator_id if config.creators else ""
    lines = [
        "StreamSuites demo is running. Open:",
        f"  overlay (OBS browser source): {base}/overlay?creator={creator}",
        f"  pop-out chat and replay:      {base}/chat?creator={creator}",
        f"  dashboard:                    {base}/dashboard",
        f"  moderator token for the chat send box: {config.environ[WEB_TOKEN_ENV]}",
        _clips_line(runtime),
        "Ctrl-C stops it cleanly.",
    ]
    print("\n".join(lines), flush=True)


def _clips_line(runtime: Runtime) -> str:
    clips = runtime.clips
    if clips.unavailable is not None:
        return f"{clips.unavailable}; the demo runs without clips"
    if not clips.sources:
        return "clips: no clip_source configured"
    return f"clips: !clip in the Twitch chat cuts the test stream into {clips.settings.output_dir}"


@contextlib.asynccontextmanager
async def _test_stream(config: Config, options: RuntimeOptions) -> AsyncIterator[str | None]:
    """Serve the live HLS test stream while the demo runs; yield its URL (None without ffmpeg)."""
    stream = await _started_stream(clips_settings(config, data_dir=options.data_dir).ffmpeg_path)
    if stream is None:
        yield None
        return
    try:
        _log.info("HLS test stream on %s", stream.url)
        yield stream.url
    finally:
        await stream.close()


async def _started_stream(ffmpeg_path: str | None) -> HlsEmulator | None:
    try:
        stream = HlsEmulator(locate_ffmpeg(ffmpeg_path))
    except FFmpegNotFound:
        _log.warning("%s: the demo runs without clips", FFMPEG_NOT_FOUND)
        return None
    try:
        await stream.start()
    except (OSError, RuntimeError, TimeoutError) as exc:
        _log.warning("the HLS test stream did not start (%s): the demo runs without clips", exc)
        return None
    return stream


def _with_clip_source(config: Config, url: str | None) -> Config:
    """Return `config` with the test stream as every Twitch creator's ``clip_source``."""
    if url is None:
        return config
    creators = []
    for creator in config.creators:
        platforms = dict(creator.platforms)
        twitch = platforms.get("twitch")
        if twitch is not None and twitch.enabled and "clip_source" not in twitch.options:
            options = {**twitch.options, "clip_source": url}
            platforms["twitch"] = dataclasses.replace(twitch, options=options)
        creators.append(dataclasses.replace(creator, platforms=platforms))
    return dataclasses.replace(config, creators=tuple(creators))


async def _in_a_loop(play: Callable[[], Awaitable[None]]) -> None:
    """Play a scenario again and again, 5 s apart."""
    while True:
        await play()
        await asyncio.sleep(5)


def _twitch_emulator(config: Config) -> TwitchIrcEmulator:
    bots = {
        channel: _twitch_bot(creator)
        for creator in config.creators
        if (channel := _channel(creator, "twitch")) is not None
    }
    return TwitchIrcEmulator(
        tokens={_demo_token("twitch", login): login for login in bots.values()},
        moderators={channel: [bot, "modmina"] for channel, bot in bots.items()},
    )


def _youtube_emulator(config: Config) -> YouTubeApiEmulator:
    creators = [c for c in config.creators if _channel(c, "youtube") is not None]
    refresh = {_demo_token("youtube", c.creator_id): c.creator_id for c in creators}
    return YouTubeApiEmulator(
        polling_interval_ms=1000,
        oauth_clients={_CLIENT_ID: _demo_token("youtube", _CLIENT_ID)},
        refresh_tokens=dict.fromkeys(refresh, _CLIENT_ID),
        owners={token: str(_channel(config.creator(creator_id), "youtube"))
                for token, creator_id in refresh.items()},
        seed=None,  # fresh ids each run (see YouTubeApiEmulator)
    )  # fmt: skip


_SESSION_SECRET: Final = secrets.token_hex(8)


def _demo_token(platform: str, name: str) -> str:
    """Return this run's credential for `name`: fresh each run, the same within one."""
    return f"{platform}-{name}-{_SESSION_SECRET}"


def _channel(creator: Creator | None, platform: str) -> str | None:
    settings = None if creator is None else creator.platforms.get(platform)
    return None if settings is None or not settings.enabled else settings.channel


def _twitch_bot(creator: Creator) -> str:
    twitch = creator.platforms["twitch"]
    return str(twitch.options.get("nick") or twitch.channel)


def _aimed_at(config: Config, twitch: TwitchIrcEmulator, youtube: YouTubeApiEmulator) -> Config:
    """Return `config` with every Twitch and YouTube connection aimed at the emulators."""
    environ = dict(config.environ)
    environ.setdefault(WEB_TOKEN_ENV, _demo_token("web", "operator"))
    creators = []
    for creator in config.creators:
        platforms = dict(creator.platforms)
        if _channel(creator, "twitch") is not None:
            login = _twitch_bot(creator)
            environ[f"{TOKEN_ENV}_{login.upper()}"] = _demo_token("twitch", login)
            platforms["twitch"] = _aim_twitch(platforms["twitch"], twitch, login)
        if _channel(creator, "youtube") is not None:
            names = _youtube_env(creator.creator_id)
            environ[names["client_id"]] = _CLIENT_ID
            environ[names["client_secret"]] = _demo_token("youtube", _CLIENT_ID)
            environ[names["refresh_token"]] = _demo_token("youtube", creator.creator_id)
            platforms["youtube"] = _aim_youtube(platforms["youtube"], youtube, names)
        creators.append(dataclasses.replace(creator, platforms=platforms))
    return dataclasses.replace(config, creators=tuple(creators), environ=environ)


def _aim_twitch(
    settings: CreatorPlatform, emulator: TwitchIrcEmulator, login: str
) -> CreatorPlatform:
    options = {
        **settings.options,
        "transport": "tcp",
        "host": "127.0.0.1",
        "port": emulator.tcp_port,
    }
    token = {**settings.secret_env, "token": f"{TOKEN_ENV}_{login.upper()}"}
    return dataclasses.replace(settings, options=options, secret_env=token)


def _youtube_env(creator_id: str) -> dict[str, str]:
    prefix = f"{YOUTUBE_ENV}_{creator_id.upper()}"
    return {
        role: f"{prefix}_{role.upper()}" for role in ("client_id", "client_secret", "refresh_token")
    }


def _aim_youtube(
    settings: CreatorPlatform, emulator: YouTubeApiEmulator, env: dict[str, str]
) -> CreatorPlatform:
    options = {
        **settings.options,
        **_YOUTUBE_OPTIONS,
        "api_base": emulator.url,
        "token_url": emulator.token_url,
    }
    return dataclasses.replace(settings, options=options, secret_env=env)
