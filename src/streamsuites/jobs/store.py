"""The durable job record: one row per job, keyed by the action (or caller) that asked for it.

``enqueue_clip_job`` actions add ``queued`` rows in the same transaction as their audit record;
the worker (:mod:`.worker`) moves them through leases (:mod:`.queue`); the dashboard reads them
as :class:`~streamsuites.state.jobs.JobView` and the ``jobs`` command reads and edits them.

The first version of the table had no lease or progress columns. :func:`create_table` adds the
missing ones to an existing table (``ALTER TABLE ADD COLUMN``, in the caller's transaction), so a
database written by that version opens with its jobs intact.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeVar

from streamsuites.jobs.model import JobProgress, JobRecord, JobStatus
from streamsuites.jobs.policy import CANCELLED_BY_OPERATOR
from streamsuites.state.jobs import HISTORY_LIMIT

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable, Mapping

    from streamsuites.state.jobs import JobView

__all__ = [
    "JobRecord",
    "JobStatus",
    "JobStore",
    "SqlRunner",
    "create_table",
    "insert_job",
]

T = TypeVar("T")


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
_ADDED_COLUMNS: Final = (
    ("next_run_at", "REAL NOT NULL DEFAULT 0"),
    ("started_at", "REAL"),
    ("finished_at", "REAL"),
    ("lease_owner", "TEXT"),
    ("lease_expires_at", "REAL"),
    ("heartbeat_at", "REAL"),
    ("cancel_requested", "INTEGER NOT NULL DEFAULT 0"),
    ("refused", "INTEGER NOT NULL DEFAULT 0"),
    ("result", "TEXT"),
    ("progress", "TEXT"),
)
"""Columns added after the first version, in order; each is added if missing."""
_INDEXES: Final = (
    "CREATE INDEX IF NOT EXISTS jobs_queued ON jobs (kind, created_at) WHERE status = 'queued'",
    "CREATE INDEX IF NOT EXISTS jobs_running ON jobs (kind, creator_id) WHERE status = 'running'",
    "CREATE INDEX IF NOT EXISTS jobs_started ON jobs (kind, creator_id, started_at)",
)
COLUMNS: Final = (
    "job_id, kind, creator_id, payload, status, attempts, last_error, created_at, updated_at,"
    " next_run_at, started_at, finished_at, lease_owner, lease_expires_at, heartbeat_at,"
    " cancel_requested, refused, result, progress"
)
_INSERT: Final = (
    "INSERT INTO jobs (job_id, kind, creator_id, payload, status, created_at, updated_at,"
    " next_run_at) VALUES (?, ?, ?, ?, 'queued', ?, ?, ?) ON CONFLICT (job_id) DO NOTHING"
)
_RETRY: Final = (
    "UPDATE jobs SET status = 'queued', attempts = 0, next_run_at = min(next_run_at, ?1),"
    " updated_at = ?1,"
    " finished_at = NULL, refused = 0, cancel_requested = 0, result = NULL"
    " WHERE job_id = ?2 AND status IN ('failed', 'cancelled')"
)
_CANCEL_QUEUED: Final = (
    "UPDATE jobs SET status = 'cancelled', last_error = ?1, updated_at = ?2, finished_at = ?2"
    " WHERE job_id = ?3 AND status = 'queued'"
)
_CANCEL_RUNNING: Final = (
    "UPDATE jobs SET cancel_requested = 1, updated_at = ?1 WHERE job_id = ?2 AND status = 'running'"
)
_TOTALS: Final = "SELECT kind, status, count(*), sum(refused) FROM jobs GROUP BY kind, status"


def create_table(conn: sqlite3.Connection) -> None:
    """Create the jobs table, or bring an older one up to date; run in a transaction."""
    conn.execute(_TABLE)
    present = {row[1] for row in conn.execute("PRAGMA table_info(jobs)")}
    for name, declaration in _ADDED_COLUMNS:
        if name not in present:
            conn.execute(f"ALTER TABLE jobs ADD COLUMN {name} {declaration}")
    for index in _INDEXES:
        conn.execute(index)


def insert_job(
    conn: sqlite3.Connection,
    *,
    job_id: str,
    kind: str,
    creator_id: str,
    payload: Mapping[str, Any],
    now: float,
    run_at: float | None = None,
) -> bool:
    """Queue a job (to run from `run_at`, default now); False if `job_id` already exists."""
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    params = (job_id, kind, creator_id, body, now, now, now if run_at is None else run_at)
    return conn.execute(_INSERT, params).rowcount == 1


def record(row: tuple[Any, ...]) -> JobRecord:
    """Return the record of a row selected with :data:`COLUMNS`."""
    job_id, kind, creator_id, payload, status, attempts, last_error, created, updated = row[:9]
    next_run, started, finished, owner, expires, heartbeat, cancel, refused, result, progress = row[
        9:
    ]
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
        next_run_at=next_run,
        started_at=started,
        finished_at=finished,
        lease_owner=owner,
        lease_expires_at=expires,
        heartbeat_at=heartbeat,
        cancel_requested=bool(cancel),
        refused=bool(refused),
        result=None if result is None else json.loads(result),
        progress=None if progress is None else _progress(json.loads(progress)),
    )


def _progress(stored: dict[str, Any]) -> JobProgress:
    return JobProgress(stage=stored["stage"], at=stored["at"], detail=stored.get("detail", {}))


def get_job(conn: sqlite3.Connection, job_id: str) -> JobRecord | None:
    """Return the job `job_id`, if any."""
    row = conn.execute(f"SELECT {COLUMNS} FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
    return None if row is None else record(row)


def list_jobs(
    conn: sqlite3.Connection,
    limit: int,
    *,
    status: str | None = None,
    kind: str | None = None,
    creator_id: str | None = None,
) -> list[JobRecord]:
    """Return the most recently updated `limit` jobs matching the filters, newest first."""
    sql = (
        f"SELECT {COLUMNS} FROM jobs WHERE (?1 IS NULL OR status = ?1)"
        " AND (?2 IS NULL OR kind = ?2) AND (?3 IS NULL OR creator_id = ?3)"
        " ORDER BY updated_at DESC, job_id DESC LIMIT ?4"
    )
    return [record(row) for row in conn.execute(sql, (status, kind, creator_id, limit))]


def totals(conn: sqlite3.Connection) -> dict[tuple[str, str], int]:
    """Count every job by ``(kind, status)``, plus ``(kind, "refused")``."""
    counts: dict[tuple[str, str], int] = {}
    for kind, status, count, refused in conn.execute(_TOTALS):
        counts[(kind, status)] = count
        counts[(kind, "refused")] = counts.get((kind, "refused"), 0) + (refused or 0)
    return counts


def retry_job(conn: sqlite3.Connection, job_id: str, now: float) -> bool:
    """Queue a failed or cancelled job again, due at once, with a fresh attempt budget.

    Its ``next_run_at`` stays when it ended (written by the worker's clock) unless `now` is
    earlier, so a retry from another process is due at once even if the clocks disagree.
    """
    return conn.execute(_RETRY, (now, job_id)).rowcount == 1


def cancel_job(conn: sqlite3.Connection, job_id: str, now: float, reason: str) -> JobStatus | None:
    """Cancel a queued job, or ask the worker to stop a running one.

    Return the status the job was in when asked (None if it was neither queued nor running);
    a running job becomes ``cancelled`` when its worker sees the request at its next heartbeat.
    """
    if conn.execute(_CANCEL_QUEUED, (reason, now, job_id)).rowcount == 1:
        return JobStatus.QUEUED
    if conn.execute(_CANCEL_RUNNING, (now, job_id)).rowcount == 1:
        return JobStatus.RUNNING
    return None


class JobStore:
    """Async access to the jobs table for callers outside the worker."""

    def __init__(self, db: SqlRunner) -> None:
        self._db = db

    async def enqueue(
        self,
        *,
        job_id: str,
        kind: str,
        creator_id: str,
        payload: Mapping[str, Any],
        now: float,
        run_at: float | None = None,
    ) -> bool:
        """Queue a job in its own transaction; False if `job_id` was already queued."""
        return await self._db.transact(
            lambda conn: insert_job(
                conn,
                job_id=job_id,
                kind=kind,
                creator_id=creator_id,
                payload=payload,
                now=now,
                run_at=run_at,
            )
        )

    async def get(self, job_id: str) -> JobRecord | None:
        """Return the job `job_id`, if any."""
        return await self._db.read(lambda conn: get_job(conn, job_id))

    async def recent(self, limit: int = 1000) -> list[JobRecord]:
        """Return the most recently updated `limit` jobs, newest first."""
        return await self._db.read(lambda conn: list_jobs(conn, limit))

    async def views(self, limit: int = HISTORY_LIMIT) -> list[JobView]:
        """Return the jobs as ``jobs.json`` input: the newest `limit`, all it shows."""
        return [job.view() for job in await self.recent(limit)]

    async def totals(self) -> dict[tuple[str, str], int]:
        """Return the counts of every job by ``(kind, status)`` (see :func:`totals`)."""
        return await self._db.read(totals)

    async def retry(self, job_id: str, now: float) -> bool:
        """Queue a failed or cancelled job again; False if it is in any other state."""
        return await self._db.transact(lambda conn: retry_job(conn, job_id, now))

    async def cancel(
        self, job_id: str, now: float, reason: str = CANCELLED_BY_OPERATOR
    ) -> JobStatus | None:
        """Cancel a queued job or ask for a running one to stop (see :func:`cancel_job`)."""
        return await self._db.transact(lambda conn: cancel_job(conn, job_id, now, reason))
