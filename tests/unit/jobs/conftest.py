from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pytest
import pytest_asyncio

from streamsuites.actions.database import ActionDatabase
from streamsuites.jobs import JobKind, JobOutcome, JobStore
from streamsuites.jobs.replies import ChatReplies
from streamsuites.jobs.worker import JobWorker, WorkerOptions
from streamsuites.testing import FakeClock

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from streamsuites.jobs.model import JobContext
    from streamsuites.jobs.policy import Transition

OPTIONS = WorkerOptions(lease=30.0, heartbeat=10.0, poll_interval=1.0, slots=4)


@pytest_asyncio.fixture
async def db(tmp_path: Path) -> AsyncIterator[ActionDatabase]:
    database = ActionDatabase(tmp_path / "jobs.db", synchronous="OFF")
    await database.start()
    yield database
    await database.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(auto_advance=False)


@pytest.fixture
def store(db: ActionDatabase) -> JobStore:
    return JobStore(db)


@dataclass
class Script:
    """A handler whose attempts are driven by the test: each attempt waits for its outcome."""

    outcomes: asyncio.Queue[JobOutcome | BaseException] = field(default_factory=asyncio.Queue)
    started: asyncio.Queue[JobContext] = field(default_factory=asyncio.Queue)
    cancelled: list[str] = field(default_factory=list)
    stopped: asyncio.Queue[str] = field(default_factory=asyncio.Queue)

    async def __call__(self, ctx: JobContext) -> JobOutcome:
        await self.started.put(ctx)
        try:
            outcome = await self.outcomes.get()
        except asyncio.CancelledError:
            self.cancelled.append(ctx.job.job_id)
            self.stopped.put_nowait(ctx.job.job_id)
            raise
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


@dataclass
class Harness:
    """A worker over the test database, its ends in a queue, and its run task."""

    worker: JobWorker
    ends: asyncio.Queue[tuple[str, Transition]]
    notified: list[tuple[str, str]]
    task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self.worker.run(), name="worker")

    async def next_end(self) -> tuple[str, Transition]:
        return await self.ends.get()

    async def stop(self, timeout: float = 0.0) -> None:
        drainer = asyncio.ensure_future(self.worker.drain(timeout))
        await asyncio.sleep(0)
        assert isinstance(self.worker.clock, FakeClock)
        self.worker.clock.advance(timeout)
        await drainer
        assert self.task is not None
        await self.task


def kind(handler: Script, **overrides: object) -> JobKind:
    settings: dict[str, object] = {"name": "clip", "handler": handler, "timeout": 60.0}
    settings.update(overrides)
    return JobKind(**settings)  # type: ignore[arg-type]


def harness(
    db: ActionDatabase,
    clock: FakeClock,
    *kinds: JobKind,
    connectors: set[tuple[str, str]] | None = None,
    owner: str = "worker-a",
) -> Harness:
    ends: asyncio.Queue[tuple[str, Transition]] = asyncio.Queue()
    notified: list[tuple[str, str]] = []
    replies = ChatReplies(
        notify=lambda creator, platform: notified.append((creator, platform)),
        connectors=connectors,
    )
    worker = JobWorker(
        db,
        kinds,
        clock=clock,
        options=OPTIONS,
        replies=replies,
        rng=random.Random(7),
        owner=owner,
        on_end=lambda job_id, t: ends.put_nowait((job_id, t)),
    )
    return Harness(worker, ends, notified)
