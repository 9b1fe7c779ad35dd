"""Retention: drop events older than a number of days, then the oldest until under a size cap.

Runs on the write connection, in its own transactions. Sessions that lost events are recounted
from what remains (or removed when nothing remains); offsets are left alone, because seqs are
never reused and a consumer behind the oldest event simply reads from the oldest. Freed pages
are handed back with ``PRAGMA incremental_vacuum`` and the WAL is truncated; a full ``VACUUM``
(which rewrites the whole file and blocks writers) is never run here.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Final

from streamsuites.eventlog._queries import used_bytes

if TYPE_CHECKING:
    import sqlite3

    from streamsuites.config.model import Retention

__all__ = ["prune"]

_DAY_US: Final = 86_400_000_000
_MAX_ROUNDS: Final = 32
"""Size pruning deletes in rounds; pages freed in sparse indexes make one estimate short."""
_RECOUNT: Final = (
    "UPDATE sessions SET (event_count, first_seq, last_seq, started_at_us, ended_at_us) ="
    " (SELECT COUNT(*), MIN(seq), MAX(seq), MIN(occurred_at_us), MAX(occurred_at_us)"
    "  FROM events WHERE session_id = ?1) WHERE session_id = ?1"
)
_DROP_EMPTY: Final = (
    "DELETE FROM sessions WHERE session_id = ?1"
    " AND NOT EXISTS (SELECT 1 FROM events WHERE session_id = ?1)"
)


def prune(conn: sqlite3.Connection, retention: Retention, now_us: int) -> int:
    """Apply `retention` as of `now_us`; return how many events were removed."""
    removed = 0
    if retention.days is not None:
        cutoff = now_us - math.ceil(retention.days * _DAY_US)
        removed += _delete(conn, "occurred_at_us < ?", cutoff)
    if retention.max_bytes is not None:
        removed += _prune_size(conn, retention.max_bytes)
    if removed:
        conn.execute("PRAGMA incremental_vacuum")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return removed


def _prune_size(conn: sqlite3.Connection, max_bytes: int) -> int:
    removed = 0
    for _ in range(_MAX_ROUNDS):
        used = used_bytes(conn)
        (count,) = conn.execute("SELECT COUNT(*) FROM events").fetchone()
        if used <= max_bytes or count == 0:
            break
        # Delete the share of events the excess represents, at least 1% so rounds stay few.
        share = max((used - max_bytes) / used, 0.01)
        removed += _delete_oldest(conn, max(1, math.ceil(count * share)))
    return removed


def _delete_oldest(conn: sqlite3.Connection, count: int) -> int:
    row = conn.execute("SELECT seq FROM events ORDER BY seq LIMIT 1 OFFSET ?", (count - 1,))
    found = row.fetchone()
    if found is None:
        return _delete(conn, "1 = ?", 1)
    return _delete(conn, "seq <= ?", int(found[0]))


def _delete(conn: sqlite3.Connection, condition: str, value: int) -> int:
    """Delete the events matching `condition` and repair their sessions, in one transaction."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        sql = f"SELECT DISTINCT session_id FROM events WHERE {condition}"
        touched = [(sid,) for (sid,) in conn.execute(sql, (value,))]
        removed = conn.execute(f"DELETE FROM events WHERE {condition}", (value,)).rowcount
        conn.executemany(_DROP_EMPTY, touched)
        conn.executemany(_RECOUNT, touched)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return int(removed)
