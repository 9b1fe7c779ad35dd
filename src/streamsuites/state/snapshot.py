"""``runtime_snapshot.json``: the runtime's state as the dashboard reads it, built without I/O.

:func:`build_runtime_snapshot` is a pure projection of :class:`RuntimeState` and
:class:`Config` at ``now``; exporters write what it returns. The field list and how each field
is derived are in ``docs/state-files.md``.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from streamsuites.config.model import PlatformState
from streamsuites.state.health import aggregate_status, latest, latest_failure, live_heartbeat
from streamsuites.state.render import header, iso, iso_datetime
from streamsuites.state.runtime_state import effective_status

if TYPE_CHECKING:
    from collections.abc import Sequence

    from streamsuites.config.model import Config
    from streamsuites.eventlog import LogStats
    from streamsuites.state.restart_intent import RestartIntent
    from streamsuites.state.runtime_state import ConnectorHealth, RuntimeState

__all__ = [
    "CHAT_PLATFORMS",
    "PROJECT",
    "build_runtime_snapshot",
    "connector_liveness",
    "connector_healths",
    "creator_identity",
    "creator_ids",
]

PROJECT = "StreamSuites Runtime"

CHAT_PLATFORMS = frozenset({"twitch", "youtube", "rumble", "kick"})
"""Platforms whose chat goes into the event log, so replay and overlays can serve them."""

_PLATFORM_COUNTERS = ("messages", "triggers", "actions", "actions_failed")


def build_runtime_snapshot(
    *,
    state: RuntimeState,
    config: Config,
    now: float,
    version: str,
    build: str,
    replay: LogStats | None,
    restart_intent: RestartIntent,
) -> dict[str, Any]:
    """Return the runtime snapshot document (schema v1 plus per-connector health)."""
    names = _platform_names(state, config)
    return {
        **header(now),
        "heartbeat": iso(now),
        "runtime": {"project": PROJECT, "version": version, "build": build},
        "system": _system(config),
        "jobs": _jobs(config, restart_intent),
        "platforms": [_platform(name, state, config, now) for name in names],
        "creators": [_creator(cid, state, config, now) for cid in creator_ids(state, config)],
        "triggers": {"source": "shared"},
        "rumble_chat": None,
        "replay": _replay(names, state, replay),
        "restart_intent": restart_intent.to_json(),
    }


def _platform_names(state: RuntimeState, config: Config) -> list[str]:
    names = set(config.platforms) | set(config.system.platforms)
    names.update(p for creator in config.creators for p in creator.platforms)
    names.update(platform for _, platform in state.connectors)
    return sorted(names)


def creator_ids(state: RuntimeState, config: Config) -> list[str]:
    """Return every creator the config or the state knows, sorted."""
    ids = {c.creator_id for c in config.creators} | set(state.creators)
    ids.update(creator_id for creator_id, _ in state.connectors)
    return sorted(ids)


def connector_healths(
    state: RuntimeState, *, platform: str | None = None, creator_id: str | None = None
) -> list[ConnectorHealth]:
    """Return the connectors' health, sorted by creator and platform, narrowed as asked."""
    return [
        health
        for (cid, name), health in sorted(state.connectors.items())
        if platform in (None, name) and creator_id in (None, cid)
    ]


def _system(config: Config) -> dict[str, Any]:
    return {
        "platform_polling_enabled": bool(config.system.platform_polling_enabled),
        "platforms": {name: bool(on) for name, on in sorted(config.system.platforms.items())},
    }


def _jobs(config: Config, restart_intent: RestartIntent) -> list[dict[str, Any]]:
    changed = bool(restart_intent.pending.get("system"))
    return [
        {
            "name": name,
            "enabled": enabled,
            "applied": not changed,
            "reason": _job_reason(enabled=enabled, changed=changed),
        }
        for name, enabled in sorted(config.system.jobs.items())
    ]


def _job_reason(*, enabled: bool, changed: bool) -> str | None:
    if changed:
        return "restart required"
    return None if enabled else "disabled via config"


def _platform_enabled(config: Config, name: str) -> bool:
    settings = config.platforms.get(name)
    gate = config.system.platforms.get(name, True)
    if settings is None:
        return gate
    return gate and settings.enabled and settings.state is not PlatformState.DISABLED


def _platform(name: str, state: RuntimeState, config: Config, now: float) -> dict[str, Any]:
    settings = config.platforms.get(name)
    connectors = connector_healths(state, platform=name)
    enabled = _platform_enabled(config, name)
    paused = settings is not None and settings.state is PlatformState.PAUSED
    statuses = [effective_status(c, now) for c in connectors]
    return {
        "name": name,
        "platform": name,
        "enabled": enabled,
        "paused": paused,
        "telemetry_enabled": settings.telemetry_enabled if settings else enabled,
        "state": settings.state.value if settings else _default_state(enabled),
        "status": aggregate_status(statuses, enabled=enabled, paused=paused).value,
        "paused_reason": settings.paused_reason if settings and paused else None,
        **_platform_times(connectors),
        "error": latest_failure(connectors, now),
        "counters": _platform_counters(connectors),
        "replay_supported": name in CHAT_PLATFORMS,
        "overlay_supported": name in CHAT_PLATFORMS,
        "health": [_health(c, now) for c in connectors],
    }


def _default_state(enabled: bool) -> str:
    return (PlatformState.ACTIVE if enabled else PlatformState.DISABLED).value


def _platform_times(connectors: Sequence[ConnectorHealth]) -> dict[str, str | None]:
    return {
        "last_heartbeat": iso(latest(c.last_frame_at for c in connectors)),
        "last_success_ts": iso(latest(c.last_success_at for c in connectors)),
        "last_event_ts": iso(latest(c.last_event_at for c in connectors)),
    }


def _platform_counters(connectors: Sequence[ConnectorHealth]) -> dict[str, int]:
    return {name: sum(getattr(c.counters, name) for c in connectors) for name in _PLATFORM_COUNTERS}


def connector_liveness(health: ConnectorHealth, now: float) -> dict[str, Any]:
    """Return what every view of a connector shows: its status at `now`, why, and its times."""
    return {
        "status": effective_status(health, now).value,
        "reason": health.reason,
        "connected_since": iso(health.connected_since),
        "last_frame_at": iso(health.last_frame_at),
        "last_event_at": iso(health.last_event_at),
        "last_error": health.last_error,
        "last_error_at": iso(health.last_error_at),
    }


def _health(health: ConnectorHealth, now: float) -> dict[str, Any]:
    return {
        "creator_id": health.creator_id,
        **connector_liveness(health, now),
        "attempts": health.attempts,
        "reconnects": health.reconnects,
        "next_retry_at": iso(health.next_retry_at),
        "counters": asdict(health.counters),
    }


def _creator(creator_id: str, state: RuntimeState, config: Config, now: float) -> dict[str, Any]:
    connectors = connector_healths(state, creator_id=creator_id)
    known = state.creators.get(creator_id)
    return {
        "creator_id": creator_id,
        **creator_identity(creator_id, state, config),
        "last_heartbeat": iso(live_heartbeat(connectors, now)),
        "error": (known.error if known else None) or latest_failure(connectors, now),
    }


def creator_identity(creator_id: str, state: RuntimeState, config: Config) -> dict[str, Any]:
    """Return a creator's display name, enabled flag and platforms, as running or configured."""
    known = state.creators.get(creator_id)
    if known is not None:
        platforms = dict(sorted(known.platforms.items()))
        return _identity(known.display_name, enabled=known.enabled, platforms=platforms)
    creator = config.creator(creator_id)
    if creator is None:
        return _identity(creator_id, enabled=True, platforms={})
    platforms = {name: p.enabled for name, p in sorted(creator.platforms.items())}
    return _identity(creator.display_name, enabled=creator.enabled, platforms=platforms)


def _identity(display_name: str, *, enabled: bool, platforms: dict[str, bool]) -> dict[str, Any]:
    return {"display_name": display_name, "enabled": enabled, "platforms": platforms}


def _replay(names: Sequence[str], state: RuntimeState, stats: LogStats | None) -> dict[str, Any]:
    last = iso_datetime(stats.last_event_at) if stats else None
    return {
        "available": stats is not None,
        "platforms": [_replay_platform(n, state) for n in names if n in CHAT_PLATFORMS],
        "event_count": stats.event_count if stats else 0,
        "last_event_at": last,
        "last_event_timestamp": last,
        "overlay_safe": stats is not None,
    }


def _replay_platform(name: str, state: RuntimeState) -> dict[str, Any]:
    connectors = connector_healths(state, platform=name)
    return {
        "name": name,
        "platform": name,
        "events_since_start": sum(c.counters.events for c in connectors),
        "last_event_at": iso(latest(c.last_event_at for c in connectors)),
    }
