from __future__ import annotations

from typing import TYPE_CHECKING

import pytest_asyncio

from streamsuites.eventlog.sqlite import SqliteEventLog

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path


@pytest_asyncio.fixture
async def log(tmp_path: Path) -> AsyncIterator[SqliteEventLog]:
    """A started log in a fresh file, closed after the test."""
    event_log = SqliteEventLog(tmp_path / "log" / "events.db")
    await event_log.start()
    yield event_log
    await event_log.close()
