"""The quota ledger on disk: a project's units per quota day, so a restart does not forget them.

It lives in the runtime's SQLite file (``data/streamsuites.db``) beside the event log and the
actions' tables, in its own table. Each call is one short transaction on a connection of its
own, in WAL mode with ``synchronous = NORMAL``: a commit costs tens of microseconds and no
fsync, survives a crash of the process, and may lose the last few charges on a power cut, which
at worst lets the planner spend a few units more than it believes it has. The calls are
synchronous and cheap enough to make from the event loop (benchmarks/youtube_quota.py measures
them). Rows of past days stay; they are a few bytes each and show the history.

Open it after the event log has started: the log chooses the file's ``auto_vacuum`` mode, which
SQLite only accepts before the first table exists.
"""

from __future__ import annotations

import sqlite3
import threading
from typing import TYPE_CHECKING, Final

from streamsuites.connectors.youtube.quota import LedgerDay

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["QuotaStore"]

BUSY_TIMEOUT_MS: Final = 5_000
"""How long a write waits for another connection (the event log's writer) to release the lock."""

_TABLE: Final = """
CREATE TABLE IF NOT EXISTS youtube_quota (
    project_id TEXT NOT NULL,
    day        TEXT NOT NULL,
    units      INTEGER NOT NULL DEFAULT 0,
    exhausted  INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL,
    PRIMARY KEY (project_id, day)
)"""
_ADD: Final = (
    "INSERT INTO youtube_quota (project_id, day, units, updated_at) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (project_id, day)"
    " DO UPDATE SET units = units + excluded.units, updated_at = excluded.updated_at"
)
_EXHAUST: Final = (
    "INSERT INTO youtube_quota (project_id, day, exhausted, updated_at) VALUES (?, ?, 1, ?)"
    " ON CONFLICT (project_id, day) DO UPDATE SET exhausted = 1, updated_at = excluded.updated_at"
)
_LOAD: Final = "SELECT units, exhausted FROM youtube_quota WHERE project_id = ? AND day = ?"


class QuotaStore:
    """The ``youtube_quota`` table of the SQLite file at `path` (created if missing).

    Implements :class:`~streamsuites.connectors.youtube.quota.QuotaLedger`. A lock serializes
    the calls, so the store may be used from the event loop and from worker threads alike.
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: every statement commits at once, a transaction of its own.
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._lock = threading.Lock()
        try:
            self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
            self._conn.execute(_TABLE)
        except BaseException:
            self._conn.close()
            raise

    def load(self, project_id: str, day: str) -> LedgerDay:
        """Return what was recorded for `project_id` on `day` (nothing yet: zero)."""
        with self._lock:
            row = self._conn.execute(_LOAD, (project_id, day)).fetchone()
        return LedgerDay() if row is None else LedgerDay(units=row[0], exhausted=bool(row[1]))

    def add(self, project_id: str, day: str, units: int, now: float) -> None:
        """Add `units` to the day's usage."""
        with self._lock:
            self._conn.execute(_ADD, (project_id, day, units, now))

    def mark_exhausted(self, project_id: str, day: str, now: float) -> None:
        """Record that the platform answered ``quotaExceeded`` on `day`."""
        with self._lock:
            self._conn.execute(_EXHAUST, (project_id, day, now))

    def close(self) -> None:
        """Close the connection; a second call does nothing."""
        with self._lock:
            self._conn.close()
