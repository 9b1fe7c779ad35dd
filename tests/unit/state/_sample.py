"""A fixed runtime: several creators and connectors in different statuses, at a fixed time."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from streamsuites.config.model import (
    Config,
    Creator,
    CreatorPlatform,
    Limits,
    PlatformSettings,
    PlatformState,
    SystemSettings,
)
from streamsuites.eventlog import LogStats
from streamsuites.state.runtime_state import (
    ConnectorStatus,
    Counters,
    CreatorState,
    RuntimeState,
)

NOW = 1_767_225_600.0  # 2026-01-01T00:00:00Z


def platform(
    name: str, state: PlatformState = PlatformState.ACTIVE, reason: str | None = None
) -> PlatformSettings:
    return PlatformSettings(
        name=name,
        enabled=state is not PlatformState.DISABLED,
        telemetry_enabled=True,
        state=state,
        paused_reason=reason,
    )


def creator(creator_id: str, name: str, *platforms: str, enabled: bool = True) -> Creator:
    return Creator(
        creator_id=creator_id,
        display_name=name,
        enabled=enabled,
        tier="open",
        limits=Limits(),
        platforms={p: CreatorPlatform(platform=p, enabled=True) for p in platforms},
    )


def sample_config(directory: Path = Path("/config")) -> Config:
    return Config(
        directory=directory,
        system=SystemSettings(
            platforms={"twitch": True, "youtube": True, "discord": False},
            jobs={"clips": True, "polls": False},
        ),
        platforms={
            "twitch": platform("twitch"),
            "youtube": platform("youtube"),
            "rumble": platform("rumble", PlatformState.PAUSED, "Rumble ingest paused"),
            "kick": platform("kick"),
        },
        creators=(
            creator("alice1", "Alice", "twitch", "youtube"),
            creator("bobby2", "Bobby", "twitch", "rumble"),
            creator("carol3", "Carol", "kick"),
        ),
        tiers={},
    )


def sample_state() -> RuntimeState:
    state = RuntimeState(started_at=NOW - 3600)
    state.creators["carol3"] = CreatorState(
        creator_id="carol3", display_name="Carol C.", enabled=True, platforms={"kick": True}
    )
    alice_twitch = state.connector("alice1", "twitch")
    alice_twitch.status = ConnectorStatus.CONNECTED
    alice_twitch.connected_since = NOW - 1800
    alice_twitch.last_frame_at = NOW - 5
    alice_twitch.last_event_at = NOW - 12
    alice_twitch.last_success_at = NOW - 1800
    alice_twitch.reconnects = 1
    alice_twitch.counters = Counters(messages=120, events=130, triggers=7, actions=6)

    alice_youtube = state.connector("alice1", "youtube")
    alice_youtube.status = ConnectorStatus.BACKOFF
    alice_youtube.reason = "HTTP 503 from liveChatMessages"
    alice_youtube.last_error = "HTTP 503 from liveChatMessages"
    alice_youtube.last_error_at = NOW - 20
    alice_youtube.last_frame_at = NOW - 400
    alice_youtube.attempts = 3
    alice_youtube.next_retry_at = NOW + 20
    alice_youtube.counters = Counters(messages=40, events=41, errors=3, actions_failed=1)

    bobby_twitch = state.connector("bobby2", "twitch")
    bobby_twitch.status = ConnectorStatus.CONNECTED
    bobby_twitch.connected_since = NOW - 900
    bobby_twitch.last_frame_at = NOW - 200  # past stale_after (90 s): reported stale
    bobby_twitch.last_event_at = NOW - 200
    bobby_twitch.counters = Counters(messages=10, events=10, triggers=1, actions=1)

    bobby_rumble = state.connector("bobby2", "rumble")
    bobby_rumble.status = ConnectorStatus.PAUSED
    bobby_rumble.reason = "Rumble ingest paused"

    carol_kick = state.connector("carol3", "kick")
    carol_kick.status = ConnectorStatus.AUTH_FAILED
    carol_kick.reason = "token rejected"
    carol_kick.last_error = "401 Unauthorized"
    carol_kick.last_error_at = NOW - 60
    carol_kick.attempts = 1

    state.record_event("twitch", "Platform worker started", NOW - 1800, "info")
    state.record_error("platform", "platform_error", "HTTP 503", NOW - 20, source="youtube")
    state.record_error("creator", "creator_error", "401 Unauthorized", NOW - 60, source="kick")
    return state


def sample_stats() -> LogStats:
    return LogStats(
        event_count=181,
        last_seq=181,
        last_event_at=datetime.fromtimestamp(NOW - 12, tz=UTC),
        size_bytes=65_536,
    )
