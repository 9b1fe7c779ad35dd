"""A drift-free ticker for periodic work, on an injected clock.

Tick ``n`` is due at ``start + n * interval`` on the monotonic clock, so time spent handling a
tick does not push later ticks back. A consumer that falls more than one interval behind does
not get a burst of catch-up ticks: the missed ones are skipped and counted in ``skipped``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from streamsuites.clock import Clock

__all__ = ["Tick", "every"]


@dataclass(frozen=True, slots=True)
class Tick:
    """One tick: its index since start and how many ticks were skipped just before it."""

    index: int
    skipped: int = 0


async def every(interval: float, clock: Clock, *, immediate: bool = True) -> AsyncIterator[Tick]:
    """Yield a :class:`Tick` every `interval` seconds; the first at once if `immediate`."""
    if interval <= 0:
        raise ValueError(f"interval must be positive, got {interval}")
    start = clock.monotonic()
    index = 0 if immediate else 1
    skipped = 0
    while True:
        delay = start + index * interval - clock.monotonic()
        if delay > 0:
            await clock.sleep(delay)
        yield Tick(index, skipped)
        index, skipped = _next_index(start, index, interval, clock.monotonic())


def _next_index(start: float, index: int, interval: float, now: float) -> tuple[int, int]:
    """Return the next tick to fire after `index` at `now` and how many are skipped."""
    late = now - (start + (index + 1) * interval)
    skipped = math.floor(late / interval) if late >= interval else 0
    return index + 1 + skipped, skipped
