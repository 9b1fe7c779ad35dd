"""Which session each appended event belongs to, decided in the writer thread.

An event naming a ``stream_id`` belongs to the session of ``(creator, platform, stream_id)``.
An event without one belongs to the latest stream-less session of ``(creator, platform,
channel)``, unless it occurred more than ``gap`` after that session's last event: then it opens
a new session. A session's id is ``<creator>:<platform>:<first seq>``, stable for its lifetime.

The tracker caches the committed state of the sessions it has seen. A batch works on copies
(:class:`SessionBatch`) that reach the cache only after the batch's transaction committed, so a
rolled-back batch leaves the cache as true as the database.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Final, TypeAlias

if TYPE_CHECKING:
    import sqlite3

__all__ = ["SessionBatch", "SessionRow", "SessionTracker"]

_COLUMNS: Final = (
    "session_id, creator_id, platform, channel, stream_id, started_at_us, ended_at_us,"
    " event_count, first_seq, last_seq"
)
_BY_STREAM: Final = (
    f"SELECT {_COLUMNS} FROM sessions WHERE creator_id = ? AND platform = ? AND stream_id = ?"
    " ORDER BY last_seq DESC LIMIT 1"
)
_BY_CHANNEL: Final = (
    f"SELECT {_COLUMNS} FROM sessions WHERE creator_id = ? AND platform = ?"
    " AND stream_id IS NULL AND channel = ? ORDER BY last_seq DESC LIMIT 1"
)
_UPSERT: Final = (
    f"INSERT INTO sessions ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (session_id) DO UPDATE SET started_at_us = excluded.started_at_us,"
    " ended_at_us = excluded.ended_at_us, event_count = excluded.event_count,"
    " first_seq = excluded.first_seq, last_seq = excluded.last_seq"
)

# ("s", creator, platform, stream_id) or ("g", creator, platform, channel)
_Key: TypeAlias = tuple[str, str, str, str]


@dataclass(slots=True, kw_only=True)
class SessionRow:
    """One row of the ``sessions`` table."""

    session_id: str
    creator_id: str
    platform: str
    channel: str
    stream_id: str | None
    started_at_us: int
    ended_at_us: int
    event_count: int
    first_seq: int
    last_seq: int

    def add(self, occurred_at_us: int, seq: int) -> None:
        """Count one more event of this session."""
        self.started_at_us = min(self.started_at_us, occurred_at_us)
        self.ended_at_us = max(self.ended_at_us, occurred_at_us)
        self.event_count += 1
        self.last_seq = seq

    def as_params(self) -> tuple[object, ...]:
        """Return the row's values in ``_COLUMNS`` order."""
        return (
            self.session_id, self.creator_id, self.platform, self.channel, self.stream_id,
            self.started_at_us, self.ended_at_us, self.event_count, self.first_seq, self.last_seq,
        )  # fmt: skip


def _row(values: tuple[Any, ...]) -> SessionRow:
    sid, creator, platform, channel, stream, started, ended, count, first, last = values
    return SessionRow(
        session_id=sid,
        creator_id=creator,
        platform=platform,
        channel=channel,
        stream_id=stream,
        started_at_us=started,
        ended_at_us=ended,
        event_count=count,
        first_seq=first,
        last_seq=last,
    )


class SessionTracker:
    """The committed state of recently used sessions, for the writer thread only."""

    def __init__(self, gap_us: int) -> None:
        self.gap_us = gap_us
        self._cache: dict[_Key, SessionRow] = {}

    def batch(self, conn: sqlite3.Connection) -> SessionBatch:
        """Start assigning the sessions of one transaction's events."""
        return SessionBatch(self, conn)

    def committed(self, rows: dict[_Key, SessionRow]) -> None:
        """Take a committed batch's sessions into the cache."""
        self._cache.update(rows)

    def clear(self) -> None:
        """Forget the cache (after retention rewrote the sessions table)."""
        self._cache.clear()

    def load(self, conn: sqlite3.Connection, key: _Key) -> SessionRow | None:
        """Return the committed session for `key`, from the cache or the database."""
        row = self._cache.get(key)
        if row is None:
            sql = _BY_STREAM if key[0] == "s" else _BY_CHANNEL
            found = conn.execute(sql, key[1:]).fetchone()
            if found is not None:
                row = self._cache[key] = _row(found)
        return row


class SessionBatch:
    """Session assignment for one transaction; :meth:`flush` writes the touched rows."""

    def __init__(self, tracker: SessionTracker, conn: sqlite3.Connection) -> None:
        self._tracker = tracker
        self._conn = conn
        self.rows: dict[_Key, SessionRow] = {}
        """The current session of each key this batch touched."""
        self._touched: dict[str, SessionRow] = {}

    def assign(
        self, creator: str, platform: str, channel: str, stream: str | None, at_us: int, seq: int
    ) -> str:
        """Return the session id of the event at `seq`, creating or extending its session."""
        stream = stream or None
        key: _Key = (
            ("s", creator, platform, stream) if stream else ("g", creator, platform, channel)
        )
        row = self.rows.get(key)
        if row is None:
            row = self._start(key)
        if row is None or (stream is None and at_us - row.ended_at_us > self._tracker.gap_us):
            row = SessionRow(
                session_id=f"{creator}:{platform}:{seq}", creator_id=creator, platform=platform,
                channel=channel, stream_id=stream, started_at_us=at_us, ended_at_us=at_us,
                event_count=0, first_seq=seq, last_seq=seq,
            )  # fmt: skip
            self.rows[key] = self._touched[row.session_id] = row
        row.add(at_us, seq)
        return row.session_id

    def _start(self, key: _Key) -> SessionRow | None:
        committed = self._tracker.load(self._conn, key)
        if committed is None:
            return None
        row = self.rows[key] = self._touched[committed.session_id] = replace(committed)
        return row

    def flush(self) -> None:
        """Write every session this batch touched."""
        self._conn.executemany(_UPSERT, [row.as_params() for row in self._touched.values()])
