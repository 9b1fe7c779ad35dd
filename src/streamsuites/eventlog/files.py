"""Event files: one canonical JSON event per line.

``streamsuites log export`` writes them and ``streamsuites simulate`` reads them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from streamsuites.eventlog import EventFilter
from streamsuites.events import decode_event, encode_event

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator
    from datetime import datetime
    from pathlib import Path
    from typing import BinaryIO

    from streamsuites.eventlog import EventLog
    from streamsuites.events import Event

__all__ = ["EventFileError", "export_events", "logged_events", "read_events_file"]

_PAGE = 1000


class EventFileError(ValueError):
    """A line of an event file is not a canonical event; the message names file and line."""


def read_events_file(path: Path) -> Iterator[Event]:
    """Yield the events of a JSON-lines event file in order; blank lines are skipped."""
    with path.open("rb") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                yield _decode_line(path, number, line)


def _decode_line(path: Path, number: int, line: bytes) -> Event:
    try:
        return decode_event(line)
    except (msgspec.DecodeError, msgspec.ValidationError, ValueError) as exc:
        raise EventFileError(f"{path}: line {number}: not an event: {exc}") from None


async def logged_events(log: EventLog, where: EventFilter | None = None) -> AsyncIterator[Event]:
    """Yield every event in the log matching `where`, oldest first, a page at a time."""
    after = 0
    while page := await log.read_after(after, limit=_PAGE, where=where):
        for logged in page:
            yield logged.event
        after = page[-1].seq


async def export_events(
    log: EventLog,
    out: BinaryIO,
    *,
    where: EventFilter | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> int:
    """Write matching events to `out` as canonical JSON lines; return how many were written."""
    written = 0
    async for event in logged_events(log, where or EventFilter()):
        if (since and event.occurred_at < since) or (until and event.occurred_at >= until):
            continue
        out.write(encode_event(event) + b"\n")
        written += 1
    return written
