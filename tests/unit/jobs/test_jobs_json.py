"""jobs.json as the job system feeds it: records → views → document."""

from __future__ import annotations

from streamsuites.jobs import JobProgress, JobRecord, JobStatus
from streamsuites.state.jobs import build_jobs

NOW = 1_767_225_600.0  # 2026-01-01T00:00:00Z


def record(job_id: str, status: JobStatus, **fields: object) -> JobRecord:
    base: dict[str, object] = {
        "job_id": job_id,
        "kind": "clip",
        "creator_id": "alice",
        "payload": {"request": {"text": "!clip 10 secret words"}},
        "status": status,
        "attempts": 1,
        "last_error": None,
        "created_at": NOW - 60,
        "updated_at": NOW - 30,
        "next_run_at": NOW - 60,
    }
    base.update(fields)
    return JobRecord(**base)  # type: ignore[arg-type]


def test_a_job_shows_progress_result_refusal_and_when_it_runs_next_but_not_its_payload():
    running = record(
        "r",
        JobStatus.RUNNING,
        progress=JobProgress(stage="encoding", at=NOW - 5, detail={"pct": 40}),
    )
    refused = record(
        "x", JobStatus.FAILED, refused=True, last_error="cooldown", result={"refused": "cooldown"}
    )
    retrying = record("q", JobStatus.QUEUED, next_run_at=NOW + 30, last_error="source offline")
    document = build_jobs([running.view(), refused.view(), retrying.view()], now=NOW)

    by_id = {job["id"]: job for job in document["jobs"]}
    assert by_id["r"]["progress"] == {
        "stage": "encoding",
        "at": "2025-12-31T23:59:55.000Z",
        "detail": {"pct": 40},
    }
    assert by_id["r"]["next_run_at"] is None
    assert (by_id["x"]["status"], by_id["x"]["refused"], by_id["x"]["result"]) == (
        "failed",
        True,
        {"refused": "cooldown"},
    )
    assert by_id["q"]["next_run_at"] == "2026-01-01T00:00:30.000Z"
    assert all("payload" not in job for job in document["jobs"])
    assert "secret" not in str(document)


def test_metrics_count_each_status_by_kind_and_prefer_the_databases_totals():
    views = [
        record("a", JobStatus.SUCCEEDED).view(),
        record("b", JobStatus.FAILED, refused=True).view(),
        record("c", JobStatus.QUEUED, kind="upload").view(),
    ]
    metrics = build_jobs(views, now=NOW)["metrics"]
    assert metrics == {
        "queued": 1,
        "running": 0,
        "succeeded": 1,
        "failed": 1,
        "by_kind": {
            "clip": {
                "queued": 0,
                "running": 0,
                "succeeded": 1,
                "failed": 1,
                "cancelled": 0,
                "refused": 1,
            },
            "upload": {
                "queued": 1,
                "running": 0,
                "succeeded": 0,
                "failed": 0,
                "cancelled": 0,
                "refused": 0,
            },
        },
    }
    totals = {("clip", "succeeded"): 900, ("clip", "running"): 2, ("clip", "refused"): 0}
    counted = build_jobs(views, now=NOW, limit=1, totals=totals)
    assert len(counted["jobs"]) == 1
    assert (counted["metrics"]["succeeded"], counted["metrics"]["running"]) == (900, 2)
    assert list(counted["metrics"]["by_kind"]) == ["clip"]
