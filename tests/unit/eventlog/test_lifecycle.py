from __future__ import annotations

import asyncio
import sqlite3
from typing import TYPE_CHECKING

import pytest

from streamsuites.errors import ComponentStateError, Error
from streamsuites.eventlog.sqlite import SqliteEventLog
from tests.unit.eventlog.factory import chat

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.asyncio
async def test_start_creates_the_folder_and_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "events.db"
    log = SqliteEventLog(path)
    await log.start()
    await log.close()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone() == (1,)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        conn.close()


@pytest.mark.asyncio
async def test_using_the_log_before_start_is_an_error(tmp_path: Path) -> None:
    log = SqliteEventLog(tmp_path / "events.db")
    with pytest.raises(ComponentStateError):
        await log.append([chat(1)])
    with pytest.raises(ComponentStateError):
        await log.tail(5)


@pytest.mark.asyncio
async def test_using_the_log_after_close_is_an_error(log: SqliteEventLog) -> None:
    await log.close()
    with pytest.raises(ComponentStateError):
        await log.append([chat(1)])
    with pytest.raises(ComponentStateError):
        await log.offset("overlay")
    with pytest.raises(ComponentStateError):
        await log.start()


@pytest.mark.asyncio
async def test_start_twice_is_an_error(log: SqliteEventLog) -> None:
    with pytest.raises(ComponentStateError):
        await log.start()


@pytest.mark.asyncio
async def test_close_is_idempotent(tmp_path: Path) -> None:
    never_started = SqliteEventLog(tmp_path / "a.db")
    await never_started.close()
    await never_started.close()
    log = SqliteEventLog(tmp_path / "b.db")
    await log.start()
    await log.close()
    await log.close()


@pytest.mark.asyncio
async def test_close_commits_the_queued_appends(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    log = SqliteEventLog(path)
    await log.start()
    pending = [asyncio.create_task(log.append([chat(n)])) for n in range(50)]
    await asyncio.sleep(0)  # every append is queued
    await log.close()
    results = await asyncio.gather(*pending)
    assert sorted(r.appended[0].seq for r in results) == list(range(1, 51))
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT COUNT(*) FROM events").fetchone() == (50,)
    finally:
        conn.close()


@pytest.mark.asyncio
async def test_a_log_that_cannot_open_fails_to_start(tmp_path: Path) -> None:
    (tmp_path / "events.db").mkdir()
    log = SqliteEventLog(tmp_path / "events.db")
    with pytest.raises(sqlite3.Error):
        await log.start()
    await log.close()


@pytest.mark.asyncio
async def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(Error, match="schema version 99"):
        await SqliteEventLog(path).start()


def test_bad_settings_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="max_batch"):
        SqliteEventLog(tmp_path / "events.db", max_batch=0)


@pytest.mark.asyncio
async def test_a_bad_synchronous_mode_fails_start(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="synchronous"):
        await SqliteEventLog(tmp_path / "events.db", synchronous="SOMETIMES").start()
