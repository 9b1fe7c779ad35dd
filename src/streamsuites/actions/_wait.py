"""Waiting for work: a wake-up call or a timeout on the runtime's clock, whichever is first."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from streamsuites.clock import Clock

__all__ = ["wait_for_wake"]


async def wait_for_wake(wake: asyncio.Event, clock: Clock, timeout: float) -> None:
    """Return when `wake` is set or `timeout` seconds pass on `clock`; then clear `wake`."""
    if not wake.is_set():
        sleeper = asyncio.ensure_future(clock.sleep(timeout))
        waiter = asyncio.ensure_future(wake.wait())
        try:
            await asyncio.wait((sleeper, waiter), return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, waiter):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
    wake.clear()
