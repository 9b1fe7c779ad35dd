"""Kill a process with SIGKILL while it appends; nothing it was told is stored may be lost."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHILD = Path(__file__).with_name("eventlog_child.py")
ROUNDS = 3
APPEND_SECONDS = 1.5
OVERLAP = 300


def _acked_while_appending(db: Path, start: int) -> set[str]:
    """Run the appending child, collect its acks for a while, then SIGKILL it mid-stream."""
    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(db), "append", str(start)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    acked: set[str] = set()
    deadline = time.monotonic() + APPEND_SECONDS
    try:
        while time.monotonic() < deadline or not acked:
            line = child.stdout.readline()
            assert line, f"child ended early with {child.wait()}"
            acked.update(line.split()[1:])
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    return acked


def _redeliver(db: Path, start: int, end: int) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, str(CHILD), str(db), "redeliver", str(start), str(end)],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    report: dict[str, object] = json.loads(done.stdout)
    return report


def _index(event_id: str) -> int:
    return int(event_id.rsplit("-", 1)[1])


def _check_database(db: Path, acked: set[str]) -> None:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        stored = {row[0] for row in conn.execute("SELECT event_id FROM events")}
        total, distinct = conn.execute(
            "SELECT COUNT(*), COUNT(DISTINCT event_id) FROM events"
        ).fetchone()
    finally:
        conn.close()
    assert acked <= stored, f"{len(acked - stored)} acknowledged events lost"
    assert total == distinct, "an event is stored twice"


@pytest.mark.slow
def test_acknowledged_appends_survive_sigkill_and_redelivery_is_deduplicated(
    tmp_path: Path,
) -> None:
    db = tmp_path / "events.db"
    acked_total: set[str] = set()
    start = 0
    for _ in range(ROUNDS):
        acked = _acked_while_appending(db, start)
        acked_total |= acked
        highest = max(_index(event_id) for event_id in acked)
        low, high = highest - OVERLAP, highest + OVERLAP
        report = _redeliver(db, low, high)
        appended = set(report["appended"])  # type: ignore[call-overload]
        acked_in_range = {e for e in acked if low <= _index(e) < high}
        assert not appended & acked_in_range, "an acknowledged event was appended again"
        assert report["duplicates"] == (high - low) - len(appended)
        assert len(acked_in_range) <= report["duplicates"]
        _check_database(db, acked_total | appended)
        start = high + 1_000
