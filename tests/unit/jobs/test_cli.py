from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

import pytest
import pytest_asyncio

from streamsuites.actions.database import ActionDatabase
from streamsuites.jobs import JobOutcome, JobStatus, JobStore
from streamsuites.jobs.cli import add_jobs_command

from .conftest import OPTIONS, Script, harness, kind

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path


def jobs_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="streamsuites")
    add_jobs_command(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["jobs", *argv])
    code: int = args.handler(args)
    return code


@pytest_asyncio.fixture
async def data(tmp_path: Path) -> AsyncIterator[tuple[Path, ActionDatabase]]:
    db = ActionDatabase(tmp_path / "streamsuites.db", synchronous="OFF")
    await db.start()
    yield tmp_path, db
    await db.close()


async def seed(db: ActionDatabase) -> None:
    jobs = JobStore(db)
    await jobs.enqueue(job_id="q1", kind="clip", creator_id="alice", payload={"n": 1}, now=100.0)
    await jobs.enqueue(job_id="r1", kind="clip", creator_id="bob", payload={}, now=101.0)
    await jobs.enqueue(job_id="f1", kind="poll", creator_id="bob", payload={}, now=102.0)
    await jobs.cancel("f1", 103.0)


def test_a_missing_database_is_bad_input(tmp_path, capsys):
    assert jobs_cli("list", "--data-dir", str(tmp_path)) == 2
    assert "no database at" in capsys.readouterr().err


@pytest.mark.asyncio
async def test_list_prints_a_table_and_json(data, capsys):
    path, db = data
    assert jobs_cli("list", "--data-dir", str(path)) == 0
    assert capsys.readouterr().out.strip() == "no jobs"
    await seed(db)

    assert jobs_cli("list", "--data-dir", str(path)) == 0
    header, *rows = capsys.readouterr().out.splitlines()
    assert header.split() == ["ID", "KIND", "CREATOR", "STATUS", "TRIES", "UPDATED", "DETAIL"]
    assert [row.split()[:4] for row in rows] == [
        ["f1", "poll", "bob", "cancelled"],
        ["r1", "clip", "bob", "queued"],
        ["q1", "clip", "alice", "queued"],
    ]
    assert rows[0].endswith("cancelled by operator")

    assert jobs_cli("list", "--data-dir", str(path), "--kind", "clip", "--json") == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(j["id"], j["status"]) for j in listed] == [("r1", "queued"), ("q1", "queued")]


@pytest.mark.asyncio
async def test_show_prints_payload_lease_and_progress(data, capsys):
    path, db = data
    await seed(db)
    assert jobs_cli("show", "q1", "--data-dir", str(path)) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["id"], shown["payload"], shown["lease"]["owner"]) == ("q1", {"n": 1}, None)
    assert shown["next_run_at"] == "1970-01-01T00:01:40.000Z"
    assert jobs_cli("show", "nope", "--data-dir", str(path)) == 2
    assert "no job 'nope'" in capsys.readouterr().err


@pytest.mark.asyncio
async def test_retry_and_cancel_change_only_jobs_in_the_right_state(data, capsys):
    path, db = data
    await seed(db)
    assert jobs_cli("retry", "q1", "--data-dir", str(path)) == 2
    assert "only failed or cancelled jobs retry" in capsys.readouterr().err
    assert jobs_cli("retry", "f1", "--data-dir", str(path)) == 0
    assert jobs_cli("cancel", "q1", "--data-dir", str(path)) == 0
    assert jobs_cli("cancel", "q1", "--data-dir", str(path)) == 2
    assert jobs_cli("cancel", "zz", "--data-dir", str(path)) == 2
    jobs = JobStore(db)
    f1, q1 = await jobs.get("f1"), await jobs.get("q1")
    assert f1 is not None and f1.status is JobStatus.QUEUED
    assert q1 is not None and q1.status is JobStatus.CANCELLED


@pytest.mark.asyncio
async def test_cancel_from_the_cli_reaches_a_running_worker(data, clock, capsys):
    path, db = data
    script = Script()
    h = harness(db, clock, kind(script))
    await JobStore(db).enqueue(
        job_id="j", kind="clip", creator_id="a", payload={}, now=clock.time()
    )
    h.start()
    ctx = await script.started.get()
    await ctx.progress("encoding", percent=40)

    assert jobs_cli("list", "--data-dir", str(path)) == 0
    assert capsys.readouterr().out.splitlines()[1].endswith("stage: encoding")
    assert jobs_cli("cancel", "j", "--data-dir", str(path)) == 0
    assert "next heartbeat" in capsys.readouterr().out
    clock.advance(10)
    _, end = await h.next_end()
    assert end.status is JobStatus.CANCELLED
    assert script.cancelled == ["j"]
    await h.stop()


@pytest.mark.asyncio
async def test_retry_from_the_cli_is_picked_up_by_a_running_worker(data, clock):
    path, db = data
    script = Script()
    clip = kind(script, max_attempts=1)
    await JobStore(db).enqueue(
        job_id="j", kind="clip", creator_id="a", payload={}, now=clock.time()
    )
    h = harness(db, clock, clip)
    h.start()
    await script.started.get()
    await script.outcomes.put(JobOutcome.failed("no source"))
    _, end = await h.next_end()
    assert end.status is JobStatus.FAILED

    assert jobs_cli("retry", "j", "--data-dir", str(path)) == 0
    clock.advance(OPTIONS.poll_interval)  # no notify: found by polling, as from another process
    assert (await script.started.get()).attempt == 1
    await script.outcomes.put(JobOutcome.succeeded())
    await h.next_end()
    await h.stop()
