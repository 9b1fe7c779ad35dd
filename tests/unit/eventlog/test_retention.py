from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from streamsuites.config.model import Retention
from streamsuites.eventlog.sqlite import SqliteEventLog
from tests.unit.eventlog.factory import BASE, chat

if TYPE_CHECKING:
    from pathlib import Path

DAY = 86_400


async def _started(path: Path, retention: Retention) -> SqliteEventLog:
    log = SqliteEventLog(path, retention=retention)
    await log.start()
    return log


@pytest.mark.asyncio
async def test_no_retention_keeps_everything(log: SqliteEventLog) -> None:
    await log.append([chat(n * DAY) for n in range(3)])
    assert await log.prune(BASE + timedelta(days=365)) == 0
    assert (await log.stats()).event_count == 3


@pytest.mark.asyncio
async def test_retention_by_days_drops_older_events(tmp_path: Path) -> None:
    log = await _started(tmp_path / "events.db", Retention(days=2))
    await log.append([chat(n * DAY // 2) for n in range(8)])  # every 12 h over 3.5 days
    await log.commit("overlay", 8)
    removed = await log.prune(BASE + timedelta(days=4))
    remaining = await log.read_after(0)
    await log.close()
    assert removed == 4
    assert [e.seq for e in remaining] == [5, 6, 7, 8]


@pytest.mark.asyncio
async def test_pruning_keeps_sessions_and_offsets_consistent(tmp_path: Path) -> None:
    log = await _started(tmp_path / "events.db", Retention(days=1))
    # Two sessions far apart; the old one goes entirely, the new one partly.
    await log.append([chat(0), chat(60)] + [chat(5 * DAY + n * 600) for n in range(4)])
    await log.commit("reducer", 6)
    await log.prune(BASE + timedelta(days=6, minutes=15))
    (session,) = await log.sessions()
    offset = await log.offset("reducer")
    await log.close()
    assert (session.event_count, session.first_seq, session.last_seq) == (2, 5, 6)
    assert session.started_at == BASE + timedelta(days=5, minutes=20)
    assert offset == 6


@pytest.mark.asyncio
async def test_seqs_are_not_reused_after_everything_was_pruned(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    log = await _started(path, Retention(days=1))
    await log.append([chat(n) for n in range(3)])
    assert await log.prune(BASE + timedelta(days=30)) == 3
    await log.close()
    log = await _started(path, Retention(days=1))
    result = await log.append([chat(10), chat(1)])  # m1 was pruned: it is new again
    stats = await log.stats()
    await log.close()
    assert [e.seq for e in result.appended] == [4, 5]
    assert (stats.event_count, stats.last_seq) == (2, 5)


@pytest.mark.asyncio
async def test_retention_by_size_drops_the_oldest_until_under_the_cap(tmp_path: Path) -> None:
    cap = 400_000
    log = await _started(tmp_path / "events.db", Retention(max_bytes=cap))
    for start in range(0, 6000, 500):
        await log.append([chat(n) for n in range(start, start + 500)])
    before = await log.stats()
    removed = await log.prune(BASE)
    after = await log.stats()
    remaining = await log.read_after(0, limit=10_000)
    await log.close()
    assert before.size_bytes > cap >= after.size_bytes
    assert removed == before.event_count - after.event_count > 0
    assert [e.seq for e in remaining] == list(range(removed + 1, 6001))
    assert (tmp_path / "events.db").stat().st_size < before.size_bytes


@pytest.mark.asyncio
async def test_appends_after_pruning_continue_the_open_session(tmp_path: Path) -> None:
    log = await _started(tmp_path / "events.db", Retention(days=1))
    await log.append([chat(0), chat(DAY * 2)])
    await log.prune(BASE + timedelta(days=2))
    result = await log.append([chat(DAY * 2 + 60)])
    (session,) = await log.sessions()
    await log.close()
    assert result.appended[0].session_id == session.session_id
    assert (session.event_count, session.first_seq, session.last_seq) == (2, 2, 3)
