"""Waiting for whichever comes first: a wake-up call, a timeout on the runtime's clock, a change.

The loops of the runtime (the action executor, the outbox dispatchers, the live hub, the job
worker, a clip waiting for its post-roll) sleep on the runtime's :class:`~streamsuites.clock.Clock`
so tests can move time, and wake early when there is work. These two helpers are that pattern.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from streamsuites.clock import Clock

__all__ = ["first_of", "wait_for_wake"]


async def first_of(*waits: Awaitable[object]) -> None:
    """Return when the first of `waits` completes; cancel the others and wait for them.

    An exception raised by a wait that completed is raised here.
    """
    tasks = [asyncio.ensure_future(wait) for wait in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def wait_for_wake(wake: asyncio.Event, clock: Clock, timeout: float) -> None:
    """Return when `wake` is set or `timeout` seconds pass on `clock`; then clear `wake`."""
    if not wake.is_set():
        await first_of(clock.sleep(timeout), wake.wait())
    wake.clear()
