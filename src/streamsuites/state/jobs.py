"""``jobs.json``: recent jobs and their totals, built without I/O.

The job system hands :func:`build_jobs` a :class:`JobView` per job it knows; the file keeps the
most recently updated `limit` of them, while the totals count every job given.
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


def build_jobs(
    jobs: Sequence[JobView],
    *,
    now: float,
    limit: int = HISTORY_LIMIT,
    trigger_cooldowns: Mapping[str, Mapping[str, float]] | None = None,
) -> dict[str, Any]:
    """Return jobs.json: recent jobs oldest first, totals, and trigger cooldowns by creator."""
    recent = sorted(jobs, key=lambda j: (j.updated_at, j.job_id))[-limit:] if limit > 0 else []
    return {
        **header(now),
        "jobs": [_job(j) for j in sorted(recent, key=lambda j: (j.created_at, j.job_id))],
        "metrics": _metrics(jobs),
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
    }


def _metrics(jobs: Sequence[JobView]) -> dict[str, Any]:
    statuses = Counter(j.status for j in jobs)
    kinds = Counter(j.kind for j in jobs)
    return {
        **{status: statuses[status] for status in _COUNTED},
        "by_kind": dict(sorted(kinds.items())),
    }


def _cooldowns(cooldowns: Mapping[str, Mapping[str, float]]) -> dict[str, dict[str, str | None]]:
    return {
        creator: {key: iso(at) for key, at in sorted(keys.items())}
        for creator, keys in sorted(cooldowns.items())
    }
