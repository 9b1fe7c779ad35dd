"""Summing connector health up to a platform or a creator, honestly.

A platform's status is the *worst* effective status among its live connectors, so one failing
creator is never hidden behind a healthy one. In order of precedence:

1. ``disabled`` if the platform is disabled (config or ``system.platforms`` gate), or every one
   of its connectors is disabled;
2. ``paused`` if the platform is paused, or every connector that is not disabled is paused;
3. otherwise the worst of the remaining connectors, ranked
   ``auth_failed > quota_exhausted > backoff > stale > connecting > offline > connected >
   stopped``;
4. ``stopped`` if the platform has no connectors at all.

A creator's heartbeat is the latest frame time among its *connected* connectors only: the
heartbeat reflects live connectors, not the scheduler loop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from streamsuites.state.runtime_state import ConnectorStatus, effective_status

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from streamsuites.state.runtime_state import ConnectorHealth

__all__ = [
    "FAILING",
    "SEVERITY",
    "aggregate_status",
    "latest",
    "latest_failure",
    "live_heartbeat",
]

SEVERITY: tuple[ConnectorStatus, ...] = (
    ConnectorStatus.STOPPED,
    ConnectorStatus.CONNECTED,
    ConnectorStatus.OFFLINE,
    ConnectorStatus.CONNECTING,
    ConnectorStatus.STALE,
    ConnectorStatus.BACKOFF,
    ConnectorStatus.QUOTA_EXHAUSTED,
    ConnectorStatus.AUTH_FAILED,
)
"""Statuses of running connectors, least to most severe."""

FAILING = frozenset(
    {ConnectorStatus.BACKOFF, ConnectorStatus.QUOTA_EXHAUSTED, ConnectorStatus.AUTH_FAILED}
)
"""Statuses whose reason is reported as the platform's or creator's ``error``."""

_IDLE = (ConnectorStatus.DISABLED, ConnectorStatus.PAUSED)


def aggregate_status(
    statuses: Sequence[ConnectorStatus], *, enabled: bool, paused: bool
) -> ConnectorStatus:
    """Return the platform status for its connectors' effective `statuses`."""
    if not enabled or (statuses and all(s is ConnectorStatus.DISABLED for s in statuses)):
        return ConnectorStatus.DISABLED
    live = [s for s in statuses if s not in _IDLE]
    if paused or (statuses and not live):
        return ConnectorStatus.PAUSED
    return max(live, key=SEVERITY.index, default=ConnectorStatus.STOPPED)


def latest(values: Iterable[float | None]) -> float | None:
    """Return the largest of the known `values`, or None if none is known."""
    return max((v for v in values if v is not None), default=None)


def live_heartbeat(connectors: Iterable[ConnectorHealth], now: float) -> float | None:
    """Return the latest ``last_frame_at`` among the connectors connected at `now`."""
    return latest(
        c.last_frame_at for c in connectors if effective_status(c, now) is ConnectorStatus.CONNECTED
    )


def latest_failure(connectors: Iterable[ConnectorHealth], now: float) -> str | None:
    """Return the message of the most recent failure among failing connectors, if any."""
    failing = [c for c in connectors if effective_status(c, now) in FAILING]
    if not failing:
        return None
    newest = max(failing, key=lambda c: c.last_error_at or 0.0)
    return newest.last_error or newest.reason or effective_status(newest, now).value
