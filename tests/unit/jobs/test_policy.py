from __future__ import annotations

import random

import pytest

from streamsuites.jobs import JobKind, JobOutcome, JobStatus, RetryPolicy
from streamsuites.jobs.policy import SHUTDOWN, interrupted, refusal, retry_delay, settle

NOW = 1_000.0


async def _never(ctx: object) -> JobOutcome:
    raise AssertionError("not run")


KIND = JobKind(name="clip", handler=_never, max_attempts=3, retry=RetryPolicy(base=10, cap=60))


@pytest.mark.parametrize(
    ("attempt", "low", "high"),
    [(1, 5, 10), (2, 10, 20), (3, 20, 40), (4, 30, 60), (50, 30, 60), (10_000, 30, 60)],
)
def test_retry_delay_doubles_up_to_the_cap_with_jitter_in_the_upper_half(attempt, low, high):
    rng = random.Random(1)
    delays = [retry_delay(attempt, RetryPolicy(base=10, cap=60), rng) for _ in range(200)]
    assert all(low <= d <= high for d in delays)
    assert len(set(delays)) > 100, "jittered, not one fixed delay"


def test_success_keeps_result_and_reply():
    t = settle(
        JobOutcome.succeeded({"url": "u"}, reply="ready: u"),
        attempt=1,
        kind=KIND,
        now=NOW,
        rng=random.Random(1),
    )
    assert (t.status, t.result, t.reply, t.error) == (
        JobStatus.SUCCEEDED,
        {"url": "u"},
        "ready: u",
        None,
    )


def test_failure_is_retried_with_backoff_while_attempts_remain():
    t = settle(JobOutcome.failed("boom"), attempt=2, kind=KIND, now=NOW, rng=random.Random(1))
    assert t.status is JobStatus.QUEUED
    assert t.error == "boom"
    assert t.run_at is not None and NOW + 10 <= t.run_at <= NOW + 20


def test_failure_on_the_last_attempt_gives_up():
    t = settle(JobOutcome.failed("boom"), attempt=3, kind=KIND, now=NOW, rng=random.Random(1))
    assert (t.status, t.error) == (JobStatus.FAILED, "gave up after 3 attempt(s): boom")


def test_retry_later_waits_exactly_as_asked_and_counts_as_an_attempt():
    later = JobOutcome.retry_later(42, "source not live yet")
    t = settle(later, attempt=1, kind=KIND, now=NOW, rng=random.Random(1))
    assert (t.status, t.run_at, t.error) == (JobStatus.QUEUED, NOW + 42, "source not live yet")
    last = settle(later, attempt=3, kind=KIND, now=NOW, rng=random.Random(1))
    assert last.status is JobStatus.FAILED


def test_refusal_is_a_visible_failed_result_replied_to_chat_and_never_retried():
    t = settle(
        JobOutcome.refused("clip longer than 30s"),
        attempt=1,
        kind=KIND,
        now=NOW,
        rng=random.Random(1),
    )
    assert (t.status, t.refused, t.error, t.result, t.reply) == (
        JobStatus.FAILED,
        True,
        "clip longer than 30s",
        {"refused": "clip longer than 30s"},
        "clip longer than 30s",
    )


def test_shutdown_requeues_without_counting_and_cancel_ends_the_job():
    requeue = interrupted(now=NOW, cancelled_by=None)
    assert (requeue.status, requeue.uncount, requeue.run_at, requeue.error) == (
        JobStatus.QUEUED,
        True,
        NOW,
        SHUTDOWN,
    )
    cancel = interrupted(now=NOW, cancelled_by="cancelled by operator")
    assert (cancel.status, cancel.uncount) == (JobStatus.CANCELLED, False)


def test_creator_limit_refuses_when_full():
    t = refusal(kind="clip", running=1, limit=1, last_start=None, cooldown=0, now=NOW)
    assert t is not None and t.refused
    assert t.error == "1 clip job is already running (limit 1)"
    assert refusal(kind="clip", running=1, limit=2, last_start=None, cooldown=0, now=NOW) is None
    assert refusal(kind="clip", running=9, limit=None, last_start=None, cooldown=0, now=NOW) is None


def test_cooldown_refuses_until_it_has_passed():
    t = refusal(kind="clip", running=0, limit=1, last_start=NOW - 100.5, cooldown=120, now=NOW)
    assert t is not None and t.error == "clip is on cooldown: try again in 20s"
    assert (
        refusal(kind="clip", running=0, limit=1, last_start=NOW - 120, cooldown=120, now=NOW)
        is None
    )
    assert refusal(kind="clip", running=0, limit=1, last_start=NOW - 1, cooldown=0, now=NOW) is None


def test_a_kind_rejects_nonsense_settings():
    with pytest.raises(ValueError, match="positive"):
        JobKind(name="clip", handler=_never, max_attempts=0)
