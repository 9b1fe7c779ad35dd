"""The queue's state changes as SQL over one connection, each meant for one transaction.

A running job holds a lease: ``lease_owner`` (one id per worker instance) and
``lease_expires_at``, pushed forward by the owner's heartbeat. Every change a worker makes to
a running job names the owner in its ``WHERE``, so a worker that lost its lease (it stalled,
and another worker reclaimed the job) changes nothing: a job finishes exactly once. A lease
that expired means its worker died; :func:`reclaim_expired` queues the job again (the attempt
stays counted), so no job stays ``running`` for ever.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from streamsuites.jobs import policy
from streamsuites.jobs.model import JobStatus
from streamsuites.jobs.store import COLUMNS, get_job, record

if TYPE_CHECKING:
    import sqlite3

    from streamsuites.jobs.model import JobKind, JobProgress, JobRecord
    from streamsuites.jobs.policy import Transition

__all__ = [
    "Claimed",
    "claim",
    "finish",
    "heartbeat",
    "reclaim_expired",
    "set_progress",
]

_CANDIDATES: Final = (
    f"SELECT {COLUMNS} FROM jobs WHERE status = 'queued' AND kind = ? AND next_run_at <= ?"
    " ORDER BY next_run_at, created_at, job_id LIMIT ?"
)
_RUNNING: Final = "SELECT count(*) FROM jobs WHERE status = 'running' AND kind = ?"
_RUNNING_FOR: Final = (
    "SELECT count(*) FROM jobs WHERE status = 'running' AND kind = ? AND creator_id = ?"
)
_LAST_START: Final = (
    "SELECT max(started_at) FROM jobs WHERE kind = ? AND creator_id = ? AND job_id != ?"
)
_TAKE: Final = (
    "UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_owner = ?1,"
    " lease_expires_at = ?2, heartbeat_at = ?3, started_at = ?3, updated_at = ?3,"
    " cancel_requested = 0 WHERE job_id = ?4 AND status = 'queued'"
)
_EXPIRED: Final = (
    "SELECT job_id, attempts, cancel_requested FROM jobs WHERE status = 'running' AND kind = ?"
    " AND coalesce(lease_expires_at, 0) <= ?"
)
"""Expired leases, and running rows without one (left by the table's first version)."""
_HEARTBEAT: Final = (
    "UPDATE jobs SET lease_expires_at = ?1, heartbeat_at = ?2 WHERE lease_owner = ?3"
    " AND status = 'running' RETURNING job_id, cancel_requested"
)
_PROGRESS: Final = (
    "UPDATE jobs SET progress = ?, updated_at = ? WHERE job_id = ? AND lease_owner = ?"
    " AND status = 'running'"
)
_FINISH: Final = (
    "UPDATE jobs SET status = :status, last_error = coalesce(:error, last_error),"
    " result = coalesce(:result, result), refused = :refused, next_run_at = :run_at,"
    " attempts = attempts - :uncount, finished_at = :finished, updated_at = :now,"
    " lease_owner = NULL, lease_expires_at = NULL, cancel_requested = 0"
    " WHERE job_id = :job_id AND status = :from_status AND (:owner IS NULL OR lease_owner = :owner)"
)
_CANDIDATE_BATCH: Final = 50


@dataclass(slots=True)
class Claimed:
    """What one claim did: jobs now running under the lease, and new jobs refused."""

    running: list[JobRecord] = field(default_factory=list)
    refused: list[tuple[JobRecord, Transition]] = field(default_factory=list)


def claim(
    conn: sqlite3.Connection,
    kind: JobKind,
    *,
    owner: str,
    now: float,
    lease: float,
    slots: int,
) -> Claimed:
    """Take up to `slots` due jobs of `kind` (within its concurrency), refusing over-limit ones.

    A job that never started is checked against its creator's limit and cooldown (with or
    without a free slot); one that already started (a retry) was admitted before and only
    waits for a slot.
    """
    claimed = Claimed()
    free = min(slots, kind.concurrency - conn.execute(_RUNNING, (kind.name,)).fetchone()[0])
    for row in conn.execute(_CANDIDATES, (kind.name, now, _CANDIDATE_BATCH)).fetchall():
        job = record(row)
        refused = None if job.started_at is not None else _refusal(conn, kind, job, now)
        if refused is not None:
            # Refused at once even when no slot is free: chat wants its answer now.
            finish(conn, job.job_id, owner=None, transition=refused, now=now, expect_queued=True)
            claimed.refused.append((job, refused))
        elif len(claimed.running) < free:
            conn.execute(_TAKE, (owner, now + lease, now, job.job_id))
            claimed.running.append(_must_get(conn, job.job_id))
    return claimed


def _refusal(
    conn: sqlite3.Connection, kind: JobKind, job: JobRecord, now: float
) -> Transition | None:
    running = conn.execute(_RUNNING_FOR, (kind.name, job.creator_id)).fetchone()[0]
    last = conn.execute(_LAST_START, (kind.name, job.creator_id, job.job_id)).fetchone()[0]
    return policy.refusal(
        kind=kind.name,
        running=running,
        limit=kind.creator_limit(job.creator_id),
        last_start=last,
        cooldown=kind.creator_cooldown(job.creator_id),
        now=now,
    )


def _must_get(conn: sqlite3.Connection, job_id: str) -> JobRecord:
    job = get_job(conn, job_id)
    if job is None:  # pragma: no cover - the row was updated in this same transaction
        raise LookupError(job_id)
    return job


def reclaim_expired(
    conn: sqlite3.Connection, kind: JobKind, *, now: float
) -> list[tuple[str, Transition]]:
    """Queue again (or fail, if out of attempts) the running jobs whose lease expired.

    A job an operator asked to cancel before its worker died ends ``cancelled`` instead.
    """
    reclaimed = []
    for job_id, attempts, cancel in conn.execute(_EXPIRED, (kind.name, now)).fetchall():
        transition = _after_lost_lease(kind, attempts, now, cancelled=bool(cancel))
        if _apply(conn, job_id, owner=None, transition=transition, now=now, status="running"):
            reclaimed.append((job_id, transition))
    return reclaimed


def _after_lost_lease(kind: JobKind, attempts: int, now: float, *, cancelled: bool) -> Transition:
    if cancelled:
        return policy.interrupted(now=now, cancelled_by=policy.CANCELLED_BY_OPERATOR)
    if attempts >= kind.max_attempts:
        error = f"gave up after {attempts} attempt(s): {policy.LEASE_LOST}"
        return policy.Transition(status=JobStatus.FAILED, error=error)
    return policy.Transition(status=JobStatus.QUEUED, error=policy.LEASE_LOST, run_at=now)


def heartbeat(conn: sqlite3.Connection, *, owner: str, now: float, lease: float) -> dict[str, bool]:
    """Renew every lease `owner` holds; return its running jobs and whether each must stop."""
    rows = conn.execute(_HEARTBEAT, (now + lease, now, owner)).fetchall()
    return {job_id: bool(cancel) for job_id, cancel in rows}


def set_progress(
    conn: sqlite3.Connection, job_id: str, *, owner: str, progress: JobProgress, now: float
) -> bool:
    """Record a running job's stage; False if `owner` no longer holds its lease."""
    body = json.dumps(progress.as_dict(), sort_keys=True, separators=(",", ":"))
    return conn.execute(_PROGRESS, (body, now, job_id, owner)).rowcount == 1


def finish(
    conn: sqlite3.Connection,
    job_id: str,
    *,
    owner: str | None,
    transition: Transition,
    now: float,
    expect_queued: bool = False,
) -> bool:
    """Move a job `owner` runs to `transition`'s state; False (no change) if it lost the lease."""
    status = "queued" if expect_queued else "running"
    return _apply(conn, job_id, owner=owner, transition=transition, now=now, status=status)


def _apply(
    conn: sqlite3.Connection,
    job_id: str,
    *,
    owner: str | None,
    transition: Transition,
    now: float,
    status: str,
) -> bool:
    t = transition
    params: dict[str, Any] = {
        "status": t.status.value,
        "error": t.error,
        "result": None if t.result is None else json.dumps(t.result, sort_keys=True),
        "refused": int(t.refused),
        "run_at": now if t.run_at is None else t.run_at,
        "uncount": int(t.uncount),
        "finished": None if t.status is JobStatus.QUEUED else now,
        "now": now,
        "job_id": job_id,
        "owner": owner,
        "from_status": status,
    }
    return conn.execute(_FINISH, params).rowcount == 1
