"""SIGKILL the runtime while a job runs; after a restart the job finishes exactly once.

The child (tests/integration/jobs_child.py) is the real Runtime with a real job worker. The
first child is killed while its job blocks, leaving the job ``running`` under a lease nobody
renews; the second child reclaims it when the lease expires, runs it again and finishes it.
The side effects (lines appended and fsynced by the handler and the chat sender) are counted.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from tests.support import REPO

if TYPE_CHECKING:
    from collections.abc import Callable

CONFIG = {
    "tiers.json": {"tiers": {"pro": {"label": "Pro", "features": {}}}},
    "creators.json": {"creators": [{
        "creator_id": "alice", "tier": "pro",
        "platforms": {"twitch": {"enabled": True, "channel": "alice"}},
    }]},
    "triggers.json": {"triggers": []},
}  # fmt: skip


def prepare(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    for name, body in CONFIG.items():
        (config / name).write_text(json.dumps(body))


def start_child(tmp_path: Path, mode: str, name: str) -> subprocess.Popen[bytes]:
    args = [str(tmp_path / d) for d in ("config", "data", "state")] + [str(tmp_path), mode]
    with (tmp_path / f"{name}.log").open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.integration.jobs_child", *args],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def job_row(tmp_path: Path) -> tuple[str, int, str | None, str | None]:
    with sqlite3.connect(tmp_path / "data" / "streamsuites.db") as db:
        row = db.execute(
            "SELECT status, attempts, lease_owner, last_error FROM jobs WHERE job_id = 'crash-job'"
        ).fetchone()
    assert row is not None
    status, attempts, owner, error = row
    return str(status), int(attempts), owner, error


def wait_until(condition: Callable[[], bool], process: subprocess.Popen[bytes]) -> None:
    # Across processes the only signal is the files the child fsyncs; poll them briefly.
    deadline = time.monotonic() + 30
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"child exited with {process.returncode}; see its .log")
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


def stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=30)


def test_a_job_killed_mid_run_is_reclaimed_after_restart_and_finishes_once(tmp_path):
    prepare(tmp_path)
    first = start_child(tmp_path, "block", "first")
    try:
        wait_until(lambda: lines(tmp_path / "starts.txt") == ["start 1"], first)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    status, attempts, owner, _ = job_row(tmp_path)
    assert (status, attempts) == ("running", 1), "the kill left the job running under a lease"
    assert owner is not None

    second = start_child(tmp_path, "finish", "second")
    try:
        wait_until(lambda: lines(tmp_path / "sent.txt") == ["job done"], second)
    finally:
        assert stop(second) == 0

    assert lines(tmp_path / "starts.txt") == ["start 1", "start 2"]
    assert lines(tmp_path / "done.txt") == ["done"]
    assert lines(tmp_path / "sent.txt") == ["job done"]
    status, attempts, owner, error = job_row(tmp_path)
    assert (status, attempts, owner) == ("succeeded", 2, None)
    assert error is not None and error.startswith("lease expired")


def test_a_stop_during_a_job_requeues_it_without_counting_the_attempt(tmp_path):
    prepare(tmp_path)
    child = start_child(tmp_path, "block", "child")
    try:
        wait_until(lambda: lines(tmp_path / "starts.txt") == ["start 1"], child)
    finally:
        code = stop(child)
    assert code == 0
    assert job_row(tmp_path) == ("queued", 0, None, "interrupted by shutdown; queued again")
    assert lines(tmp_path / "done.txt") == []
