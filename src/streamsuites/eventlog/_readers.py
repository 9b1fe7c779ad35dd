"""A small pool of reader threads, each with its own read connection."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeVar

from streamsuites.eventlog._schema import connect_reader

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable
    from pathlib import Path

__all__ = ["ReaderPool"]

T = TypeVar("T")


class ReaderPool:
    """Runs read functions off the event loop; each thread keeps one connection.

    WAL lets these readers run while the writer commits. A connection is used only by the
    thread that opened it; :meth:`close` closes them all after the threads have stopped.
    """

    def __init__(self, path: Path, size: int) -> None:
        self._path = path
        self._executor = ThreadPoolExecutor(size, thread_name_prefix="eventlog-read")
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []

    async def run(self, read: Callable[[sqlite3.Connection], T]) -> T:
        """Return ``read(connection)``, computed in a reader thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._call, read)

    def _call(self, read: Callable[[sqlite3.Connection], T]) -> T:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = connect_reader(self._path)
            with self._lock:
                self._connections.append(conn)
        return read(conn)

    def close(self) -> None:
        """Wait for running reads, stop the threads and close every connection."""
        self._executor.shutdown(wait=True)
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
