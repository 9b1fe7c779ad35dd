"""Persisting automation state in the runtime's SQLite database, so a restart resumes.

The automation (trigger cooldowns and counts, each creator's polls, tallies and scoreboards) is
saved as named JSON blobs together with the offset of the last log entry they include, in one
transaction, so state and offset never disagree after a crash: on start, load both and carry on
from the offset.

The store is small and synchronous; the runtime calls it through ``asyncio.to_thread``. It opens
its own connection to the database file the event log uses (which has already set WAL mode), and
waits up to :data:`BUSY_TIMEOUT_MS` for another writer to release a lock.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

__all__ = ["BUSY_TIMEOUT_MS", "AutomationStore"]

BUSY_TIMEOUT_MS: Final = 5000

_TABLES: Final = (
    """CREATE TABLE IF NOT EXISTS automation_state (
        name  TEXT PRIMARY KEY,
        state BLOB NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS automation_offset (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        log_offset INTEGER NOT NULL
    )""",
)


class AutomationStore:
    """The automation tables of one database file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE … COMMIT).
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        for statement in _TABLES:
            self._conn.execute(statement)

    def load(self) -> tuple[dict[str, bytes], int | None]:
        """Return every saved blob by name and the offset they include (None: never saved)."""
        rows = self._conn.execute("SELECT name, state FROM automation_state").fetchall()
        blobs = {name: bytes(state) for name, state in sorted(rows)}
        row = self._conn.execute("SELECT log_offset FROM automation_offset WHERE id = 1").fetchone()
        return blobs, None if row is None else int(row[0])

    def save(self, blobs: Mapping[str, bytes], offset: int) -> None:
        """Store `blobs` and `offset` atomically; names not given keep their saved value."""
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany(
                "INSERT INTO automation_state (name, state) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET state = excluded.state",
                sorted(blobs.items()),
            )
            conn.execute(
                "INSERT INTO automation_offset (id, log_offset) VALUES (1, ?) "
                "ON CONFLICT (id) DO UPDATE SET log_offset = excluded.log_offset",
                (offset,),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        """Close the connection; further calls fail."""
        self._conn.close()
