from __future__ import annotations

from streamsuites.state.jobs import JobView, build_jobs

from ._golden import assert_golden
from ._sample import NOW


def job(number: int, status: str, kind: str = "clip") -> JobView:
    return JobView(
        job_id=f"job-{number:03d}",
        kind=kind,
        status=status,
        creator_id="alice1",
        created_at=NOW - 100 + number,
        updated_at=NOW - 50 + number,
    )


def test_jobs_match_golden() -> None:
    jobs = [
        job(1, "succeeded"),
        JobView(
            job_id="job-002",
            kind="clip",
            status="failed",
            creator_id="bobby2",
            created_at=NOW - 90,
            started_at=NOW - 80,
            finished_at=NOW - 70,
            updated_at=NOW - 70,
            attempts=3,
            error="ffmpeg exited with 1",
        ),
        job(3, "running", kind="poll"),
    ]
    cooldowns = {"alice1": {"!clip": NOW - 30}}
    assert_golden("jobs.json", build_jobs(jobs, now=NOW, trigger_cooldowns=cooldowns))


def test_history_is_bounded_but_metrics_count_everything() -> None:
    jobs = [job(n, "succeeded" if n % 2 else "queued") for n in range(300)]
    document = build_jobs(jobs, now=NOW, limit=200)
    assert len(document["jobs"]) == 200
    assert document["jobs"][0]["id"] == "job-100"
    assert document["metrics"] == {
        "queued": 150,
        "running": 0,
        "succeeded": 150,
        "failed": 0,
        "by_kind": {
            "clip": {
                "queued": 150,
                "running": 0,
                "succeeded": 150,
                "failed": 0,
                "cancelled": 0,
                "refused": 0,
            }
        },
    }


def test_empty_today() -> None:
    document = build_jobs([], now=NOW)
    assert document["jobs"] == []
    assert document["triggers"] == {}
