from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from streamsuites.eventlog.sqlite import SqliteEventLog
from tests.unit.eventlog.factory import BASE, chat

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.asyncio
async def test_events_with_a_stream_id_share_that_streams_session(log: SqliteEventLog) -> None:
    # Hours apart, but the platform says it is the same broadcast.
    result = await log.append(
        [chat(1, stream_id="b1"), chat(2, stream_id="b2"), chat(90_000, stream_id="b1")]
    )
    first, second, third = (item.session_id for item in result.appended)
    assert first == third != second
    sessions = {s.session_id: s for s in await log.sessions()}
    assert sessions[first].stream_id == "b1"
    assert sessions[first].event_count == 2
    assert (sessions[first].first_seq, sessions[first].last_seq) == (1, 3)


@pytest.mark.asyncio
async def test_a_gap_longer_than_session_gap_starts_a_new_session(log: SqliteEventLog) -> None:
    gap = 30 * 60
    result = await log.append([chat(0), chat(gap), chat(2 * gap + 1), chat(2 * gap + 2)])
    ids = [item.session_id for item in result.appended]
    assert ids[0] == ids[1] != ids[2] == ids[3]
    newest, oldest = await log.sessions()
    assert (oldest.started_at, oldest.ended_at) == (BASE, BASE + timedelta(seconds=gap))
    assert (newest.event_count, newest.first_seq, newest.stream_id) == (2, 3, None)


@pytest.mark.asyncio
async def test_sessions_are_kept_per_creator_platform_and_channel(log: SqliteEventLog) -> None:
    await log.append(
        [
            chat(1),
            chat(2, creator="bob", channel="bob"),
            chat(3, platform="kick"),
            chat(4, channel="alice_alt"),
        ]
    )
    assert len(await log.sessions()) == 4
    assert [s.creator_id for s in await log.sessions(creator_id="bob")] == ["bob"]
    kick = await log.sessions(creator_id="alice", platform="kick")
    assert [(s.platform, s.first_seq) for s in kick] == [("kick", 3)]


@pytest.mark.asyncio
async def test_sessions_are_listed_newest_first_up_to_limit(log: SqliteEventLog) -> None:
    await log.append([chat(n * 3600) for n in range(5)])
    sessions = await log.sessions(limit=3)
    assert [s.first_seq for s in sessions] == [5, 4, 3]


@pytest.mark.asyncio
async def test_a_session_continues_across_restart(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    ids: list[str] = []
    for n in (1, 2):
        log = SqliteEventLog(path, session_gap=timedelta(minutes=5))
        await log.start()
        ids.append((await log.append([chat(n)])).appended[0].session_id)
        await log.close()
    assert ids[0] == ids[1]
