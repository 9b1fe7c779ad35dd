"""A clock for tests: time moves only when the test (or a sleep, if asked) moves it."""

from __future__ import annotations

import asyncio
import heapq
import itertools

__all__ = ["FakeClock"]


class FakeClock:
    """Implements :class:`streamsuites.clock.Clock` with time that tests control.

    With ``auto_advance=True`` (the default) ``sleep(s)`` moves time forward by ``s`` at once
    and yields to the loop, so code that sleeps runs instantly and deterministically. With
    ``auto_advance=False`` a sleep waits until :meth:`advance` moves time past its deadline.
    ``time()`` and ``monotonic()`` move together; ``time()`` starts at `start`.
    """

    def __init__(self, start: float = 1_700_000_000.0, *, auto_advance: bool = True) -> None:
        self._start = start
        self._elapsed = 0.0
        self.auto_advance = auto_advance
        self.sleeps: list[float] = []
        """Every duration passed to :meth:`sleep`, in order."""
        self._waiters: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def time(self) -> float:
        """Return fake wall-clock seconds since the epoch."""
        return self._start + self._elapsed

    def monotonic(self) -> float:
        """Return fake monotonic seconds (elapsed since the clock was made)."""
        return self._elapsed

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` of fake time."""
        self.sleeps.append(seconds)
        if self.auto_advance:
            self.advance(max(seconds, 0.0))
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (self._elapsed + seconds, next(self._order), future))
        self._wake_due()
        await future

    def advance(self, seconds: float) -> None:
        """Move time forward by `seconds` and wake the sleepers whose deadline has passed."""
        if seconds < 0:
            raise ValueError("a clock does not go back")
        self._elapsed += seconds
        self._wake_due()

    @property
    def sleeping(self) -> int:
        """Return how many sleeps are waiting for time to move."""
        return sum(1 for *_, future in self._waiters if not future.done())

    def _wake_due(self) -> None:
        while self._waiters and self._waiters[0][0] <= self._elapsed:
            *_, future = heapq.heappop(self._waiters)
            if not future.done():
                future.set_result(None)
