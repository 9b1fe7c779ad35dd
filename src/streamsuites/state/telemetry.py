"""``telemetry/events.json`` and ``telemetry/errors.json``: the recent feeds, built without I/O."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from streamsuites.state.render import header, iso

if TYPE_CHECKING:
    from collections.abc import Iterable

    from streamsuites.state.runtime_state import TelemetryError, TelemetryEvent

__all__ = ["FEED_LIMIT", "build_errors", "build_events"]

FEED_LIMIT = 200
"""Each feed keeps the newest this many entries, as the original's ring buffers did."""


def build_events(
    events: Iterable[TelemetryEvent], *, now: float, limit: int = FEED_LIMIT
) -> dict[str, Any]:
    """Return the events feed: the newest `limit` events, oldest first."""
    newest = sorted(events, key=lambda e: e.timestamp)[-limit:] if limit > 0 else []
    return {**header(now), "events": [_event(e) for e in newest]}


def build_errors(
    errors: Iterable[TelemetryError], *, now: float, limit: int = FEED_LIMIT
) -> dict[str, Any]:
    """Return the errors feed: the newest `limit` errors, oldest first, without stack traces."""
    newest = sorted(errors, key=lambda e: e.timestamp)[-limit:] if limit > 0 else []
    return {**header(now), "errors": [_error(e) for e in newest]}


def _event(event: TelemetryEvent) -> dict[str, Any]:
    return {
        "timestamp": iso(event.timestamp),
        "source": event.source,
        "severity": event.severity,
        "message": event.message,
    }


def _error(error: TelemetryError) -> dict[str, Any]:
    return {
        "timestamp": iso(error.timestamp),
        "subsystem": error.subsystem,
        "error_type": error.error_type,
        "message": error.message,
        "source": error.source,
    }
