"""The durable job record: one row per job, keyed by the action that asked for it.

This is the queue's shape, not yet its worker: ``enqueue_clip_job`` actions add ``queued`` rows
(in the same transaction as their audit record), the dashboard reads them as
:class:`~streamsuites.state.jobs.JobView`. Leases, attempts and the clip pipeline come with the
job system; the columns they need are here already so the table can grow without a rewrite.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeVar

from streamsuites.state.jobs import JobView

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable, Mapping

__all__ = [
    "JobRecord",
    "JobStatus",
    "JobStore",
    "SqlRunner",
    "create_table",
    "insert_job",
]

T = TypeVar("T")


class JobStatus(StrEnum):
    """Where a job stands."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    """Stopped on purpose; not a failed try."""


@dataclass(frozen=True, slots=True, kw_only=True)
class JobRecord:
    """One row of the jobs table."""

    job_id: str
    kind: str
    creator_id: str
    payload: dict[str, Any]
    status: JobStatus
    attempts: int
    last_error: str | None
    created_at: float
    updated_at: float

    def view(self) -> JobView:
        """Return what ``jobs.json`` shows of this job."""
        return JobView(
            job_id=self.job_id,
            kind=self.kind,
            status=self.status.value,
            creator_id=self.creator_id,
            created_at=self.created_at,
            updated_at=self.updated_at,
            attempts=self.attempts,
            error=self.last_error,
        )


class SqlRunner(Protocol):
    """Runs calls with a connection to the database holding the jobs table."""

    async def read(self, call: Callable[[sqlite3.Connection], T]) -> T:
        """Run `call` outside an explicit transaction."""
        ...

    async def transact(self, call: Callable[[sqlite3.Connection], T]) -> T:
        """Run `call` in one transaction."""
        ...


_TABLE: Final = """
CREATE TABLE IF NOT EXISTS jobs (
    job_id     TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    creator_id TEXT NOT NULL,
    payload    TEXT NOT NULL,
    status     TEXT NOT NULL
               CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
)"""
_QUEUE_INDEX: Final = (
    "CREATE INDEX IF NOT EXISTS jobs_queued ON jobs (kind, created_at) WHERE status = 'queued'"
)
_COLUMNS: Final = (
    "job_id, kind, creator_id, payload, status, attempts, last_error, created_at, updated_at"
)
_INSERT: Final = (
    "INSERT INTO jobs (job_id, kind, creator_id, payload, status, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, 'queued', ?, ?) ON CONFLICT (job_id) DO NOTHING"
)


def create_table(conn: sqlite3.Connection) -> None:
    """Create the jobs table if it does not exist."""
    conn.execute(_TABLE)
    conn.execute(_QUEUE_INDEX)


def insert_job(
    conn: sqlite3.Connection,
    *,
    job_id: str,
    kind: str,
    creator_id: str,
    payload: Mapping[str, Any],
    now: float,
) -> bool:
    """Queue a job; return False (and change nothing) if `job_id` already exists."""
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return conn.execute(_INSERT, (job_id, kind, creator_id, body, now, now)).rowcount == 1


def _record(row: tuple[Any, ...]) -> JobRecord:
    job_id, kind, creator_id, payload, status, attempts, last_error, created, updated = row
    return JobRecord(
        job_id=job_id,
        kind=kind,
        creator_id=creator_id,
        payload=json.loads(payload),
        status=JobStatus(status),
        attempts=attempts,
        last_error=last_error,
        created_at=created,
        updated_at=updated,
    )


def _get(conn: sqlite3.Connection, job_id: str) -> JobRecord | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
    return None if row is None else _record(row)


def _recent(conn: sqlite3.Connection, limit: int) -> list[JobRecord]:
    sql = f"SELECT {_COLUMNS} FROM jobs ORDER BY updated_at DESC, job_id DESC LIMIT ?"
    return [_record(row) for row in conn.execute(sql, (limit,))]


class JobStore:
    """Async access to the jobs table."""

    def __init__(self, db: SqlRunner) -> None:
        self._db = db

    async def enqueue(
        self, *, job_id: str, kind: str, creator_id: str, payload: Mapping[str, Any], now: float
    ) -> bool:
        """Queue a job in its own transaction; False if `job_id` was already queued."""
        return await self._db.transact(
            lambda conn: insert_job(
                conn, job_id=job_id, kind=kind, creator_id=creator_id, payload=payload, now=now
            )
        )

    async def get(self, job_id: str) -> JobRecord | None:
        """Return the job `job_id`, if any."""
        return await self._db.read(lambda conn: _get(conn, job_id))

    async def recent(self, limit: int = 1000) -> list[JobRecord]:
        """Return the most recently updated `limit` jobs, newest first."""
        return await self._db.read(lambda conn: _recent(conn, limit))

    async def views(self, limit: int = 1000) -> list[JobView]:
        """Return the jobs as ``jobs.json`` input (the newest `limit`)."""
        return [record.view() for record in await self.recent(limit)]
