"""The one writer thread: it owns the write connection and commits appends in groups.

Callers put jobs on a queue and wait on a :class:`concurrent.futures.Future`. The thread takes
everything already queued (up to ``max_batch`` events) into one transaction, so many concurrent
appends share one commit and one fsync ("group commit"). A future is resolved only after its
transaction committed; when a transaction fails, every future of the group gets the exception.
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, TypeAlias

from streamsuites.errors import ComponentStateError
from streamsuites.eventlog import AppendResult, LoggedEvent
from streamsuites.eventlog._schema import connect_writer, event_key, to_us
from streamsuites.eventlog._sessions import SessionTracker
from streamsuites.events import encode_event, event_kind

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable, Iterable, Sequence
    from concurrent.futures import Future
    from pathlib import Path

    from streamsuites.eventlog._sessions import SessionBatch
    from streamsuites.events import Event

__all__ = ["AppendJob", "CallJob", "OffsetJob", "Writer"]

_log = logging.getLogger(__name__)

_IN_CHUNK: Final = 500
"""Ids per ``IN (...)`` lookup; far below SQLite's limit on bound parameters."""
_INSERT: Final = (
    "INSERT INTO events (seq, event_id, event_key, creator_id, platform, channel, kind,"
    " session_id, occurred_at_us, received_at_us, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_SET_LAST_SEQ: Final = "UPDATE meta SET value = ? WHERE key = 'last_seq'"
_SET_OFFSET: Final = (
    "INSERT INTO offsets (consumer, seq) VALUES (?, ?)"
    " ON CONFLICT (consumer) DO UPDATE SET seq = excluded.seq"
)


@dataclass(slots=True, frozen=True)
class AppendJob:
    """Store `events`; the future gets the :class:`AppendResult`."""

    events: Sequence[Event]
    future: Future[AppendResult]


@dataclass(slots=True, frozen=True)
class OffsetJob:
    """Record `consumer`'s offset; it shares a transaction with neighbouring appends."""

    consumer: str
    seq: int
    future: Future[None]


@dataclass(slots=True, frozen=True)
class CallJob:
    """Run `call` alone with the write connection (it manages its own transaction)."""

    call: Callable[[sqlite3.Connection], Any]
    future: Future[Any]


class _Stop:
    """Asks the thread to stop once everything queued before it is done."""


_STOP: Final = _Stop()
_GroupJob: TypeAlias = AppendJob | OffsetJob
_Job: TypeAlias = AppendJob | OffsetJob | CallJob | _Stop


class Writer:
    """The writer thread and its queue."""

    def __init__(
        self, path: Path, *, synchronous: str, session_gap_us: int, max_batch: int
    ) -> None:
        self._path = path
        self._synchronous = synchronous
        self._max_batch = max_batch
        self._sessions = SessionTracker(session_gap_us)
        self._queue: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._last_seq = 0
        self._thread = threading.Thread(target=self._run, name="eventlog-writer", daemon=True)
        self._ready: Future[None] | None = None
        self._broken: BaseException | None = None

    def start(self, ready: Future[None]) -> None:
        """Start the thread; `ready` resolves when the database is open (or failed to open)."""
        self._ready = ready
        self._thread.start()

    def submit(self, job: AppendJob | OffsetJob | CallJob) -> None:
        """Queue `job` for the writer thread."""
        if self._broken is not None:
            raise ComponentStateError("event log writer stopped") from self._broken
        self._queue.put(job)

    def stop(self) -> None:
        """Ask the thread to finish the queued jobs, then stop."""
        self._queue.put(_STOP)

    def join(self) -> None:
        """Wait for the thread to end."""
        self._thread.join()

    def _run(self) -> None:
        assert self._ready is not None
        try:
            conn = connect_writer(self._path, synchronous=self._synchronous)
            self._last_seq = _load_last_seq(conn)
        except BaseException as exc:
            self._ready.set_exception(exc)
            return
        self._ready.set_result(None)
        try:
            self._serve(conn)
        except BaseException as exc:
            _log.exception("event log writer failed; failing queued jobs")
            self._broken = exc
            self._fail_queued(exc)
        finally:
            conn.close()

    def _serve(self, conn: sqlite3.Connection) -> None:
        carry: _Job | None = None
        while True:
            job = carry if carry is not None else self._queue.get()
            if isinstance(job, _Stop):
                return
            if isinstance(job, CallJob):
                carry = None
                self._call(conn, job)
                continue
            group, carry = self._gather(job)
            self._write_group(conn, group)

    def _gather(self, first: _GroupJob) -> tuple[list[_GroupJob], _Job | None]:
        """Take `first` and whatever else is queued, up to ``max_batch`` events."""
        group = [first]
        size = _size(first)
        while size < self._max_batch:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                break
            if isinstance(job, CallJob | _Stop):
                return group, job
            group.append(job)
            size += _size(job)
        return group, None

    def _call(self, conn: sqlite3.Connection, job: CallJob) -> None:
        if not job.future.set_running_or_notify_cancel():
            return
        try:
            result = job.call(conn)
        except BaseException as exc:
            _rollback(conn)
            job.future.set_exception(exc)
        else:
            job.future.set_result(result)
        finally:
            # A call may rewrite the sessions table (retention); re-read it lazily.
            self._sessions.clear()

    def _write_group(self, conn: sqlite3.Connection, group: list[_GroupJob]) -> None:
        live = [job for job in group if job.future.set_running_or_notify_cancel()]
        if not live:
            return
        appends = [job for job in live if isinstance(job, AppendJob)]
        try:
            conn.execute("BEGIN IMMEDIATE")
            results, batch, last_seq = self._insert(conn, appends)
            conn.executemany(
                _SET_OFFSET, [(j.consumer, j.seq) for j in live if isinstance(j, OffsetJob)]
            )
            conn.execute("COMMIT")
        except BaseException as exc:
            _rollback(conn)
            for job in live:
                job.future.set_exception(exc)
            return
        self._last_seq = last_seq
        self._sessions.committed(batch.rows)
        _resolve(live, iter(results))

    def _insert(
        self, conn: sqlite3.Connection, jobs: list[AppendJob]
    ) -> tuple[list[AppendResult], SessionBatch, int]:
        """Insert the new events of `jobs`; return their results, sessions and the last seq."""
        seen = _existing(conn, {event.event_id for job in jobs for event in job.events})
        batch = self._sessions.batch(conn)
        rows: list[tuple[object, ...]] = []
        results: list[AppendResult] = []
        seq = self._last_seq
        for job in jobs:
            result = _place(job.events, seen, batch, rows, seq)
            seq += len(result.appended)
            results.append(result)
        if rows:
            conn.executemany(_INSERT, rows)
            batch.flush()
            conn.execute(_SET_LAST_SEQ, (seq,))
        return results, batch, seq

    def _fail_queued(self, exc: BaseException) -> None:
        while True:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                return
            if not isinstance(job, _Stop) and job.future.set_running_or_notify_cancel():
                job.future.set_exception(exc)


def _place(
    events: Sequence[Event],
    seen: set[str],
    batch: SessionBatch,
    rows: list[tuple[object, ...]],
    seq: int,
) -> AppendResult:
    """Give each new event of one append the next seq and its session; add its row to `rows`."""
    appended: list[LoggedEvent] = []
    duplicates = 0
    for event in events:
        event_id = event.event_id
        if event_id in seen:
            duplicates += 1
            continue
        seen.add(event_id)
        seq += 1
        occurred_us = to_us(event.occurred_at)
        creator, platform, channel = event.creator_id, event.platform, event.channel
        session_id = batch.assign(creator, platform, channel, event.stream_id, occurred_us, seq)
        rows.append((
            seq, event_id, event_key(event_id), creator, platform, channel, event_kind(event),
            session_id, occurred_us, to_us(event.received_at), encode_event(event),
        ))  # fmt: skip
        appended.append(LoggedEvent(seq=seq, session_id=session_id, event=event))
    return AppendResult(appended=tuple(appended), duplicates=duplicates)


def _existing(conn: sqlite3.Connection, ids: set[str]) -> set[str]:
    """Return which of `ids` are already stored."""
    wanted = list(ids)
    found: set[str] = set()
    for start in range(0, len(wanted), _IN_CHUNK):
        chunk = wanted[start : start + _IN_CHUNK]
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT event_id FROM events WHERE event_key IN ({marks})"
        found.update(row[0] for row in conn.execute(sql, [event_key(i) for i in chunk]))
    return found


def _load_last_seq(conn: sqlite3.Connection) -> int:
    (stored,) = conn.execute("SELECT value FROM meta WHERE key = 'last_seq'").fetchone()
    (highest,) = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()
    return max(int(stored), int(highest))


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        conn.execute("ROLLBACK")


def _resolve(jobs: Iterable[_GroupJob], results: Iterable[AppendResult]) -> None:
    """Hand each append its result (in group order) and each offset commit ``None``."""
    pending = iter(results)
    for job in jobs:
        if isinstance(job, AppendJob):
            job.future.set_result(next(pending))
        else:
            job.future.set_result(None)


def _size(job: _GroupJob) -> int:
    return len(job.events) if isinstance(job, AppendJob) else 1
