from __future__ import annotations

import asyncio

import pytest

from streamsuites.actions.outbox import OutboxStore
from streamsuites.jobs import JobOutcome, JobStatus, queue
from streamsuites.jobs.policy import LEASE_LOST, SHUTDOWN, Transition

from .conftest import Script, harness, kind

CHAT = {"platform": "twitch", "event_id": "twitch:m1", "channel": "alice", "request": {}}


async def enqueue(store, clock, job_id, creator="alice", payload=None, kind_name="clip"):
    assert await store.enqueue(
        job_id=job_id, kind=kind_name, creator_id=creator, payload=payload or CHAT, now=clock.time()
    )


async def replies(db) -> list[tuple[str, str, str, str]]:
    rows = await OutboxStore(db).rows()
    return [
        (r.message.creator_id, r.message.platform, r.message.channel, r.message.text) for r in rows
    ]


@pytest.mark.asyncio
async def test_a_job_runs_reports_progress_and_replies_to_its_chat_once(db, clock, store):
    script = Script()
    h = harness(db, clock, kind(script))
    await enqueue(store, clock, "job-1")
    h.start()

    ctx = await script.started.get()
    assert (ctx.job.job_id, ctx.attempt, ctx.job.payload) == ("job-1", 1, CHAT)
    await ctx.progress("capturing", seconds=10)
    running = await store.get("job-1")
    assert running is not None and running.status is JobStatus.RUNNING
    assert running.lease_owner == "worker-a"
    assert running.lease_expires_at == clock.time() + 30
    assert running.progress is not None
    assert (running.progress.stage, running.progress.detail) == ("capturing", {"seconds": 10})

    clock.advance(3)
    await script.outcomes.put(JobOutcome.succeeded({"url": "file:///c.mp4"}, reply="clip ready"))
    assert (await h.next_end())[0] == "job-1"

    done = await store.get("job-1")
    assert done is not None
    assert (done.status, done.attempts, done.result, done.lease_owner) == (
        JobStatus.SUCCEEDED,
        1,
        {"url": "file:///c.mp4"},
        None,
    )
    assert done.finished_at == clock.time()
    assert done.view().progress == {
        "stage": "capturing",
        "at": clock.time() - 3,
        "detail": {"seconds": 10},
    }
    assert await replies(db) == [("alice", "twitch", "alice", "clip ready")]
    assert h.notified == [("alice", "twitch")]
    await h.stop()


@pytest.mark.asyncio
async def test_a_failed_attempt_waits_its_backoff_then_runs_again(db, clock, store):
    script = Script()
    h = harness(db, clock, kind(script, max_attempts=3))
    await enqueue(store, clock, "job-1")
    h.start()

    await script.started.get()
    await script.outcomes.put(JobOutcome.failed("source went away"))
    _, retry = await h.next_end()
    assert retry.status is JobStatus.QUEUED and retry.run_at is not None
    queued = await store.get("job-1")
    assert queued is not None
    assert (queued.status, queued.attempts, queued.last_error, queued.next_run_at) == (
        JobStatus.QUEUED,
        1,
        "source went away",
        retry.run_at,
    )
    assert 2.5 <= retry.run_at - clock.time() <= 5.0  # default policy: first step 5 s

    clock.advance(retry.run_at - clock.time())
    h.worker.notify()
    second = await script.started.get()
    assert second.attempt == 2
    await script.outcomes.put(JobOutcome.succeeded())
    await h.next_end()
    done = await store.get("job-1")
    assert done is not None and (done.status, done.attempts) == (JobStatus.SUCCEEDED, 2)
    await h.stop()


@pytest.mark.asyncio
async def test_a_handler_that_raises_fails_the_attempt_and_gives_up_at_the_limit(db, clock, store):
    script = Script()
    h = harness(db, clock, kind(script, max_attempts=1))
    await enqueue(store, clock, "job-1", payload={"request": {}})
    h.start()

    await script.started.get()
    await script.outcomes.put(RuntimeError("kaput"))
    _, end = await h.next_end()
    assert end.status is JobStatus.FAILED
    failed = await store.get("job-1")
    assert failed is not None
    assert failed.last_error == "gave up after 1 attempt(s): RuntimeError: kaput"
    assert await replies(db) == [], "not from chat: nothing to reply to"
    await h.stop()


@pytest.mark.asyncio
async def test_a_handler_past_its_timeout_is_cancelled_and_fails(db, clock, store):
    script = Script()
    h = harness(db, clock, kind(script, timeout=60.0, max_attempts=1))
    await enqueue(store, clock, "job-1")
    h.start()

    ctx = await script.started.get()
    clock.advance(60)
    _, end = await h.next_end()
    assert ctx.cancelled.is_set()
    assert script.cancelled == ["job-1"]
    assert end.error == "gave up after 1 attempt(s): timed out after 60s"
    assert (await store.get("job-1")).status is JobStatus.FAILED
    await h.stop()


@pytest.mark.asyncio
async def test_a_creator_over_their_limit_is_refused_with_a_reply_others_run(db, clock, store):
    script = Script()
    clip = kind(script, concurrency=5, creator_limit=lambda creator: 1)
    h = harness(db, clock, clip, connectors={("alice", "twitch")})
    await enqueue(store, clock, "a1")
    await enqueue(store, clock, "a2")
    await enqueue(store, clock, "b1", creator="bob", payload={"request": {}})
    h.start()

    refused_id, refused = await h.next_end()
    assert refused_id == "a2" and refused.refused
    started = {(await script.started.get()).job.job_id, (await script.started.get()).job.job_id}
    assert started == {"a1", "b1"}
    record = await store.get("a2")
    assert record is not None
    assert (record.status, record.refused, record.attempts, record.last_error) == (
        JobStatus.FAILED,
        True,
        0,
        "1 clip job is already running (limit 1)",
    )
    assert record.view().refused
    assert await replies(db) == [
        ("alice", "twitch", "alice", "1 clip job is already running (limit 1)")
    ]
    assert h.notified == [("alice", "twitch")]
    await h.stop()


@pytest.mark.asyncio
async def test_cooldown_refuses_a_new_job_until_it_has_passed(db, clock, store):
    script = Script()
    h = harness(db, clock, kind(script, creator_cooldown=lambda creator: 120.0))
    await enqueue(store, clock, "a1")
    h.start()
    await script.started.get()
    await script.outcomes.put(JobOutcome.succeeded())
    await h.next_end()

    clock.advance(10)
    await enqueue(store, clock, "a2")
    h.worker.notify()
    _, refused = await h.next_end()
    assert refused.error == "clip is on cooldown: try again in 110s"

    clock.advance(110)
    await enqueue(store, clock, "a3")
    h.worker.notify()
    assert (await script.started.get()).job.job_id == "a3"
    await script.outcomes.put(JobOutcome.succeeded())
    await h.next_end()
    await h.stop()


@pytest.mark.asyncio
async def test_a_refusal_does_not_wait_for_a_free_slot(db, clock, store):
    script = Script()
    h = harness(db, clock, kind(script, concurrency=1, creator_limit=lambda creator: 1))
    await enqueue(store, clock, "a1")
    h.start()
    await script.started.get()

    await enqueue(store, clock, "a2")
    h.worker.notify()
    job_id, refused = await h.next_end()
    assert (job_id, refused.error) == ("a2", "1 clip job is already running (limit 1)")
    await script.outcomes.put(JobOutcome.succeeded())
    await h.next_end()
    await h.stop()


@pytest.mark.asyncio
async def test_kind_concurrency_makes_jobs_wait_not_fail(db, clock, store):
    script = Script()
    h = harness(db, clock, kind(script, concurrency=1))
    await enqueue(store, clock, "a1")
    clock.advance(1)
    await enqueue(store, clock, "b1", creator="bob")
    h.start()

    assert (await script.started.get()).job.job_id == "a1"
    waiting = await store.get("b1")
    assert waiting is not None and waiting.status is JobStatus.QUEUED
    await script.outcomes.put(JobOutcome.succeeded())
    assert (await h.next_end())[0] == "a1"
    assert (await script.started.get()).job.job_id == "b1"
    await script.outcomes.put(JobOutcome.succeeded())
    assert (await h.next_end())[0] == "b1"
    await h.stop()


@pytest.mark.asyncio
async def test_a_dead_workers_expired_lease_is_reclaimed_and_the_job_finishes_once(
    db, clock, store
):
    script = Script()
    clip = kind(script)
    await enqueue(store, clock, "job-1")
    taken = await db.transact(
        lambda conn: queue.claim(conn, clip, owner="dead", now=clock.time(), lease=30, slots=1)
    )
    assert [j.job_id for j in taken.running] == ["job-1"]
    h = harness(db, clock, clip)
    h.start()

    clock.advance(30)
    h.worker.notify()
    job_id, reclaimed = await h.next_end()
    assert (job_id, reclaimed.status, reclaimed.error) == ("job-1", JobStatus.QUEUED, LEASE_LOST)
    ctx = await script.started.get()
    assert ctx.attempt == 2, "the attempt the dead worker made is counted"

    late = Transition(status=JobStatus.SUCCEEDED, result={"by": "dead"})
    stale = await db.transact(
        lambda conn: queue.finish(conn, "job-1", owner="dead", transition=late, now=clock.time())
    )
    assert not stale, "the dead owner can no longer finish the job"
    await script.outcomes.put(JobOutcome.succeeded({"by": "worker-a"}))
    await h.next_end()
    done = await store.get("job-1")
    assert done is not None and (done.status, done.result) == (
        JobStatus.SUCCEEDED,
        {"by": "worker-a"},
    )
    await h.stop()


@pytest.mark.asyncio
async def test_a_worker_that_lost_its_lease_stops_the_job_and_records_nothing(db, clock, store):
    script = Script()
    h = harness(db, clock, kind(script))
    await enqueue(store, clock, "job-1")
    h.start()
    ctx = await script.started.get()
    # As if this worker stalled past its lease and another one reclaimed and took the job.
    await db.transact(
        lambda conn: conn.execute("UPDATE jobs SET lease_owner = 'worker-b', attempts = 2")
    )

    clock.advance(10)
    assert await script.stopped.get() == "job-1"
    assert ctx.cancelled.is_set()
    await h.stop()
    job = await store.get("job-1")
    assert job is not None
    assert (job.status, job.lease_owner, job.attempts) == (JobStatus.RUNNING, "worker-b", 2)
    assert h.ends.empty(), "no end recorded by the worker that lost the lease"


@pytest.mark.asyncio
async def test_a_cancel_asked_while_the_worker_was_dead_ends_the_job_when_reclaimed(
    db, clock, store
):
    script = Script()
    clip = kind(script)
    await enqueue(store, clock, "job-1")
    await db.transact(
        lambda conn: queue.claim(conn, clip, owner="dead", now=clock.time(), lease=30, slots=1)
    )
    assert await store.cancel("job-1", clock.time()) is JobStatus.RUNNING
    h = harness(db, clock, clip)
    h.start()

    clock.advance(30)
    h.worker.notify()
    _, end = await h.next_end()
    assert (end.status, end.error) == (JobStatus.CANCELLED, "cancelled by operator")
    await h.stop()
    assert script.started.empty(), "never run again"


@pytest.mark.asyncio
async def test_cancel_stops_a_running_job_at_the_next_heartbeat(db, clock, store):
    script = Script()
    h = harness(db, clock, kind(script))
    await enqueue(store, clock, "run")
    clock.advance(1)
    await enqueue(store, clock, "wait", payload={"request": {}}, kind_name="other")
    h.start()
    ctx = await script.started.get()

    assert await store.cancel("run", clock.time()) is JobStatus.RUNNING
    assert await store.cancel("wait", clock.time()) is JobStatus.QUEUED
    assert await store.cancel("wait", clock.time()) is None
    clock.advance(10)
    _, end = await h.next_end()
    assert end.status is JobStatus.CANCELLED and ctx.cancelled.is_set()
    cancelled = await store.get("run")
    assert cancelled is not None
    assert (cancelled.status, cancelled.last_error, cancelled.cancel_requested) == (
        JobStatus.CANCELLED,
        "cancelled by operator",
        False,
    )
    assert await store.retry("run", clock.time())
    h.worker.notify()
    assert (await script.started.get()).attempt == 1, "a retry starts a fresh attempt budget"
    await script.outcomes.put(JobOutcome.succeeded())
    await h.next_end()
    await h.stop()


@pytest.mark.asyncio
async def test_shutdown_lets_a_job_finish_within_the_deadline(db, clock, store):
    script = Script()
    h = harness(db, clock, kind(script))
    await enqueue(store, clock, "job-1")
    h.start()
    await script.started.get()

    drainer = asyncio.ensure_future(h.worker.drain(30.0))
    await asyncio.sleep(0)
    await script.outcomes.put(JobOutcome.succeeded())
    await drainer
    assert h.task is not None
    await h.task
    done = await store.get("job-1")
    assert done is not None and done.status is JobStatus.SUCCEEDED


@pytest.mark.asyncio
async def test_shutdown_past_the_deadline_cancels_and_requeues_without_counting(db, clock, store):
    script = Script()
    h = harness(db, clock, kind(script))
    await enqueue(store, clock, "job-1")
    h.start()
    await script.started.get()

    await h.stop(timeout=5.0)
    assert script.cancelled == ["job-1"]
    requeued = await store.get("job-1")
    assert requeued is not None
    assert (requeued.status, requeued.attempts, requeued.last_error, requeued.lease_owner) == (
        JobStatus.QUEUED,
        0,
        SHUTDOWN,
        None,
    )

    again = Script()
    h2 = harness(db, clock, kind(again), owner="worker-b")
    h2.start()
    assert (await again.started.get()).attempt == 1
    await again.outcomes.put(JobOutcome.succeeded())
    await h2.next_end()
    await h2.stop()
