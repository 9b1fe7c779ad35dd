from __future__ import annotations

import sqlite3
from pathlib import Path  # noqa: TC003 - used at runtime by the migration helper
from typing import TYPE_CHECKING

import pytest
import pytest_asyncio

from streamsuites.actions.database import ActionDatabase
from streamsuites.jobs import JobKind, JobOutcome, JobStatus, JobStore, queue
from streamsuites.jobs.policy import LEASE_LOST
from streamsuites.state.jobs import JobView

if TYPE_CHECKING:
    from collections.abc import AsyncIterator


@pytest_asyncio.fixture
async def jobs(tmp_path: Path) -> AsyncIterator[JobStore]:
    db = ActionDatabase(tmp_path / "jobs.db")
    await db.start()
    yield JobStore(db)
    await db.close()


@pytest.mark.asyncio
async def test_enqueue_is_idempotent_on_job_id(jobs):
    assert await jobs.enqueue(
        job_id="act_1", kind="clip", creator_id="alice", payload={"length": 30}, now=10.0
    )
    assert not await jobs.enqueue(
        job_id="act_1", kind="clip", creator_id="alice", payload={"length": 99}, now=20.0
    )

    job = await jobs.get("act_1")
    assert job is not None
    assert (job.status, job.payload, job.created_at, job.attempts) == (
        JobStatus.QUEUED,
        {"length": 30},
        10.0,
        0,
    )


@pytest.mark.asyncio
async def test_views_feed_jobs_json_newest_first(jobs):
    await jobs.enqueue(job_id="a", kind="clip", creator_id="alice", payload={}, now=1.0)
    await jobs.enqueue(job_id="b", kind="clip", creator_id="bob", payload={}, now=2.0)

    assert await jobs.views() == [
        JobView(
            job_id="b",
            kind="clip",
            status="queued",
            creator_id="bob",
            created_at=2.0,
            updated_at=2.0,
            next_run_at=2.0,
        ),
        JobView(
            job_id="a",
            kind="clip",
            status="queued",
            creator_id="alice",
            created_at=1.0,
            updated_at=1.0,
            next_run_at=1.0,
        ),
    ]
    assert await jobs.get("missing") is None


@pytest.mark.asyncio
async def test_jobs_survive_a_reopen(tmp_path):
    path = tmp_path / "jobs.db"
    first = ActionDatabase(path)
    await first.start()
    await JobStore(first).enqueue(job_id="a", kind="clip", creator_id="c", payload={}, now=1.0)
    await first.close()

    second = ActionDatabase(path)
    await second.start()
    try:
        assert [j.job_id for j in await JobStore(second).recent()] == ["a"]
    finally:
        await second.close()


_FIRST_VERSION = """
CREATE TABLE jobs (
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


def _first_version_database(path: Path) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(_FIRST_VERSION)
        conn.execute("CREATE INDEX jobs_queued ON jobs (kind, created_at) WHERE status = 'queued'")
        conn.execute(
            "INSERT INTO jobs (job_id, kind, creator_id, payload, status, created_at, updated_at)"
            """ VALUES ('old', 'clip', 'alice', '{"length":30}', 'queued', 5.0, 5.0)"""
        )
        conn.execute(
            "INSERT INTO jobs (job_id, kind, creator_id, payload, status, attempts, last_error,"
            " created_at, updated_at) VALUES ('stuck', 'clip', 'bob', '{}', 'running', 1,"
            " NULL, 6.0, 6.0)"
        )
    conn.close()


@pytest.mark.asyncio
async def test_a_first_version_table_is_migrated_in_place_and_its_jobs_run(tmp_path):
    path = tmp_path / "old.db"
    _first_version_database(path)
    db = ActionDatabase(path)
    await db.start()
    try:
        columns = await db.read(
            lambda conn: [row[1] for row in conn.execute("PRAGMA table_info(jobs)")]
        )
        assert columns[:9] == [
            "job_id",
            "kind",
            "creator_id",
            "payload",
            "status",
            "attempts",
            "last_error",
            "created_at",
            "updated_at",
        ]
        assert {
            "lease_owner",
            "lease_expires_at",
            "heartbeat_at",
            "next_run_at",
            "started_at",
            "finished_at",
            "result",
            "progress",
            "refused",
            "cancel_requested",
        } <= set(columns)
        old = await JobStore(db).get("old")
        assert old is not None
        assert (old.status, old.payload, old.next_run_at, old.lease_owner) == (
            JobStatus.QUEUED,
            {"length": 30},
            0.0,
            None,
        )

        async def handler(ctx):
            return JobOutcome.succeeded({"length": ctx.job.payload.get("length")})

        clip = JobKind(name="clip", handler=handler)
        claimed = await db.transact(
            lambda conn: queue.claim(conn, clip, owner="w", now=10.0, lease=30, slots=5)
        )
        assert [j.job_id for j in claimed.running] == ["old"]
        # A job the first version left "running" (it had no leases) is reclaimed at once.
        reclaimed = await db.transact(lambda conn: queue.reclaim_expired(conn, clip, now=10.0))
        assert [(job_id, t.status) for job_id, t in reclaimed] == [("stuck", JobStatus.QUEUED)]
        stuck = await JobStore(db).get("stuck")
        assert stuck is not None
        assert (stuck.status, stuck.attempts, stuck.last_error) == (JobStatus.QUEUED, 1, LEASE_LOST)
    finally:
        await db.close()

    again = ActionDatabase(path)
    await again.start()  # a second open finds nothing to add
    await again.close()


@pytest.mark.asyncio
async def test_retry_only_requeues_ended_jobs_and_totals_count_the_whole_table(jobs):
    for n in range(3):
        await jobs.enqueue(job_id=f"j{n}", kind="clip", creator_id="alice", payload={}, now=1.0)
    await jobs.enqueue(job_id="p", kind="poll", creator_id="alice", payload={}, now=1.0)
    assert not await jobs.retry("j0", 2.0), "a queued job is not retried"
    assert await jobs.cancel("j0", 2.0) is JobStatus.QUEUED
    assert await jobs.retry("j0", 3.0)
    job = await jobs.get("j0")
    assert job is not None and (job.status, job.next_run_at, job.finished_at) == (
        JobStatus.QUEUED,
        1.0,
        None,
    )
    assert await jobs.cancel("j1", 4.0) is JobStatus.QUEUED
    assert await jobs.totals() == {
        ("clip", "queued"): 2,
        ("clip", "cancelled"): 1,
        ("clip", "refused"): 0,
        ("poll", "queued"): 1,
        ("poll", "refused"): 0,
    }
