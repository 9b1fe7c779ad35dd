from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import pytest_asyncio

from streamsuites.actions.database import ActionDatabase
from streamsuites.jobs import JobStatus, JobStore
from streamsuites.state.jobs import JobView

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path


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
        ),
        JobView(
            job_id="a",
            kind="clip",
            status="queued",
            creator_id="alice",
            created_at=1.0,
            updated_at=1.0,
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
