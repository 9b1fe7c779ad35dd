from __future__ import annotations

from datetime import timedelta

import pytest

from streamsuites.eventlog import EventFilter
from streamsuites.eventlog.sqlite import SqliteEventLog
from tests.unit.eventlog.factory import BASE, ban, chat


async def _fill(log: SqliteEventLog) -> None:
    # seq 1..10: alice on twitch (bans at 4 and 8), then bob's 11..15 on kick.
    await log.append([ban(n) if n % 4 == 0 else chat(n) for n in range(1, 11)])
    await log.append([chat(n, creator="bob", platform="kick") for n in range(11, 16)])


@pytest.mark.asyncio
async def test_between_is_half_open_and_ordered_by_time(log: SqliteEventLog) -> None:
    await log.append([chat(5), chat(1), chat(3), chat(9)])
    found = await log.between(BASE + timedelta(seconds=1), BASE + timedelta(seconds=9))
    assert [e.event.event_id for e in found] == ["twitch:m1", "twitch:m3", "twitch:m5"]


@pytest.mark.asyncio
async def test_between_filters_and_limits(log: SqliteEventLog) -> None:
    await _fill(log)
    start, end = BASE, BASE + timedelta(hours=1)
    bans = await log.between(start, end, where=EventFilter(kinds=("moderation",)))
    assert [e.seq for e in bans] == [4, 8]
    bob = await log.between(start, end, where=EventFilter(creator_id="bob"), limit=2)
    assert [e.seq for e in bob] == [11, 12]


@pytest.mark.asyncio
async def test_page_forwards_visits_every_event_once(log: SqliteEventLog) -> None:
    await _fill(log)
    seen: list[int] = []
    cursor: int | None = None
    while True:
        page = await log.page(cursor=cursor, limit=4)
        seen += [e.seq for e in page.events]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == list(range(1, 16))


@pytest.mark.asyncio
async def test_page_backwards_from_the_end(log: SqliteEventLog) -> None:
    await _fill(log)
    first = await log.page(limit=6, backwards=True)
    assert [e.seq for e in first.events] == list(range(10, 16))
    assert first.next_cursor == 10
    second = await log.page(cursor=first.next_cursor, limit=6, backwards=True)
    assert [e.seq for e in second.events] == list(range(4, 10))
    last = await log.page(cursor=second.next_cursor, limit=6, backwards=True)
    assert ([e.seq for e in last.events], last.next_cursor) == ([1, 2, 3], None)


@pytest.mark.asyncio
async def test_page_with_a_filter(log: SqliteEventLog) -> None:
    await _fill(log)
    where = EventFilter(creator_id="alice", platform="twitch", kinds=("chat_message",))
    page = await log.page(cursor=3, limit=3, where=where)
    assert ([e.seq for e in page.events], page.next_cursor) == ([5, 6, 7], 7)
    back = await log.page(cursor=9, limit=10, where=where, backwards=True)
    assert ([e.seq for e in back.events], back.next_cursor) == ([1, 2, 3, 5, 6, 7], None)


@pytest.mark.asyncio
async def test_page_by_session(log: SqliteEventLog) -> None:
    await _fill(log)
    (bob,) = await log.sessions(creator_id="bob")
    page = await log.page(where=EventFilter(session_id=bob.session_id))
    assert [e.seq for e in page.events] == list(range(11, 16))
    assert page.next_cursor is None


@pytest.mark.asyncio
async def test_tail_returns_the_newest_oldest_first(log: SqliteEventLog) -> None:
    await _fill(log)
    assert [e.seq for e in await log.tail(3)] == [13, 14, 15]
    alice = await log.tail(2, where=EventFilter(creator_id="alice"))
    assert [e.seq for e in alice] == [9, 10]


@pytest.mark.asyncio
async def test_stats(log: SqliteEventLog) -> None:
    empty = await log.stats()
    assert (empty.event_count, empty.last_seq, empty.last_event_at) == (0, 0, None)
    await _fill(log)
    stats = await log.stats()
    assert (stats.event_count, stats.last_seq) == (15, 15)
    assert stats.last_event_at == BASE + timedelta(seconds=15)
    assert stats.size_bytes > 0
