"""The job system's values: statuses, records, outcomes and the declaration of a job kind.

Nothing here does I/O. A handler is an async function of a :class:`JobContext` (defined by the
worker) that returns a :class:`JobOutcome`; the worker turns the outcome into the job's next
state. Each kind declares its timeout, attempts and backoff once, in its :class:`JobKind`, the
way arq declares them per function, so the retry policy is never scattered through handlers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeAlias

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Awaitable, Callable, Mapping

    from streamsuites.state.jobs import JobView

__all__ = [
    "JobContext",
    "JobHandler",
    "JobKind",
    "JobOutcome",
    "JobProgress",
    "JobRecord",
    "JobStatus",
    "RetryPolicy",
]


class JobStatus(StrEnum):
    """Where a job stands."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    """Stopped on purpose; not a failed try."""


@dataclass(frozen=True, slots=True, kw_only=True)
class JobProgress:
    """The last stage a running job reported, with its details."""

    stage: str
    at: float
    detail: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON form stored in the table."""
        return {"stage": self.stage, "at": self.at, "detail": dict(self.detail)}


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
    next_run_at: float = 0.0
    started_at: float | None = None
    finished_at: float | None = None
    lease_owner: str | None = None
    lease_expires_at: float | None = None
    heartbeat_at: float | None = None
    cancel_requested: bool = False
    refused: bool = False
    """Ended by a limit (concurrency, cooldown, duration cap), not by an error."""
    result: dict[str, Any] | None = None
    progress: JobProgress | None = None

    def view(self) -> JobView:
        """Return what ``jobs.json`` shows of this job."""
        # Imported here: the state package imports, through the config and the actions, the
        # jobs package, so a module-level import would be circular.
        from streamsuites.state.jobs import JobView  # noqa: PLC0415

        return JobView(
            job_id=self.job_id,
            kind=self.kind,
            status=self.status.value,
            creator_id=self.creator_id,
            created_at=self.created_at,
            started_at=self.started_at,
            finished_at=self.finished_at,
            updated_at=self.updated_at,
            attempts=self.attempts,
            error=self.last_error,
            refused=self.refused,
            next_run_at=self.next_run_at if self.status is JobStatus.QUEUED else None,
            progress=None if self.progress is None else self.progress.as_dict(),
            result=self.result,
        )


@dataclass(frozen=True, slots=True)
class JobOutcome:
    """What a handler made of one attempt.

    `reply` is chat text for the chat the job came from (if it came from chat); a refusal
    replies with its reason unless told otherwise.
    """

    status: Literal["succeeded", "failed", "retry_later", "refused"]
    result: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    retry_after: float = 0.0
    reply: str | None = None

    @classmethod
    def succeeded(
        cls, result: Mapping[str, Any] | None = None, *, reply: str | None = None
    ) -> JobOutcome:
        """Return "done"; `result` is kept on the record and shown by ``jobs show``."""
        return cls("succeeded", dict(result or {}), reply=reply)

    @classmethod
    def failed(cls, reason: str, *, reply: str | None = None) -> JobOutcome:
        """Return "this attempt failed": retried with backoff while attempts remain."""
        return cls("failed", reason=reason, reply=reply)

    @classmethod
    def retry_later(cls, seconds: float, reason: str) -> JobOutcome:
        """Run again in `seconds` (counts as an attempt, so it cannot loop for ever)."""
        return cls("retry_later", reason=reason, retry_after=max(seconds, 0.0))

    @classmethod
    def refused(cls, reason: str, *, reply: str | None = None) -> JobOutcome:
        """Return a limit's no: the job ends ``failed`` with the reason and is not retried."""
        return cls("refused", reason=reason, reply=reason if reply is None else reply)


class JobContext(Protocol):
    """What a handler gets: the job, its attempt, time, progress, replies and cancellation."""

    @property
    def job(self) -> JobRecord:
        """The job as it was claimed (payload included)."""
        ...

    @property
    def attempt(self) -> int:
        """Return the number of this attempt, from 1."""
        ...

    @property
    def cancelled(self) -> asyncio.Event:
        """Return the event set just before the worker cancels the handler (cancel, timeout)."""
        ...

    def now(self) -> float:
        """Return the worker clock's wall time."""
        ...

    async def progress(self, stage: str, **detail: object) -> None:
        """Record the stage reached; visible in ``jobs.json`` and ``jobs show``."""
        ...

    async def reply(self, text: str) -> bool:
        """Send `text` to the chat the job came from; False if it did not come from chat."""
        ...


JobHandler: TypeAlias = "Callable[[JobContext], Awaitable[JobOutcome]]"
"""A job kind's code: one attempt in, its outcome out."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    """Capped exponential backoff between failed attempts, with full jitter.

    The delay before attempt ``n + 1`` is drawn from ``[cap_n / 2, cap_n]`` where ``cap_n`` is
    ``min(cap, base * 2 ** (n - 1))``: the lower half keeps retries of many jobs that failed
    together from landing at the same instant, while never retrying sooner than half the step.
    """

    base: float = 5.0
    cap: float = 300.0


def _unlimited(creator_id: str) -> int | None:
    return None


def _no_cooldown(creator_id: str) -> float:
    return 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class JobKind:
    """How jobs of one kind run: handler, time budget, retries and limits.

    `concurrency` bounds running jobs of this kind across the whole database (jobs wait for
    a slot). `creator_limit(creator_id)` bounds one creator's running jobs of this kind (None:
    no limit) and `creator_cooldown(creator_id)` the seconds between two of them; a new job
    over either is refused with a reason rather than held back, as a chat command expects an
    answer now, not a clip in ten minutes.
    """

    name: str
    handler: JobHandler
    timeout: float = 600.0
    max_attempts: int = 3
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    concurrency: int = 2
    creator_limit: Callable[[str], int | None] = _unlimited
    creator_cooldown: Callable[[str], float] = _no_cooldown

    def __post_init__(self) -> None:
        if self.timeout <= 0 or self.max_attempts < 1 or self.concurrency < 1:
            raise ValueError(
                f"job kind {self.name!r}: timeout, max_attempts, concurrency must be positive"
            )
