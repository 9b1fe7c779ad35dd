from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import pytest_asyncio

from streamsuites.actions.database import ActionDatabase
from streamsuites.eventlog.sqlite import SqliteEventLog
from streamsuites.state.runtime_state import RuntimeState
from streamsuites.testing.clock import FakeClock

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "streamsuites.db"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def state(clock: FakeClock) -> RuntimeState:
    return RuntimeState(started_at=clock.time())


@pytest_asyncio.fixture
async def log(db_path: Path) -> AsyncIterator[SqliteEventLog]:
    event_log = SqliteEventLog(db_path)
    await event_log.start()
    yield event_log
    await event_log.close()


@pytest_asyncio.fixture
async def db(db_path: Path, log: SqliteEventLog) -> AsyncIterator[ActionDatabase]:
    """The actions' connection, opened after the event log as the runtime does."""
    database = ActionDatabase(db_path)
    await database.start()
    yield database
    await database.close()
