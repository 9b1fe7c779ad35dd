"""The default event log: one SQLite file in WAL mode, one writer thread, group commit.

See ``docs/eventlog.md`` for the schema, durability, de-duplication, sessions, offsets and
retention. In short: :meth:`SqliteEventLog.append` returns only after its events are committed
(with ``synchronous=FULL`` the WAL is fsynced, so they survive a kill -9 and a power loss);
events whose ``event_id`` is already stored are counted as duplicates and not stored again.
"""

from __future__ import annotations

import asyncio
import enum
from concurrent.futures import Future
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, Final, TypeVar

from streamsuites.config.model import Retention
from streamsuites.errors import ComponentStateError
from streamsuites.eventlog import _queries, _retention
from streamsuites.eventlog._readers import ReaderPool
from streamsuites.eventlog._schema import to_us
from streamsuites.eventlog._writer import AppendJob, CallJob, OffsetJob, Writer

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable, Sequence
    from datetime import datetime
    from pathlib import Path

    from streamsuites.eventlog import (
        AppendResult,
        EventFilter,
        LoggedEvent,
        LogStats,
        Page,
        Session,
    )
    from streamsuites.events import Event

__all__ = ["DEFAULT_MAX_BATCH", "SqliteEventLog"]

DEFAULT_MAX_BATCH: Final = 20_000
"""Most events one transaction takes; bounds the latency of a group commit."""

T = TypeVar("T")


class _State(enum.Enum):
    NEW = enum.auto()
    STARTING = enum.auto()
    RUNNING = enum.auto()
    CLOSED = enum.auto()


class SqliteEventLog:
    """An :class:`~streamsuites.eventlog.EventLog` kept in one SQLite file.

    `synchronous` is SQLite's setting for the write connection: ``FULL`` (default) fsyncs the
    WAL on every commit; ``NORMAL`` survives a crash of the process but may lose the last
    commits on power loss. `readers` is the number of reader threads.
    """

    def __init__(
        self,
        path: Path,
        *,
        retention: Retention = Retention(),  # noqa: B008 - frozen, safe to share
        session_gap: timedelta = timedelta(minutes=30),  # noqa: B008 - immutable
        synchronous: str = "FULL",
        max_batch: int = DEFAULT_MAX_BATCH,
        readers: int = 2,
    ) -> None:
        if max_batch < 1 or readers < 1:
            raise ValueError("max_batch and readers must be at least 1")
        self.path = path
        self.retention = retention
        self._writer = Writer(
            path,
            synchronous=synchronous,
            session_gap_us=session_gap // timedelta(microseconds=1),
            max_batch=max_batch,
        )
        self._readers = ReaderPool(path, readers)
        self._state = _State.NEW

    async def start(self) -> None:
        """Open (or create) the database and start the writer; return when ready."""
        if self._state is not _State.NEW:
            raise ComponentStateError(f"event log cannot start: it is {self._state.name}")
        self._state = _State.STARTING
        ready: Future[None] = Future()
        self._writer.start(ready)
        try:
            await asyncio.wrap_future(ready)
        except BaseException:
            self._state = _State.CLOSED
            await asyncio.to_thread(self._readers.close)
            raise
        self._state = _State.RUNNING

    async def close(self) -> None:
        """Commit every queued append, stop the writer and close; a second call does nothing."""
        if self._state is _State.STARTING:
            raise ComponentStateError("event log is still starting")
        if self._state is not _State.RUNNING:
            self._state = _State.CLOSED
            return
        self._state = _State.CLOSED
        self._writer.stop()
        await asyncio.to_thread(self._writer.join)
        await asyncio.to_thread(self._readers.close)

    async def append(self, events: Sequence[Event]) -> AppendResult:
        """Store the new events; return once they are committed (duplicates are counted)."""
        future: Future[AppendResult] = Future()
        self._submit(AppendJob(events=events, future=future))
        return await asyncio.wrap_future(future)

    async def commit(self, consumer: str, seq: int) -> None:
        """Durably record that `consumer` has handled everything up to `seq`."""
        if seq < 0:
            raise ValueError(f"offset must not be negative: {seq}")
        future: Future[None] = Future()
        self._submit(OffsetJob(consumer=consumer, seq=seq, future=future))
        await asyncio.wrap_future(future)

    async def prune(self, now: datetime) -> int:
        """Apply the retention policy as of `now`; return how many events were removed."""
        return await self._write(
            partial(_retention.prune, retention=self.retention, now_us=to_us(now))
        )

    async def offset(self, consumer: str) -> int:
        """Return the last seq `consumer` committed (0 if it never did)."""
        return await self._read(partial(_queries.offset, consumer=consumer))

    async def read_after(
        self, seq: int, *, limit: int = 500, where: EventFilter | None = None
    ) -> list[LoggedEvent]:
        """Return events with seq greater than `seq`, oldest first."""
        return await self._read(partial(_queries.read_after, seq=seq, limit=limit, where=where))

    async def sessions(
        self, *, creator_id: str | None = None, platform: str | None = None, limit: int = 100
    ) -> list[Session]:
        """Return sessions, the most recently started first."""
        read = partial(_queries.sessions, creator_id=creator_id, platform=platform, limit=limit)
        return await self._read(read)

    async def between(
        self, start: datetime, end: datetime, *, where: EventFilter | None = None, limit: int = 1000
    ) -> list[LoggedEvent]:
        """Return events whose ``occurred_at`` is in [start, end), oldest first."""
        read = partial(
            _queries.between, start_us=to_us(start), end_us=to_us(end), where=where, limit=limit
        )
        return await self._read(read)

    async def page(
        self,
        *,
        cursor: int | None = None,
        limit: int = 100,
        where: EventFilter | None = None,
        backwards: bool = False,
    ) -> Page:
        """Return a page after `cursor` (or before it, going backwards), in seq order."""
        read = partial(_queries.page, cursor=cursor, limit=limit, where=where, backwards=backwards)
        return await self._read(read)

    async def tail(self, limit: int, *, where: EventFilter | None = None) -> list[LoggedEvent]:
        """Return the newest `limit` events, oldest first."""
        return await self._read(partial(_queries.tail, limit=limit, where=where))

    async def stats(self) -> LogStats:
        """Return totals for the snapshot and metrics (``size_bytes`` counts live pages)."""
        return await self._read(_queries.stats)

    def _submit(self, job: AppendJob | OffsetJob | CallJob) -> None:
        self._check_running()
        self._writer.submit(job)

    async def _write(self, call: Callable[[sqlite3.Connection], T]) -> T:
        future: Future[Any] = Future()
        self._submit(CallJob(call=call, future=future))
        result: T = await asyncio.wrap_future(future)
        return result

    async def _read(self, read: Callable[[sqlite3.Connection], T]) -> T:
        self._check_running()
        return await self._readers.run(read)

    def _check_running(self) -> None:
        if self._state is not _State.RUNNING:
            raise ComponentStateError(f"event log is {self._state.name.lower()}, not running")
