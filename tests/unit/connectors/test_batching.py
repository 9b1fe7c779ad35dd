from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Literal

import pytest

from streamsuites.connectors.base import IntakeClosedError, WaitingStatus
from streamsuites.connectors.batching import EventBatcher
from streamsuites.eventlog import AppendResult
from streamsuites.events import Event
from streamsuites.testing.scripted import chat_messages


class SlowLink:
    """Records each emit; each one takes a moment, as a durable commit does."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.batches: list[list[str]] = []
        self.fail_after = fail_after

    def connected(self) -> None: ...

    def frame_received(self) -> None: ...

    def notice(self, level: Literal["info", "warning", "error"], message: str) -> None: ...

    def next_frame_at(self, at: float) -> None: ...

    def waiting(
        self, status: WaitingStatus, reason: str, *, until: float | None = None
    ) -> None: ...

    async def emit(self, events: Sequence[Event]) -> AppendResult:
        if self.fail_after is not None and len(self.batches) >= self.fail_after:
            raise IntakeClosedError("closing")
        await asyncio.sleep(0.01)
        self.batches.append([e.event_id for e in events])
        return AppendResult(appended=(), duplicates=0)


@pytest.mark.asyncio
async def test_events_arrive_in_order_in_fewer_larger_batches() -> None:
    link = SlowLink()
    events = chat_messages("alice", "twitch", 200)
    async with EventBatcher(link) as batcher:
        for event in events:
            await batcher.add([event])
    assert [i for batch in link.batches for i in batch] == [e.event_id for e in events]
    assert len(link.batches) < 10  # the first event alone, then everything that queued meanwhile


@pytest.mark.asyncio
async def test_a_full_queue_makes_add_wait_for_the_writer() -> None:
    link = SlowLink()
    events = chat_messages("alice", "twitch", 30)
    async with EventBatcher(link, limit=10) as batcher:
        for event in events:
            await batcher.add([event])
            assert len(batcher._queue) <= 10
    assert sum(len(b) for b in link.batches) == 30


@pytest.mark.asyncio
async def test_a_failed_append_is_raised_by_the_next_add() -> None:
    link = SlowLink(fail_after=1)
    events = chat_messages("alice", "twitch", 3)
    with pytest.raises(IntakeClosedError):
        async with EventBatcher(link) as batcher:
            await batcher.add(events[:1])
            await asyncio.sleep(0.05)  # the first batch is appended
            await batcher.add(events[1:2])
            await asyncio.sleep(0.05)  # the second append fails
            await batcher.add(events[2:])
    assert link.batches == [[events[0].event_id]]


@pytest.mark.asyncio
async def test_leaving_the_block_appends_what_is_still_queued() -> None:
    link = SlowLink()
    events = chat_messages("alice", "twitch", 50)
    with pytest.raises(RuntimeError, match="connection ended"):
        async with EventBatcher(link) as batcher:
            await batcher.add(events)
            raise RuntimeError("connection ended")
    assert [i for batch in link.batches for i in batch] == [e.event_id for e in events]
