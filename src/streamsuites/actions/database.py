"""The actions' own connection to the runtime's SQLite file: audit, outbox and jobs tables.

The event log and these tables share one database file (WAL mode), each through its own
connection. Everything here runs on one worker thread that owns the connection, so calls from
the executor and from every outbox dispatcher are serialized and each :meth:`transact` call is
one SQLite transaction: the audit record and the row it produces commit together or not at all.

Open it after the event log has started: the log chooses the file's ``auto_vacuum`` mode, which
SQLite only accepts before the first table exists.
"""

from __future__ import annotations

import asyncio
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TYPE_CHECKING, Final, TypeVar

from streamsuites.actions import audit, outbox
from streamsuites.errors import ComponentStateError
from streamsuites.jobs import store as job_store

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

__all__ = ["BUSY_TIMEOUT_MS", "ActionDatabase", "in_transaction"]

BUSY_TIMEOUT_MS: Final = 5_000
"""How long a statement waits for the event log's writer to release the write lock."""

T = TypeVar("T")


class ActionDatabase:
    """One connection to `path` on one thread; ``start`` opens it, ``close`` is idempotent.

    `synchronous` is SQLite's setting for this connection: ``FULL`` (default) fsyncs every
    commit, so a recorded action survives a power loss as well as a kill.
    """

    def __init__(self, path: Path, *, synchronous: str = "FULL") -> None:
        self.path = path
        self._synchronous = synchronous
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="actions-db")
        self._conn: sqlite3.Connection | None = None
        self._closed = False

    async def start(self) -> None:
        """Open the file (creating it and the tables if needed); return when ready."""
        if self._conn is not None or self._closed:
            raise ComponentStateError("actions database can only be started once")
        self._conn = await self._run(partial(_open, self.path, self._synchronous))

    async def close(self) -> None:
        """Close the connection and stop the thread; a second call does nothing."""
        if self._closed:
            return
        self._closed = True
        conn, self._conn = self._conn, None
        if conn is not None:
            await self._run(conn.close)
        self._pool.shutdown(wait=False)

    async def read(self, call: Callable[[sqlite3.Connection], T]) -> T:
        """Run `call` with the connection outside any explicit transaction."""
        return await self._run(partial(call, self._connection()))

    async def transact(self, call: Callable[[sqlite3.Connection], T]) -> T:
        """Run `call` in one transaction: committed if it returns, rolled back if it raises."""
        return await self._run(partial(in_transaction, self._connection(), call))

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            state = "closed" if self._closed else "not started"
            raise ComponentStateError(f"actions database is {state}")
        return self._conn

    async def _run(self, call: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, call)


def in_transaction(conn: sqlite3.Connection, call: Callable[[sqlite3.Connection], T]) -> T:
    """Run `call` in one ``BEGIN IMMEDIATE`` transaction on `conn`; roll back if it raises."""
    # IMMEDIATE takes the write lock up front, so a busy event log writer makes us wait
    # (busy_timeout) at BEGIN instead of failing halfway through the transaction.
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = call(conn)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result


def _open(path: Path, synchronous: str) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: transactions are explicit (see in_transaction).
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA synchronous = {_checked(synchronous)}")
        in_transaction(conn, _create_tables)
    except BaseException:
        conn.close()
        raise
    return conn


def _create_tables(conn: sqlite3.Connection) -> None:
    audit.create_table(conn)
    outbox.create_table(conn)
    job_store.create_table(conn)


def _checked(synchronous: str) -> str:
    mode = synchronous.upper()
    if mode not in ("OFF", "NORMAL", "FULL", "EXTRA"):
        raise ValueError(f"unknown synchronous mode {synchronous!r}")
    return mode
