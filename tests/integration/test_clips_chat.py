"""A clip's event-log range, read from a real SQLite event log."""

from __future__ import annotations

from pathlib import Path

import pytest

from streamsuites.clips import EventRange, event_log_range
from streamsuites.eventlog import EventFilter
from streamsuites.eventlog.sqlite import SqliteEventLog
from tests.unit.eventlog.factory import BASE, chat

T = BASE.timestamp()


@pytest.mark.asyncio
async def test_the_range_covers_the_events_inside_the_clip(tmp_path: Path) -> None:
    log = SqliteEventLog(tmp_path / "events.db")
    await log.start()
    try:
        appended = await log.append([chat(n) for n in range(10)])  # one per second from T
        await log.append([chat(100, creator="bob")])
        seqs = [e.seq for e in appended.appended]
        lookup = event_log_range(log, EventFilter(creator_id="alice"))
        assert await lookup(T + 2.5, T + 6.5) == EventRange(first_seq=seqs[3], last_seq=seqs[6])
        assert await lookup(T + 8.0, T + 60.0) == EventRange(first_seq=seqs[8], last_seq=seqs[9])
        assert await lookup(T + 20.0, T + 30.0) is None
    finally:
        await log.close()
