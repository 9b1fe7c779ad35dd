"""The read side: SQL for the queries replay, overlays and consumers make.

Every function takes a read connection and runs in a reader thread. Rows are decoded with the
canonical :func:`streamsuites.events.decode_event`, so a read returns exactly what was appended.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from streamsuites.eventlog import LoggedEvent, LogStats, Page, Session
from streamsuites.eventlog._schema import from_us
from streamsuites.events import decode_event

if TYPE_CHECKING:
    import sqlite3

    from streamsuites.eventlog import EventFilter

__all__ = [
    "between",
    "offset",
    "page",
    "read_after",
    "sessions",
    "stats",
    "tail",
    "used_bytes",
]

_SELECT: Final = "SELECT seq, session_id, body FROM events WHERE "


def _where(where: EventFilter | None) -> tuple[str, list[Any]]:
    """Return extra ``AND`` clauses and their parameters for `where`."""
    if where is None:
        return "", []
    clauses: list[str] = []
    params: list[Any] = []
    for column, value in (
        ("creator_id", where.creator_id),
        ("platform", where.platform),
        ("session_id", where.session_id),
    ):
        if value is not None:
            clauses.append(f" AND {column} = ?")
            params.append(value)
    if where.kinds:
        clauses.append(f" AND kind IN ({','.join('?' * len(where.kinds))})")
        params.extend(where.kinds)
    return "".join(clauses), params


def _events(
    conn: sqlite3.Connection, condition: str, params: list[Any], where: EventFilter | None,
    order: str, limit: int,
) -> list[LoggedEvent]:  # fmt: skip
    extra, extra_params = _where(where)
    sql = f"{_SELECT}{condition}{extra} ORDER BY {order} LIMIT ?"
    rows = conn.execute(sql, [*params, *extra_params, limit])
    return [
        LoggedEvent(seq=seq, session_id=sid, event=decode_event(body)) for seq, sid, body in rows
    ]


def read_after(
    conn: sqlite3.Connection, seq: int, limit: int, where: EventFilter | None
) -> list[LoggedEvent]:
    """Return events after `seq`, oldest first."""
    return _events(conn, "seq > ?", [seq], where, "seq", limit)


def tail(conn: sqlite3.Connection, limit: int, where: EventFilter | None) -> list[LoggedEvent]:
    """Return the newest `limit` events, oldest first."""
    newest = _events(conn, "1", [], where, "seq DESC", limit)
    newest.reverse()
    return newest


def between(
    conn: sqlite3.Connection, start_us: int, end_us: int, where: EventFilter | None, limit: int
) -> list[LoggedEvent]:
    """Return events that occurred in [start, end), oldest first (seq breaks ties)."""
    condition = "occurred_at_us >= ? AND occurred_at_us < ?"
    return _events(conn, condition, [start_us, end_us], where, "occurred_at_us, seq", limit)


def page(
    conn: sqlite3.Connection, cursor: int | None, limit: int, where: EventFilter | None,
    backwards: bool,
) -> Page:  # fmt: skip
    """Return up to `limit` events after `cursor` (before it going backwards), in seq order.

    ``next_cursor`` is the seq to pass for the following page in the same direction, or
    ``None`` when there is nothing more that way. One extra row is read to know that.
    """
    if backwards:
        condition, params = ("seq < ?", [cursor]) if cursor is not None else ("1", [])
        rows = _events(conn, condition, params, where, "seq DESC", limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        rows.reverse()
        return Page(events=tuple(rows), next_cursor=rows[0].seq if more else None)
    rows = _events(conn, "seq > ?", [cursor or 0], where, "seq", limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(events=tuple(rows), next_cursor=rows[-1].seq if more else None)


def sessions(
    conn: sqlite3.Connection, creator_id: str | None, platform: str | None, limit: int
) -> list[Session]:
    """Return sessions, the most recently started first."""
    sql = (
        "SELECT session_id, creator_id, platform, channel, stream_id, started_at_us,"
        " ended_at_us, event_count, first_seq, last_seq FROM sessions"
        " WHERE (?1 IS NULL OR creator_id = ?1) AND (?2 IS NULL OR platform = ?2)"
        " ORDER BY started_at_us DESC, first_seq DESC LIMIT ?3"
    )
    return [_session(row) for row in conn.execute(sql, (creator_id, platform, limit))]


def _session(row: tuple[Any, ...]) -> Session:
    sid, creator, platform, channel, stream, started, ended, count, first, last = row
    return Session(
        session_id=sid, creator_id=creator, platform=platform, channel=channel, stream_id=stream,
        started_at=from_us(started), ended_at=from_us(ended), event_count=count,
        first_seq=first, last_seq=last,
    )  # fmt: skip


def offset(conn: sqlite3.Connection, consumer: str) -> int:
    """Return the committed offset of `consumer`, 0 if none."""
    row = conn.execute("SELECT seq FROM offsets WHERE consumer = ?", (consumer,)).fetchone()
    return 0 if row is None else int(row[0])


def used_bytes(conn: sqlite3.Connection) -> int:
    """Return the bytes the database's live pages take (free pages not counted)."""
    (pages,) = conn.execute("PRAGMA page_count").fetchone()
    (free,) = conn.execute("PRAGMA freelist_count").fetchone()
    (size,) = conn.execute("PRAGMA page_size").fetchone()
    return (int(pages) - int(free)) * int(size)


def stats(conn: sqlite3.Connection) -> LogStats:
    """Return the log's totals; ``last_seq`` counts pruned events too."""
    # Three statements: SQLite answers a lone MAX() from an index, a combined one by a scan.
    (count,) = conn.execute("SELECT COUNT(*) FROM events").fetchone()
    (highest,) = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()
    (last_us,) = conn.execute("SELECT MAX(occurred_at_us) FROM events").fetchone()
    (stored,) = conn.execute("SELECT value FROM meta WHERE key = 'last_seq'").fetchone()
    return LogStats(
        event_count=int(count),
        last_seq=max(int(highest), int(stored)),
        last_event_at=None if last_us is None else from_us(int(last_us)),
        size_bytes=used_bytes(conn),
    )
