"""The ``streamsuites emulate twitch|youtube`` entry points: run an emulator until cancelled."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from streamsuites.clock import SystemClock
from streamsuites.connectors.youtube.costs import DAILY_UNITS
from streamsuites.emulators._scenario import load_scenario
from streamsuites.emulators._youtube_scenario import load_youtube_scenario
from streamsuites.emulators.twitch_irc import TwitchIrcEmulator
from streamsuites.emulators.youtube_api import YouTubeApiEmulator

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Mapping
    from pathlib import Path

    from streamsuites.clock import Clock

__all__ = ["serve_twitch", "serve_youtube"]

log = logging.getLogger(__name__)


async def serve_twitch(
    scenario: Path | None,
    *,
    host: str = "127.0.0.1",
    port: int = 6667,
    tls_port: int | None = None,
    ws_port: int | None = None,
    tokens: Mapping[str, str] | None = None,
    moderators: Mapping[str, Collection[str]] | None = None,
    ping_interval: float = 60.0,
    pong_timeout: float = 10.0,
    on_ready: Callable[[TwitchIrcEmulator], None] | None = None,
) -> None:
    """Run the emulator until cancelled, playing `scenario` (if any) from the first JOIN.

    TLS and WebSocket listen only when their port is given (0 picks a free one). `on_ready`
    is called once every listener is up, e.g. to print the addresses.
    """
    emulator = TwitchIrcEmulator(
        tokens=tokens or {},
        moderators=moderators,
        ping_interval=ping_interval,
        pong_timeout=pong_timeout,
    )
    parsed = load_scenario(scenario) if scenario is not None else None
    await emulator.start(
        host,
        port,
        tls=tls_port is not None,
        tls_port=tls_port or 0,
        websocket=ws_port is not None,
        ws_port=ws_port or 0,
    )
    try:
        if on_ready is not None:
            on_ready(emulator)
        log.info(
            "twitch emulator on %s tcp=%s tls=%s ws=%s",
            host,
            emulator.tcp_port,
            emulator.tls_port,
            emulator.ws_port,
        )
        if parsed is not None:
            # Scenario times count from the first JOIN, so a client started after the
            # emulator still sees the whole script.
            await emulator.wait_for(lambda: emulator.joined, timeout=None)
            await emulator.play(parsed)
        await asyncio.Event().wait()
    finally:
        await emulator.close()


async def serve_youtube(
    scenario: Path | None,
    *,
    host: str = "127.0.0.1",
    port: int = 8090,
    api_keys: Collection[str] = ("test-key",),
    oauth_clients: Mapping[str, str] | None = None,
    refresh_tokens: Mapping[str, str] | None = None,
    daily_quota: int = DAILY_UNITS,
    polling_interval_ms: int = 5000,
    loop: bool = False,
    loop_gap: float = 5.0,
    clock: Clock | None = None,
    on_ready: Callable[[YouTubeApiEmulator], None] | None = None,
) -> None:
    """Run the YouTube emulator until cancelled, playing `scenario` (if any) from the first call.

    The scenario starts when the first API request arrives, so a connector started after the
    emulator still sees the whole script; with `loop` it is played again `loop_gap` seconds
    after it ends. `on_ready` is called once the server listens, e.g. to print its URL.
    """
    clock = clock or SystemClock()
    parsed = load_youtube_scenario(scenario) if scenario is not None else None
    emulator = YouTubeApiEmulator(
        clock=clock,
        api_keys=api_keys,
        oauth_clients=oauth_clients,
        refresh_tokens=refresh_tokens,
        daily_quota=daily_quota,
        polling_interval_ms=polling_interval_ms,
        seed=None,  # fresh ids each run, so a runtime's log keeps the messages of a second run
    )
    async with emulator:
        if on_ready is not None:
            on_ready(emulator)
        log.info("youtube emulator on %s (token endpoint %s)", emulator.url, emulator.token_url)
        if parsed is not None:
            await emulator.wait_for(lambda: emulator.calls, timeout=None)
            await emulator.play(parsed)
            while loop:
                await clock.sleep(loop_gap)
                await emulator.play(parsed)
        await asyncio.Event().wait()
