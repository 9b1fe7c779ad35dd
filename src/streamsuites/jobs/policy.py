"""The job system's decisions, as pure functions of the facts and `now`.

What a job's outcome means for its next state (:func:`settle`), how long to wait before the
next attempt (:func:`retry_delay`), and whether a creator's limits let a new job start
(:func:`refusal`). The worker and the queue's SQL only carry these decisions out, so they are
tested here with plain values and a seeded random generator.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from streamsuites.jobs.model import JobOutcome, JobStatus

if TYPE_CHECKING:
    import random

    from streamsuites.jobs.model import JobKind, RetryPolicy

__all__ = [
    "CANCELLED_BY_OPERATOR",
    "LEASE_LOST",
    "SHUTDOWN",
    "Transition",
    "failure",
    "interrupted",
    "refusal",
    "retry_delay",
    "settle",
]

SHUTDOWN: Final = "interrupted by shutdown; queued again"
LEASE_LOST: Final = "lease expired: the worker running it stopped (crash or kill)"
CANCELLED_BY_OPERATOR: Final = "cancelled by operator"


@dataclass(frozen=True, slots=True, kw_only=True)
class Transition:
    """The state a running job moves to when its attempt ends."""

    status: JobStatus
    error: str | None = None
    result: dict[str, Any] | None = None
    run_at: float | None = None
    """For ``queued``: when it may run again."""
    refused: bool = False
    uncount: bool = False
    """Give the attempt back: it was interrupted, not tried (shutdown)."""
    reply: str | None = field(default=None, compare=False)


def retry_delay(attempt: int, policy: RetryPolicy, rng: random.Random) -> float:
    """Return the wait after failed attempt number `attempt` (from 1): half to all of the step."""
    # The exponent is capped so a job retried for days never overflows a float.
    step = min(policy.cap, policy.base * 2.0 ** min(max(attempt - 1, 0), 32))
    return rng.uniform(step / 2, step)


def settle(
    outcome: JobOutcome, *, attempt: int, kind: JobKind, now: float, rng: random.Random
) -> Transition:
    """Return where a job goes after attempt `attempt` returned `outcome`."""
    if outcome.status == "succeeded":
        return Transition(status=JobStatus.SUCCEEDED, result=outcome.result, reply=outcome.reply)
    if outcome.status == "refused":
        reason = outcome.reason or "refused"
        return _refused(reason, outcome.reply)
    reason = outcome.reason or outcome.status
    if attempt >= kind.max_attempts:
        given_up = f"gave up after {attempt} attempt(s): {reason}"
        return Transition(status=JobStatus.FAILED, error=given_up, reply=outcome.reply)
    wait = outcome.retry_after if outcome.status == "retry_later" else None
    if wait is None:
        wait = retry_delay(attempt, kind.retry, rng)
    return Transition(status=JobStatus.QUEUED, error=reason, run_at=now + wait)


def failure(
    reason: str, *, attempt: int, kind: JobKind, now: float, rng: random.Random
) -> Transition:
    """Return where a job goes after an attempt that raised or timed out."""
    return settle(JobOutcome.failed(reason), attempt=attempt, kind=kind, now=now, rng=rng)


def interrupted(*, now: float, cancelled_by: str | None) -> Transition:
    """Return where a job goes when the worker stopped it: cancelled on request, else queued."""
    if cancelled_by is not None:
        return Transition(status=JobStatus.CANCELLED, error=cancelled_by)
    return Transition(status=JobStatus.QUEUED, error=SHUTDOWN, run_at=now, uncount=True)


def _refused(reason: str, reply: str | None) -> Transition:
    return Transition(
        status=JobStatus.FAILED,
        error=reason,
        result={"refused": reason},
        refused=True,
        reply=reason if reply is None else reply,
    )


def refusal(
    *,
    kind: str,
    running: int,
    limit: int | None,
    last_start: float | None,
    cooldown: float,
    now: float,
) -> Transition | None:
    """Return the refusal of a creator's new job, or None if its limits let it start.

    `running` counts the creator's running jobs of `kind`, `last_start` is when the latest one
    started (None: never).
    """
    if limit is not None and running >= limit:
        noun = "job is" if running == 1 else "jobs are"
        return _refused(f"{running} {kind} {noun} already running (limit {limit})", None)
    if last_start is not None and cooldown > 0 and now < last_start + cooldown:
        wait = math.ceil(last_start + cooldown - now)
        return _refused(f"{kind} is on cooldown: try again in {wait}s", None)
    return None
