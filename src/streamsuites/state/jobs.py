"""``jobs.json``: recent jobs and their totals, built without I/O.

The job system hands :func:`build_jobs` a :class:`JobView` per job it knows; the file keeps the
most recently updated `limit` of them. The totals count every job given, or, when the job
system passes `totals` (counted by the database over the whole table), those: a history that
is bounded must not make the counters forget.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from streamsuites.state.render import header, iso

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = ["HISTORY_LIMIT", "JobView", "build_jobs"]

HISTORY_LIMIT = 200

_COUNTED = ("queued", "running", "succeeded", "failed")
_BY_KIND = (*_COUNTED, "cancelled", "refused")


@dataclass(frozen=True, slots=True, kw_only=True)
class JobView:
    """What the dashboard shows of one job."""

    job_id: str
    kind: str
    status: str
    """``queued``, ``running``, ``succeeded``, ``failed`` or another status of the job system."""
    creator_id: str | None = None
    created_at: float
    started_at: float | None = None
    finished_at: float | None = None
    updated_at: float
    attempts: int = 0
    error: str | None = None
    refused: bool = False
    """Ended ``failed`` by a limit (concurrency, cooldown, duration cap) rather than an error."""
    next_run_at: float | None = None
    """For a queued job: when it may run (later than now while it waits to retry)."""
    progress: Mapping[str, Any] | None = None
    """The last stage reported: ``{stage, at, detail}``."""
    result: Mapping[str, Any] | None = None


def build_jobs(
    jobs: Sequence[JobView],
    *,
    now: float,
    limit: int = HISTORY_LIMIT,
    trigger_cooldowns: Mapping[str, Mapping[str, float]] | None = None,
    totals: Mapping[tuple[str, str], int] | None = None,
) -> dict[str, Any]:
    """Return jobs.json: recent jobs oldest first, totals, and trigger cooldowns by creator.

    `totals` maps ``(kind, status)`` to a count, ``status`` being a job status or
    ``"refused"`` (refused jobs are also counted as ``failed``).
    """
    counts = _count(jobs) if totals is None else totals
    recent = sorted(jobs, key=lambda j: (j.updated_at, j.job_id))[-limit:] if limit > 0 else []
    return {
        **header(now),
        "jobs": [_job(j) for j in sorted(recent, key=lambda j: (j.created_at, j.job_id))],
        "metrics": _metrics(counts),
        "triggers": _cooldowns(trigger_cooldowns or {}),
    }


def _job(job: JobView) -> dict[str, Any]:
    return {
        "id": job.job_id,
        "type": job.kind,
        "creator_id": job.creator_id,
        "status": job.status,
        "created_at": iso(job.created_at),
        "started_at": iso(job.started_at),
        "finished_at": iso(job.finished_at),
        "updated_at": iso(job.updated_at),
        "attempts": job.attempts,
        "error": job.error,
        "refused": job.refused,
        "next_run_at": iso(job.next_run_at),
        "progress": _progress(job.progress),
        "result": None if job.result is None else dict(job.result),
    }


def _progress(progress: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if progress is None:
        return None
    return {
        "stage": progress.get("stage"),
        "at": iso(progress.get("at")),
        "detail": dict(progress.get("detail") or {}),
    }


def _count(jobs: Sequence[JobView]) -> Counter[tuple[str, str]]:
    counts = Counter((j.kind, j.status) for j in jobs)
    counts.update((j.kind, "refused") for j in jobs if j.refused)
    return counts


def _metrics(counts: Mapping[tuple[str, str], int]) -> dict[str, Any]:
    kinds = sorted({kind for kind, _ in counts})
    return {
        **{status: sum(counts.get((k, status), 0) for k in kinds) for status in _COUNTED},
        "by_kind": {k: {status: counts.get((k, status), 0) for status in _BY_KIND} for k in kinds},
    }


def _cooldowns(cooldowns: Mapping[str, Mapping[str, float]]) -> dict[str, dict[str, str | None]]:
    return {
        creator: {key: iso(at) for key, at in sorted(keys.items())}
        for creator, keys in sorted(cooldowns.items())
    }
