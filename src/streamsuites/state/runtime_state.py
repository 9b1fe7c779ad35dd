"""What the runtime knows about itself right now: connector health, counters, recent telemetry.

The supervisor and the runtime write here; the snapshot builders in this package read it.
Times are epoch seconds from the runtime's clock. Nothing here does I/O.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

__all__ = [
    "ConnectorHealth",
    "ConnectorStatus",
    "Counters",
    "CreatorState",
    "RuntimeState",
    "TelemetryError",
    "TelemetryEvent",
    "effective_status",
]

TELEMETRY_LIMIT = 200


class ConnectorStatus(StrEnum):
    """A connector's state, derived from what it did and what it last received."""

    CONNECTING = "connecting"
    CONNECTED = "connected"
    STALE = "stale"
    """Connected, but nothing has arrived for longer than ``stale_after``."""
    BACKOFF = "backoff"
    """Waiting before the next attempt after a failure."""
    AUTH_FAILED = "auth_failed"
    OFFLINE = "offline"
    """Reachable, but there is no live chat to read; the connector re-checks on a schedule."""
    QUOTA_EXHAUSTED = "quota_exhausted"
    """The platform's API quota is used up; no calls until it resets (``next_retry_at``)."""
    DISABLED = "disabled"
    PAUSED = "paused"
    STOPPED = "stopped"


@dataclass(slots=True)
class Counters:
    """Monotonic counters, per connector and summed per platform in the snapshot."""

    messages: int = 0
    """Chat messages received."""
    events: int = 0
    """All events appended to the log (messages included)."""
    duplicates: int = 0
    triggers: int = 0
    actions: int = 0
    actions_failed: int = 0
    errors: int = 0

    def add(self, other: Counters) -> None:
        """Add `other` into this one."""
        for name in self.__slots__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(slots=True, kw_only=True)
class ConnectorHealth:
    """The truth about one (creator, platform) connector."""

    creator_id: str
    platform: str
    status: ConnectorStatus = ConnectorStatus.STOPPED
    reason: str | None = None
    """Why the status is what it is (paused reason, auth failure, missing secret, last error)."""
    stale_after: float = 90.0
    connected_since: float | None = None
    last_frame_at: float | None = None
    """Last time anything (message, keepalive) arrived from the platform."""
    next_frame_due: float | None = None
    """For a polling connector: when its next poll is planned. Silence before then is the plan,
    not a sign of trouble, so ``stale`` counts from the later of this and ``last_frame_at``."""
    last_event_at: float | None = None
    last_success_at: float | None = None
    last_error: str | None = None
    last_error_at: float | None = None
    attempts: int = 0
    """Consecutive failed attempts since the last healthy period."""
    reconnects: int = 0
    next_retry_at: float | None = None
    counters: Counters = field(default_factory=Counters)


@dataclass(slots=True, kw_only=True)
class CreatorState:
    """A creator as the snapshot shows it."""

    creator_id: str
    display_name: str
    enabled: bool
    platforms: dict[str, bool] = field(default_factory=dict)
    error: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TelemetryEvent:
    """A line of the telemetry events feed."""

    timestamp: float
    source: str
    severity: Literal["info", "warning", "error"]
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TelemetryError:
    """A line of the telemetry errors feed."""

    timestamp: float
    subsystem: Literal["platform", "creator", "runtime"]
    error_type: str
    message: str
    source: str | None = None


def effective_status(health: ConnectorHealth, now: float) -> ConnectorStatus:
    """Return the status to report: a connected connector that has gone quiet is ``stale``."""
    if health.status is ConnectorStatus.CONNECTED:
        last = health.last_frame_at if health.last_frame_at is not None else health.connected_since
        if last is not None and health.next_frame_due is not None:
            last = max(last, health.next_frame_due)
        if last is not None and now - last > health.stale_after:
            return ConnectorStatus.STALE
    return health.status


@dataclass(slots=True, kw_only=True)
class RuntimeState:
    """Everything the snapshot builders need, kept up to date by the runtime."""

    started_at: float
    creators: dict[str, CreatorState] = field(default_factory=dict)
    connectors: dict[tuple[str, str], ConnectorHealth] = field(default_factory=dict)
    events: deque[TelemetryEvent] = field(default_factory=lambda: deque(maxlen=TELEMETRY_LIMIT))
    errors: deque[TelemetryError] = field(default_factory=lambda: deque(maxlen=TELEMETRY_LIMIT))

    def connector(self, creator_id: str, platform: str) -> ConnectorHealth:
        """Return the health record of a connector, creating it on first use."""
        key = (creator_id, platform)
        health = self.connectors.get(key)
        if health is None:
            health = ConnectorHealth(creator_id=creator_id, platform=platform)
            self.connectors[key] = health
        return health

    def record_event(
        self, source: str, message: str, now: float, severity: Literal["info", "warning", "error"]
    ) -> None:
        """Append a line to the telemetry events feed."""
        self.events.append(
            TelemetryEvent(timestamp=now, source=source, severity=severity, message=message)
        )

    def record_error(
        self,
        subsystem: Literal["platform", "creator", "runtime"],
        error_type: str,
        message: str,
        now: float,
        source: str | None = None,
    ) -> None:
        """Append to the errors feed and, as the original did, an error-severity event."""
        self.errors.append(
            TelemetryError(
                timestamp=now,
                subsystem=subsystem,
                error_type=error_type,
                message=message,
                source=source,
            )
        )
        self.record_event(source or subsystem, message, now, "error")

    def platform_counters(self) -> dict[str, Counters]:
        """Return counters summed over creators, per platform."""
        totals: dict[str, Counters] = {}
        for (_, platform), health in sorted(self.connectors.items()):
            totals.setdefault(platform, Counters()).add(health.counters)
        return totals
