"""Persisting the interactive state in the runtime's SQLite database, so a restart resumes.

Each creator's state is one JSON snapshot row (:meth:`InteractiveEngine.snapshot`); the offset
of the last event log entry the state includes is stored in the same transaction, so state and
offset never disagree after a crash: on start, load both and replay the log after the offset.

The store is small and synchronous; the runtime calls it through ``asyncio.to_thread``. It opens
its own connection to the database file the event log uses (which has already set WAL mode), and
waits up to :data:`BUSY_TIMEOUT_MS` for the log's writer to release a lock.
"""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

__all__ = ["BUSY_TIMEOUT_MS", "InteractiveStore"]

BUSY_TIMEOUT_MS: Final = 5000

_TABLES: Final = (
    """CREATE TABLE IF NOT EXISTS interactive_state (
        creator_id TEXT PRIMARY KEY,
        state      TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS interactive_offset (
        id     INTEGER PRIMARY KEY CHECK (id = 1),
        log_offset INTEGER NOT NULL
    )""",
)


class InteractiveStore:
    """The interactive tables of one database file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE … COMMIT).
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        for statement in _TABLES:
            self._conn.execute(statement)

    def load(self) -> tuple[dict[str, dict[str, Any]], int | None]:
        """Return each creator's saved state and the offset it includes (None: never saved)."""
        rows = self._conn.execute("SELECT creator_id, state FROM interactive_state").fetchall()
        states = {creator_id: json.loads(text) for creator_id, text in sorted(rows)}
        row = self._conn.execute(
            "SELECT log_offset FROM interactive_offset WHERE id = 1"
        ).fetchone()
        return states, None if row is None else int(row[0])

    def save(self, snapshot: Mapping[str, bytes], offset: int) -> None:
        """Store `snapshot` (from :meth:`InteractiveEngine.snapshot`) and `offset` atomically."""
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany(
                "INSERT INTO interactive_state (creator_id, state) VALUES (?, ?) "
                "ON CONFLICT (creator_id) DO UPDATE SET state = excluded.state",
                [(creator_id, data.decode()) for creator_id, data in sorted(snapshot.items())],
            )
            conn.execute(
                "INSERT INTO interactive_offset (id, log_offset) VALUES (1, ?) "
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
