"""``/healthz``: serving, and no enabled connector down for longer than a threshold.

A connector is *down* while its status is anything but ``connected`` (not stale) or
``offline`` (reachable, no live chat). Connectors that config switched off (``disabled``,
``paused``) are not judged. The runtime's health records say what a connector is now, not since
when, so :class:`DownTracker` notes the first time it saw each one down; the server observes on
a short cadence, and a connector down at start counts from the server's start.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from streamsuites.state.runtime_state import ConnectorStatus, effective_status

if TYPE_CHECKING:
    from streamsuites.state.runtime_state import RuntimeState

__all__ = ["DEFAULT_THRESHOLD", "Down", "DownTracker", "health_report"]

DEFAULT_THRESHOLD: Final = 120.0
_UP: Final = frozenset({ConnectorStatus.CONNECTED, ConnectorStatus.OFFLINE})
_NOT_JUDGED: Final = frozenset({ConnectorStatus.DISABLED, ConnectorStatus.PAUSED})


@dataclass(frozen=True, slots=True)
class Down:
    """A connector down for longer than the threshold."""

    creator_id: str
    platform: str
    status: ConnectorStatus
    reason: str | None
    seconds: float

    def to_json(self) -> dict[str, Any]:
        """Return the healthz body's entry."""
        return {
            "creator_id": self.creator_id,
            "platform": self.platform,
            "status": self.status.value,
            "reason": self.reason,
            "down_for_seconds": round(self.seconds, 1),
        }


@dataclass(slots=True)
class DownTracker:
    """Remembers since when each connector has been down."""

    threshold: float = DEFAULT_THRESHOLD
    _since: dict[tuple[str, str], float] = field(default_factory=dict)

    def observe(self, state: RuntimeState, now: float) -> list[Down]:
        """Note each connector's status at `now`; return those down longer than the threshold."""
        over: list[Down] = []
        for key, health in sorted(state.connectors.items()):
            status = effective_status(health, now)
            if status in _UP or status in _NOT_JUDGED:
                self._since.pop(key, None)
                continue
            since = self._since.setdefault(key, now)
            if now - since > self.threshold:
                over.append(Down(key[0], key[1], status, health.reason, now - since))
        return over


def health_report(*, serving: bool, down: list[Down], threshold: float) -> dict[str, Any]:
    """Return the healthz body; ``ok`` only when serving with nothing down too long."""
    return {
        "ok": serving and not down,
        "serving": serving,
        "threshold_seconds": threshold,
        "down": [d.to_json() for d in down],
    }
