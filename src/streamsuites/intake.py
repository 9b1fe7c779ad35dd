"""The runtime's single entry for events: connectors append through it, shutdown closes it."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from streamsuites.connectors.base import IntakeClosedError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from streamsuites.eventlog import AppendResult, EventLog
    from streamsuites.events import Event

__all__ = ["Intake"]


class Intake:
    """Forwards events to the log until closed; `close` waits for appends already under way.

    `on_append` is called after every append that stored something new (the action executor's
    wake-up).
    """

    def __init__(self, log: EventLog, *, on_append: Callable[[], None] | None = None) -> None:
        self._log = log
        self._on_append = on_append
        self._closed = False
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def closed(self) -> bool:
        """Whether shutdown has begun."""
        return self._closed

    async def submit(self, events: Sequence[Event]) -> AppendResult:
        """Append `events` durably; raise :class:`IntakeClosedError` once closed."""
        if self._closed:
            raise IntakeClosedError("the runtime is shutting down")
        self._in_flight += 1
        self._idle.clear()
        try:
            result = await self._log.append(events)
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()
        if result.appended and self._on_append is not None:
            self._on_append()
        return result

    async def close(self) -> None:
        """Refuse new events and wait until every append under way has committed."""
        self._closed = True
        await self._idle.wait()
