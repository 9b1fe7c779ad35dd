"""The durable, de-duplicated event log and the queries replay and overlays need.

Every normalized event is appended once, keyed by ``event_id``; a duplicate (from a reconnect or
a redelivery, also across restarts) is dropped at append. Each stored event gets a ``seq``: a
strictly increasing integer that consumers use as their offset and the web API as its cursor.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

import msgspec

from streamsuites.events import Event

if TYPE_CHECKING:
    from collections.abc import Sequence


__all__ = [
    "AppendResult",
    "EventFilter",
    "EventLog",
    "LogStats",
    "LoggedEvent",
    "Page",
    "Session",
]


class LoggedEvent(msgspec.Struct, frozen=True, kw_only=True):
    """An event as stored: its position in the log and the session it belongs to."""

    seq: int
    session_id: str
    event: Event


class AppendResult(msgspec.Struct, frozen=True, kw_only=True):
    """What one append did, known to be durable when it is returned."""

    appended: tuple[LoggedEvent, ...]
    """The events that were new, with the seq each was given, in input order."""
    duplicates: int
    """How many input events were already in the log (or repeated within the input)."""


class EventFilter(msgspec.Struct, frozen=True, kw_only=True):
    """Which events a query returns; an empty field does not filter."""

    creator_id: str | None = None
    platform: str | None = None
    session_id: str | None = None
    kinds: tuple[str, ...] = ()


class Session(msgspec.Struct, frozen=True, kw_only=True):
    """One stream of one creator on one platform, as the log has seen it.

    Events naming a ``stream_id`` belong to that stream's session. Events without one are
    grouped by time: a gap longer than the log's ``session_gap`` starts a new session.
    """

    session_id: str
    creator_id: str
    platform: str
    channel: str
    stream_id: str | None
    started_at: datetime
    ended_at: datetime
    event_count: int
    first_seq: int
    last_seq: int


class Page(msgspec.Struct, frozen=True, kw_only=True):
    """A page of events in seq order and the cursor for the next page (None at the end)."""

    events: tuple[LoggedEvent, ...]
    next_cursor: int | None


class LogStats(msgspec.Struct, frozen=True, kw_only=True):
    """Totals for the snapshot's replay block and for metrics."""

    event_count: int
    last_seq: int
    last_event_at: datetime | None
    size_bytes: int


class EventLog(Protocol):
    """The log every consumer reads. ``start`` returns when ready; ``close`` is idempotent."""

    async def start(self) -> None:
        """Open the log; return when appends and reads can be made."""
        ...

    async def close(self) -> None:
        """Commit what is queued and close; calling it again does nothing."""
        ...

    async def append(self, events: Sequence[Event]) -> AppendResult:
        """Store the new events durably; return once they are committed."""
        ...

    async def read_after(
        self, seq: int, *, limit: int = 500, where: EventFilter | None = None
    ) -> list[LoggedEvent]:
        """Return events with seq greater than `seq`, oldest first."""
        ...

    async def offset(self, consumer: str) -> int:
        """Return the last seq `consumer` committed (0 if it never did)."""
        ...

    async def commit(self, consumer: str, seq: int) -> None:
        """Durably record that `consumer` has handled everything up to `seq`."""
        ...

    async def sessions(
        self, *, creator_id: str | None = None, platform: str | None = None, limit: int = 100
    ) -> list[Session]:
        """Return sessions, newest first."""
        ...

    async def between(
        self, start: datetime, end: datetime, *, where: EventFilter | None = None, limit: int = 1000
    ) -> list[LoggedEvent]:
        """Return events whose ``occurred_at`` is in [start, end), oldest first."""
        ...

    async def page(
        self,
        *,
        cursor: int | None = None,
        limit: int = 100,
        where: EventFilter | None = None,
        backwards: bool = False,
    ) -> Page:
        """Return a page after `cursor` (or before it, going backwards), for scrolling."""
        ...

    async def tail(self, limit: int, *, where: EventFilter | None = None) -> list[LoggedEvent]:
        """Return the newest `limit` events, oldest first."""
        ...

    async def prune(self, now: datetime) -> int:
        """Apply the retention policy; return how many events were removed."""
        ...

    async def stats(self) -> LogStats:
        """Return totals for the snapshot and metrics."""
        ...
