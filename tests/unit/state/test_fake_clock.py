from __future__ import annotations

import asyncio

import pytest

from streamsuites.testing import FakeClock


@pytest.mark.asyncio
async def test_auto_advance_sleep_moves_time() -> None:
    clock = FakeClock(start=100.0)
    await clock.sleep(5.0)
    assert (clock.time(), clock.monotonic(), clock.sleeps) == (105.0, 5.0, [5.0])


@pytest.mark.asyncio
async def test_manual_clock_wakes_sleepers_when_advanced() -> None:
    clock = FakeClock(auto_advance=False)
    task = asyncio.create_task(clock.sleep(10.0))
    await asyncio.sleep(0)
    assert clock.sleeping == 1
    clock.advance(9.0)
    await asyncio.sleep(0)
    assert not task.done()
    clock.advance(1.0)
    await task
    assert clock.sleeping == 0


def test_time_never_goes_back() -> None:
    with pytest.raises(ValueError, match="back"):
        FakeClock().advance(-1.0)
