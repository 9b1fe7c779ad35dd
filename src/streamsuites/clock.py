"""Time as a value: code that decides things takes `now`; the runtime injects a `Clock`."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Protocol

__all__ = ["Clock", "SystemClock", "utc_from_timestamp"]


class Clock(Protocol):
    """Where the runtime reads time from."""

    def time(self) -> float:
        """Return wall-clock seconds since the epoch."""
        ...

    def monotonic(self) -> float:
        """Return seconds on a clock that never goes back, for intervals and deadlines."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` on this clock."""
        ...


class SystemClock:
    """The real clock."""

    def time(self) -> float:
        """Return wall-clock seconds since the epoch."""
        return time.time()

    def monotonic(self) -> float:
        """Return seconds on the monotonic clock."""
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` of real time."""
        await asyncio.sleep(seconds)


def utc_from_timestamp(seconds: float) -> datetime:
    """Return the aware UTC datetime for an epoch timestamp."""
    return datetime.fromtimestamp(seconds, tz=UTC)
