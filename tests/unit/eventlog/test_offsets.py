from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from streamsuites.eventlog import EventFilter
from streamsuites.eventlog.sqlite import SqliteEventLog
from tests.unit.eventlog.factory import ban, chat

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.asyncio
async def test_a_consumer_without_a_commit_is_at_zero(log: SqliteEventLog) -> None:
    assert await log.offset("overlay") == 0


@pytest.mark.asyncio
async def test_offsets_are_kept_per_consumer(log: SqliteEventLog) -> None:
    await log.append([chat(n) for n in range(5)])
    await log.commit("triggers", 4)
    await log.commit("overlay", 2)
    await log.commit("overlay", 3)
    assert (await log.offset("triggers"), await log.offset("overlay")) == (4, 3)


@pytest.mark.asyncio
async def test_a_negative_offset_is_refused(log: SqliteEventLog) -> None:
    with pytest.raises(ValueError, match="negative"):
        await log.commit("overlay", -1)


@pytest.mark.asyncio
async def test_read_after_respects_limit_and_filter(log: SqliteEventLog) -> None:
    await log.append([chat(1), ban(2), chat(3), ban(4), chat(5)])
    assert [e.seq for e in await log.read_after(1, limit=2)] == [2, 3]
    bans = await log.read_after(0, where=EventFilter(kinds=("moderation",)))
    assert [e.seq for e in bans] == [2, 4]


@pytest.mark.asyncio
async def test_a_consumer_resumes_after_its_offset_across_restart(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    log = SqliteEventLog(path)
    await log.start()
    await log.append([chat(n) for n in range(10)])
    handled = await log.read_after(await log.offset("reducer"), limit=4)
    await log.commit("reducer", handled[-1].seq)
    await log.close()

    log = SqliteEventLog(path)
    await log.start()
    rest = await log.read_after(await log.offset("reducer"))
    await log.close()
    assert [e.seq for e in handled + rest] == list(range(1, 11))
