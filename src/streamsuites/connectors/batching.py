"""Hand a connector's events to the runtime in batches, so reading never waits on a commit.

A connector that appended every line and waited for it would read one line per durable SQLite
commit (about a millisecond with ``synchronous=FULL``). :class:`EventBatcher` takes events at
once and a single task appends them in arrival order: while one batch commits, the next one
fills, so a busy chat is stored in large group commits. Memory stays bounded: past `limit`
queued events, :meth:`EventBatcher.add` waits for the writer (backpressure on the socket).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import TracebackType

    from streamsuites.connectors.base import ConnectorLink
    from streamsuites.events import Event

__all__ = ["EventBatcher"]

DEFAULT_LIMIT: Final = 10_000
FLUSH_TIMEOUT: Final = 5.0
"""How long closing waits for the queued events to be appended before giving up on them."""


class EventBatcher:
    """``async with EventBatcher(link) as batcher: await batcher.add(events)``.

    Leaving the block appends what is still queued (within :data:`FLUSH_TIMEOUT`). A failed
    append (for example the runtime closing its intake) is raised by the next :meth:`add`.
    """

    def __init__(self, link: ConnectorLink, *, limit: int = DEFAULT_LIMIT) -> None:
        self._link = link
        self._limit = limit
        self._queue: list[Event] = []
        self._ready = asyncio.Event()
        self._room = asyncio.Event()
        self._room.set()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> EventBatcher:
        self._task = asyncio.create_task(self._append_forever(), name="event-batcher")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        task = self._task
        if task is None:
            return
        if not task.done():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(FLUSH_TIMEOUT):
                    await self._flushed()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task

    async def add(self, events: Sequence[Event]) -> None:
        """Queue `events` for appending, waiting while the queue is full."""
        self._raise_if_failed()
        while len(self._queue) >= self._limit:
            self._room.clear()
            await self._room.wait()
            self._raise_if_failed()
        self._queue.extend(events)
        self._idle.clear()
        self._ready.set()

    async def _flushed(self) -> None:
        while self._queue or not self._idle.is_set():
            if self._task is None or self._task.done():
                return
            await self._idle.wait()

    def _raise_if_failed(self) -> None:
        if self._task is not None and self._task.done():
            self._task.result()

    async def _append_forever(self) -> None:
        try:
            while True:
                await self._ready.wait()
                self._ready.clear()
                batch, self._queue = self._queue, []
                self._room.set()
                if batch:
                    await self._link.emit(batch)
                if not self._queue:
                    self._idle.set()
        finally:
            # Wake anyone waiting for room or a flush, so a failed append is seen at once.
            self._room.set()
            self._idle.set()
