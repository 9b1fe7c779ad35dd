"""The SQLite schema of the event log and how a connection to it is opened.

Duplicates are found through ``event_key``, a 63-bit checksum of ``event_id`` with a plain
index, and then by comparing the ``event_id`` strings themselves, so a checksum collision costs
one extra row read, never a lost event. A UNIQUE index on the ~45-byte id text measured 10-35%
slower appends: random keys dirty about one index page per insert, and small keys mean fewer
pages to dirty and to write to the WAL.

``PRAGMA user_version`` holds :data:`SCHEMA_VERSION`. A new file is created with
``auto_vacuum = INCREMENTAL`` (it can only be chosen before the first table exists), so that
retention can hand freed pages back to the file system without a full ``VACUUM``.
"""

from __future__ import annotations

import sqlite3
import zlib
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Final

from streamsuites.errors import Error

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "SCHEMA_VERSION",
    "SYNCHRONOUS_MODES",
    "connect_reader",
    "connect_writer",
    "event_key",
    "from_us",
    "to_us",
]

SCHEMA_VERSION: Final = 1
SYNCHRONOUS_MODES: Final = ("OFF", "NORMAL", "FULL", "EXTRA")
BUSY_TIMEOUT_MS: Final = 5_000
WRITER_CACHE_KIB: Final = 65_536
"""Page cache of the write connection: keeps the random-access ``event_key`` index in memory."""
WAL_AUTOCHECKPOINT_PAGES: Final = 10_000
"""About 40 MB of WAL between checkpoints; fewer checkpoints means fewer rewrites of hot pages."""

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)

_TABLES: Final = """
CREATE TABLE events (
    seq            INTEGER PRIMARY KEY,
    event_id       TEXT    NOT NULL,
    event_key      INTEGER NOT NULL,
    creator_id     TEXT    NOT NULL,
    platform       TEXT    NOT NULL,
    channel        TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    session_id     TEXT    NOT NULL,
    occurred_at_us INTEGER NOT NULL,
    received_at_us INTEGER NOT NULL,
    body           BLOB    NOT NULL
);
CREATE INDEX events_by_key ON events (event_key);
CREATE INDEX events_by_source ON events (creator_id, platform, seq);
CREATE INDEX events_by_time ON events (occurred_at_us);
CREATE INDEX events_by_session ON events (session_id, seq);
CREATE TABLE sessions (
    session_id    TEXT    PRIMARY KEY,
    creator_id    TEXT    NOT NULL,
    platform      TEXT    NOT NULL,
    channel       TEXT    NOT NULL,
    stream_id     TEXT,
    started_at_us INTEGER NOT NULL,
    ended_at_us   INTEGER NOT NULL,
    event_count   INTEGER NOT NULL,
    first_seq     INTEGER NOT NULL,
    last_seq      INTEGER NOT NULL
);
CREATE INDEX sessions_by_key ON sessions (creator_id, platform, stream_id, channel, last_seq);
CREATE TABLE offsets (
    consumer TEXT    PRIMARY KEY,
    seq      INTEGER NOT NULL
);
CREATE TABLE meta (
    key   TEXT    PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO meta (key, value) VALUES ('last_seq', 0);
"""


def event_key(event_id: str) -> int:
    """Return the 63-bit lookup key of `event_id` (stable across processes, unlike hash())."""
    data = event_id.encode()
    return (zlib.crc32(data) << 31) ^ zlib.adler32(data)


def to_us(moment: datetime) -> int:
    """Return `moment` (aware) as integer microseconds since the Unix epoch, exactly."""
    return (moment - _EPOCH) // _MICROSECOND


def from_us(micros: int) -> datetime:
    """Return the aware UTC datetime for integer epoch microseconds."""
    return _EPOCH + timedelta(microseconds=micros)


def _connect(path: Path, *, check_same_thread: bool) -> sqlite3.Connection:
    # isolation_level=None: the writer issues BEGIN/COMMIT itself; reads run in autocommit.
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=check_same_thread)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def connect_writer(path: Path, *, synchronous: str) -> sqlite3.Connection:
    """Open the one write connection: create or check the schema, WAL, `synchronous`."""
    if synchronous.upper() not in SYNCHRONOUS_MODES:
        raise ValueError(f"synchronous must be one of {SYNCHRONOUS_MODES}, not {synchronous!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = _connect(path, check_same_thread=True)
    try:
        _prepare(conn, synchronous.upper())
    except BaseException:
        conn.close()
        raise
    return conn


def _prepare(conn: sqlite3.Connection, synchronous: str) -> None:
    conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise Error(f"event log: could not switch to WAL (journal_mode is {mode})")
    conn.execute(f"PRAGMA synchronous = {synchronous}")
    conn.execute(f"PRAGMA cache_size = -{WRITER_CACHE_KIB}")
    conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version == 0:
        _create(conn)
    elif version != SCHEMA_VERSION:
        raise Error(f"event log schema version {version} is not supported ({SCHEMA_VERSION})")


def _create(conn: sqlite3.Connection) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        for statement in _TABLES.split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def connect_reader(path: Path) -> sqlite3.Connection:
    """Open a read-only connection; it may be closed from another thread once idle."""
    conn = _connect(path, check_same_thread=False)
    conn.execute("PRAGMA query_only = 1")
    return conn
