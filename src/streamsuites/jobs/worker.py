"""The job worker: claims due jobs, runs their handlers under a lease, and records the end.

One worker per runtime. Each poll (every `poll_interval`, or at once when :meth:`notify` is
called) reclaims expired leases, refuses new jobs over their creator's limits, and claims what
its free slots and each kind's concurrency allow. A claimed job runs as a task of the worker's
TaskGroup; one heartbeat task renews every lease the worker holds and learns which jobs an
operator asked to cancel (``streamsuites jobs cancel`` from another process). A watchdog on
the injected clock stops a handler at its kind's timeout.

:meth:`drain` is the ordered shutdown: take no more jobs, let the running ones finish until
the deadline, then cancel them and queue them again without counting the attempt (arq's
``handle_sig_wait_for_completion``; cancellation is not a failed try).
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import random
import socket
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from streamsuites.errors import ComponentStateError
from streamsuites.jobs import policy, queue
from streamsuites.jobs.model import JobProgress
from streamsuites.jobs.replies import ChatReplies
from streamsuites.waiting import first_of

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable, Iterable

    from streamsuites.actions.outbox import OutboundMessage
    from streamsuites.clock import Clock
    from streamsuites.jobs.model import JobKind, JobOutcome, JobRecord
    from streamsuites.jobs.policy import Transition
    from streamsuites.jobs.store import SqlRunner

__all__ = ["JobWorker", "WorkerOptions"]

_log = logging.getLogger("streamsuites.jobs")

StopReason = Literal["timeout", "cancel", "shutdown", "lease_lost"]


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkerOptions:
    """How the worker paces itself.

    `lease` must be comfortably longer than `heartbeat`: a lease that runs out while its worker
    is alive lets another worker start the job a second time (the first then cannot record its
    end, but its side effects happened).
    """

    lease: float = 30.0
    heartbeat: float = 10.0
    poll_interval: float = 1.0
    slots: int = 4
    """Jobs this worker runs at once, over all kinds."""

    def __post_init__(self) -> None:
        if not 0 < self.heartbeat < self.lease:
            raise ValueError("heartbeat must be positive and shorter than the lease")


class _Context:
    """The :class:`~streamsuites.jobs.model.JobContext` of one attempt."""

    def __init__(self, worker: JobWorker, job: JobRecord, *, deadline: float) -> None:
        self._worker = worker
        self.job = job
        self.deadline = deadline
        self.attempt = job.attempts
        self.cancelled = asyncio.Event()
        self.stop_reason: StopReason | None = None

    def now(self) -> float:
        return self._worker.clock.time()

    async def progress(self, stage: str, **detail: object) -> None:
        await self._worker._progress(
            self.job, JobProgress(stage=stage, at=self.now(), detail=detail)
        )

    async def reply(self, text: str) -> bool:
        return await self._worker._reply(self.job, text)


@dataclass(slots=True)
class _Poll:
    """What one claim transaction did."""

    ended: list[tuple[str, Transition]]
    claimed: list[JobRecord] = field(default_factory=list)
    replies: list[OutboundMessage | None] = field(default_factory=list)


@dataclass(slots=True)
class _Running:
    context: _Context
    handler: asyncio.Task[JobOutcome]


class JobWorker:
    """Runs the jobs of `kinds` from the jobs table of `db`.

    `replies` says where chat replies of jobs go (refusals, and the text an outcome carries);
    None: they are not sent. `owner` names this worker's leases (default: host, pid, random).
    `on_end(job_id, transition)` is called after each recorded end of an attempt (including
    refusals and reclaimed leases), e.g. to publish ``jobs.json`` at once.
    """

    def __init__(
        self,
        db: SqlRunner,
        kinds: Iterable[JobKind],
        *,
        clock: Clock,
        options: WorkerOptions | None = None,
        replies: ChatReplies | None = None,
        rng: random.Random | None = None,
        owner: str | None = None,
        on_end: Callable[[str, Transition], None] | None = None,
    ) -> None:
        self._db = db
        self.kinds = {kind.name: kind for kind in kinds}
        self.clock = clock
        self.options = options or WorkerOptions()
        self._replies = replies or ChatReplies()
        self._rng = rng or random.Random()
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._wake = asyncio.Event()
        self._stopping = False
        self._started = False
        self._running: dict[str, _Running] = {}
        self._runners: set[asyncio.Task[None]] = set()
        self._on_end = on_end

    @property
    def running(self) -> frozenset[str]:
        """Return the ids of the jobs this worker is running now."""
        return frozenset(self._running)

    def notify(self) -> None:
        """Look for due jobs now (a job was queued) instead of at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        """Take and run jobs until :meth:`drain` completes (or the task is cancelled)."""
        if self._started:
            raise ComponentStateError("a job worker runs once")
        self._started = True
        async with asyncio.TaskGroup() as group:
            beat = group.create_task(self._heartbeats(), name="job-heartbeat")
            origin = self.clock.monotonic()
            while not self._stopping:
                polled_at = self.clock.monotonic()
                await self._poll(group)
                await self._idle(_next_tick(origin, polled_at, self.options.poll_interval))
            await self._settled()
            beat.cancel()

    async def drain(self, timeout: float) -> None:
        """Stop taking jobs; wait up to `timeout` s for running ones, then cancel and requeue."""
        deadline = self.clock.monotonic() + timeout
        self._stopping = True
        self._wake.set()
        if self._runners:
            await first_of(asyncio.wait(set(self._runners)), self._sleep_until(deadline))
        for job_id in list(self._running):
            self._stop(job_id, "shutdown")
        await self._settled()

    async def _idle(self, tick: float) -> None:
        # Polls fall on a fixed grid (origin + n * interval), like the publisher's ticks: time
        # that passed while a poll ran still counts, so a due poll is never pushed back.
        await first_of(self._wake.wait(), self._sleep_until(tick))
        self._wake.clear()

    async def _settled(self) -> None:
        if self._runners:
            await asyncio.wait(set(self._runners))

    async def _poll(self, group: asyncio.TaskGroup) -> None:
        for kind in self.kinds.values():
            free = self.options.slots - len(self._running)
            try:
                claimed = await self._claim(kind, free)
            except Exception:
                _log.exception("claiming %s jobs failed; will try again", kind.name)
                continue
            for job in claimed:
                self._start(group, kind, job)

    async def _claim(self, kind: JobKind, free: int) -> list[JobRecord]:
        now = self.clock.time()
        poll = await self._db.transact(lambda conn: self._claim_in(conn, kind, free, now))
        for message in poll.replies:
            self._replies.sent(message)
        for job_id, transition in poll.ended:
            self._ended(job_id, transition)
        return poll.claimed

    def _claim_in(self, conn: sqlite3.Connection, kind: JobKind, free: int, now: float) -> _Poll:
        poll = _Poll(ended=queue.reclaim_expired(conn, kind, now=now))
        for job_id, transition in poll.ended:
            _log.warning("job %s: %s -> %s", job_id, policy.LEASE_LOST, transition.status)
        opts = self.options
        claimed = queue.claim(conn, kind, owner=self.owner, now=now, lease=opts.lease, slots=free)
        poll.claimed = claimed.running
        for job, refusal in claimed.refused:
            _log.info("job %s refused: %s", job.job_id, refusal.error)
            poll.ended.append((job.job_id, refusal))
            poll.replies.append(self._stage_reply(conn, job, refusal.reply, now))
        return poll

    def _stage_reply(
        self, conn: sqlite3.Connection, job: JobRecord, text: str | None, now: float
    ) -> OutboundMessage | None:
        if not text:
            return None
        action_id = f"job:{job.job_id}:{uuid.uuid4().hex[:12]}"
        return self._replies.stage(conn, job, text, action_id=action_id, now=now)

    def _start(self, group: asyncio.TaskGroup, kind: JobKind, job: JobRecord) -> None:
        context = _Context(self, job, deadline=self.clock.monotonic() + kind.timeout)
        handler = asyncio.ensure_future(kind.handler(context))
        self._running[job.job_id] = _Running(context, handler)
        runner = group.create_task(self._attempt(kind, context), name=f"job:{job.job_id}")
        self._runners.add(runner)
        runner.add_done_callback(self._runners.discard)
        if self._stopping:
            # Claimed while a drain began: hand it straight back, uncounted.
            self._stop(job.job_id, "shutdown")

    async def _attempt(self, kind: JobKind, context: _Context) -> None:
        job = context.job
        watchdog = asyncio.ensure_future(self._watch(job.job_id, context.deadline))
        try:
            transition = await self._outcome(kind, context)
        except asyncio.CancelledError:
            # Cancelled from outside (the TaskGroup closing without a drain): requeue, then go.
            await self._end(job, policy.interrupted(now=self.clock.time(), cancelled_by=None))
            raise
        finally:
            watchdog.cancel()
            del self._running[job.job_id]
            self._wake.set()
        if transition is not None:
            await self._end(job, transition)

    async def _outcome(self, kind: JobKind, context: _Context) -> Transition | None:
        handler, now = self._running[context.job.job_id].handler, self.clock.time
        try:
            outcome = await asyncio.shield(handler)
        except asyncio.CancelledError:
            if not handler.done():
                handler.cancel()
                await asyncio.wait({handler})
                raise
            return self._stopped(kind, context)
        except Exception as exc:
            _log.exception("job %s (%s) raised", context.job.job_id, kind.name)
            reason = f"{type(exc).__name__}: {exc}"
            return policy.failure(
                reason, attempt=context.attempt, kind=kind, now=now(), rng=self._rng
            )
        return policy.settle(outcome, attempt=context.attempt, kind=kind, now=now(), rng=self._rng)

    def _stopped(self, kind: JobKind, context: _Context) -> Transition | None:
        now, reason = self.clock.time(), context.stop_reason
        if reason == "timeout":
            why = f"timed out after {kind.timeout:g}s"
            return policy.failure(why, attempt=context.attempt, kind=kind, now=now, rng=self._rng)
        if reason == "cancel":
            return policy.interrupted(now=now, cancelled_by=policy.CANCELLED_BY_OPERATOR)
        if reason == "lease_lost":
            _log.warning("job %s: lease lost; another worker owns it now", context.job.job_id)
            return None
        return policy.interrupted(now=now, cancelled_by=None)

    async def _watch(self, job_id: str, deadline: float) -> None:
        await self._sleep_until(deadline)
        self._stop(job_id, "timeout")

    async def _sleep_until(self, deadline: float) -> None:
        # From a deadline, not a duration: time that passed before this task ran still counts.
        await self.clock.sleep(max(deadline - self.clock.monotonic(), 0.0))

    def _stop(self, job_id: str, reason: StopReason) -> None:
        running = self._running.get(job_id)
        if running is None or running.context.stop_reason is not None:
            return
        running.context.stop_reason = reason
        running.context.cancelled.set()
        running.handler.cancel()

    async def _end(self, job: JobRecord, transition: Transition) -> None:
        now = self.clock.time()

        def write(conn: sqlite3.Connection) -> tuple[bool, OutboundMessage | None]:
            if not queue.finish(conn, job.job_id, owner=self.owner, transition=transition, now=now):
                return False, None
            return True, self._stage_reply(conn, job, transition.reply, now)

        done, message = await self._db.transact(write)
        if not done:
            _log.warning("job %s: lease lost before its end was recorded", job.job_id)
            return
        self._replies.sent(message)
        self._ended(job.job_id, transition)

    def _ended(self, job_id: str, transition: Transition) -> None:
        _log.info("job %s -> %s%s", job_id, transition.status, _why(transition))
        if self._on_end is not None:
            self._on_end(job_id, transition)

    async def _heartbeats(self) -> None:
        beat = self.clock.monotonic()
        while True:
            beat += self.options.heartbeat
            await self._sleep_until(beat)
            # Only jobs started before the renewal can be missing from it because of a lost lease.
            before = set(self._running)
            try:
                held = await self._db.transact(self._renew)
            except Exception:
                _log.exception("renewing job leases failed; will try again")
                continue
            self._apply_heartbeat(before, held)

    def _renew(self, conn: sqlite3.Connection) -> dict[str, bool]:
        now, lease = self.clock.time(), self.options.lease
        return queue.heartbeat(conn, owner=self.owner, now=now, lease=lease)

    def _apply_heartbeat(self, before: set[str], held: dict[str, bool]) -> None:
        for job_id in before & set(self._running):
            if job_id not in held:
                self._stop(job_id, "lease_lost")
            elif held[job_id]:
                self._stop(job_id, "cancel")

    async def _progress(self, job: JobRecord, progress: JobProgress) -> None:
        now = self.clock.time()
        held = await self._db.transact(
            lambda conn: queue.set_progress(
                conn, job.job_id, owner=self.owner, progress=progress, now=now
            )
        )
        if not held:
            _log.warning(
                "job %s: progress %r not recorded (lease lost)", job.job_id, progress.stage
            )

    async def _reply(self, job: JobRecord, text: str) -> bool:
        now = self.clock.time()
        message = await self._db.transact(lambda conn: self._stage_reply(conn, job, text, now))
        self._replies.sent(message)
        return message is not None


def _next_tick(origin: float, now: float, interval: float) -> float:
    """Return the first time on the grid ``origin + n * interval`` after `now`."""
    return origin + (math.floor((now - origin) / interval) + 1) * interval


def _why(transition: Transition) -> str:
    return "" if transition.error is None else f" ({transition.error})"
