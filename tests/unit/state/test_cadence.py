from __future__ import annotations

import pytest

from streamsuites.state.cadence import Tick, every
from streamsuites.testing import FakeClock


@pytest.mark.asyncio
async def test_no_drift_over_a_thousand_ticks() -> None:
    clock = FakeClock()
    times: list[float] = []
    async for tick in every(10.0, clock):
        times.append(clock.monotonic())
        clock.advance(0.37)  # work done on each tick must not push the schedule back
        if tick.index == 1000:
            break
    assert times[-1] == pytest.approx(10_000.0, abs=1e-6)
    assert all(t == pytest.approx(n * 10.0, abs=1e-6) for n, t in enumerate(times))


@pytest.mark.asyncio
async def test_a_late_consumer_skips_ticks_instead_of_bursting() -> None:
    clock = FakeClock()
    ticks: list[tuple[Tick, float]] = []
    async for tick in every(10.0, clock):
        ticks.append((tick, clock.monotonic()))
        if tick.index == 0:
            clock.advance(35.0)
        if len(ticks) == 3:
            break
    assert ticks == [(Tick(0), 0.0), (Tick(3, skipped=2), 35.0), (Tick(4), 40.0)]


@pytest.mark.asyncio
async def test_slightly_late_tick_fires_at_once_then_back_on_schedule() -> None:
    clock = FakeClock()
    seen: list[tuple[int, float]] = []
    async for tick in every(10.0, clock, immediate=False):
        seen.append((tick.index, clock.monotonic()))
        if tick.index == 1:
            clock.advance(15.0)
        if len(seen) == 3:
            break
    assert seen == [(1, 10.0), (2, 25.0), (3, 30.0)]


@pytest.mark.asyncio
async def test_interval_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        await anext(every(0, FakeClock()))
