from __future__ import annotations

import asyncio
import sqlite3
import threading
from typing import TYPE_CHECKING

import pytest

from streamsuites.eventlog.sqlite import SqliteEventLog
from tests.unit.eventlog.factory import ban, chat

if TYPE_CHECKING:
    from pathlib import Path

    from streamsuites.events import Event

_FAIL_ON_BAD = (
    "CREATE TRIGGER fail_bad BEFORE INSERT ON events WHEN NEW.creator_id = 'bad'"
    " BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
)


@pytest.mark.asyncio
async def test_append_gives_increasing_seqs_in_input_order(log: SqliteEventLog) -> None:
    events: list[Event] = [chat(3), ban(1), chat(2)]
    result = await log.append(events)
    assert [item.event for item in result.appended] == events
    assert [item.seq for item in result.appended] == [1, 2, 3]
    assert result.duplicates == 0


@pytest.mark.asyncio
async def test_read_back_equals_what_was_appended(log: SqliteEventLog) -> None:
    events: list[Event] = [chat(1, stream_id="s1"), ban(2)]
    appended = (await log.append(events)).appended
    assert await log.read_after(0) == list(appended)


@pytest.mark.asyncio
async def test_duplicates_within_one_append_are_dropped(log: SqliteEventLog) -> None:
    result = await log.append([chat(1), chat(2), chat(1), chat(1)])
    assert [item.event.event_id for item in result.appended] == ["twitch:m1", "twitch:m2"]
    assert result.duplicates == 2


@pytest.mark.asyncio
async def test_duplicates_across_appends_are_dropped(log: SqliteEventLog) -> None:
    await log.append([chat(1), chat(2)])
    result = await log.append([chat(2), chat(3), chat(1)])
    assert [item.event.event_id for item in result.appended] == ["twitch:m3"]
    assert result.appended[0].seq == 3
    assert result.duplicates == 2
    assert (await log.stats()).event_count == 3


@pytest.mark.asyncio
async def test_empty_append_does_nothing(log: SqliteEventLog) -> None:
    result = await log.append([])
    assert result.appended == ()
    assert result.duplicates == 0


@pytest.mark.asyncio
async def test_duplicates_are_dropped_across_restart(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    first = SqliteEventLog(path)
    await first.start()
    await first.append([chat(n) for n in range(1, 6)])
    await first.close()
    second = SqliteEventLog(path)
    await second.start()
    result = await second.append([chat(n) for n in range(4, 9)])
    await second.close()
    assert result.duplicates == 2
    assert [item.seq for item in result.appended] == [6, 7, 8]


@pytest.mark.asyncio
async def test_concurrent_appends_store_each_event_once(log: SqliteEventLog) -> None:
    # 40 tasks, each appending a window that overlaps its neighbours'.
    windows = [[chat(n) for n in range(start, start + 25)] for start in range(0, 400, 10)]
    results = await asyncio.gather(*(log.append(window) for window in windows))
    seqs = sorted(item.seq for result in results for item in result.appended)
    distinct = len({n for start in range(0, 400, 10) for n in range(start, start + 25)})
    assert seqs == list(range(1, distinct + 1))
    assert sum(result.duplicates for result in results) == 40 * 25 - distinct
    assert (await log.stats()).event_count == distinct


@pytest.mark.asyncio
async def test_a_failing_transaction_fails_the_append(log: SqliteEventLog) -> None:
    _inject_failure(log.path)
    with pytest.raises(sqlite3.IntegrityError, match="injected failure"):
        await log.append([chat(1), ban(666, creator="bad")])
    assert (await log.stats()).event_count == 0


@pytest.mark.asyncio
async def test_a_failing_group_fails_every_waiting_append(log: SqliteEventLog) -> None:
    _inject_failure(log.path)
    gate = threading.Event()
    blocker = asyncio.create_task(log._write(lambda _conn: gate.wait(5)))
    appends = [
        asyncio.create_task(log.append(events))
        for events in ([chat(1)], [ban(2, creator="bad")], [chat(3)])
    ]
    await asyncio.sleep(0)  # every append is queued behind the blocker: one group
    gate.set()
    await blocker
    outcomes = await asyncio.gather(*appends, return_exceptions=True)
    assert all(isinstance(outcome, sqlite3.IntegrityError) for outcome in outcomes)
    assert (await log.stats()).event_count == 0


@pytest.mark.asyncio
async def test_the_log_works_on_after_a_failed_transaction(log: SqliteEventLog) -> None:
    await log.append([chat(1)])
    _inject_failure(log.path)
    with pytest.raises(sqlite3.IntegrityError):
        await log.append([chat(2), ban(3, creator="bad")])
    result = await log.append([chat(2), chat(4)])
    assert [item.seq for item in result.appended] == [2, 3]
    (session,) = await log.sessions()
    assert (session.event_count, session.first_seq, session.last_seq) == (3, 1, 3)


def _inject_failure(path: Path) -> None:
    """Make every insert of an event whose creator is 'bad' abort its transaction."""
    conn = sqlite3.connect(path)
    try:
        conn.execute(_FAIL_ON_BAD)
        conn.commit()
    finally:
        conn.close()
