"""The live hub, subscriptions and feeds over a real event log on disk (no sockets)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from streamsuites.eventlog import LoggedEvent
from streamsuites.eventlog.sqlite import SqliteEventLog
from streamsuites.testing import FakeClock
from streamsuites.web.live import ClientTooSlowError, Feed, Hub, Selector, event_json
from tests.unit.web.harness import chat, deletion

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def log(tmp_path: Path) -> AsyncIterator[SqliteEventLog]:
    log = SqliteEventLog(tmp_path / "events.db")
    await log.start()
    yield log
    await log.close()


def seqs(events: list[LoggedEvent]) -> list[int]:
    return [e.seq for e in events]


async def test_event_json_is_the_canonical_event_plus_seq(log: SqliteEventLog) -> None:
    result = await log.append([chat("hi <b>")])
    [logged] = result.appended
    import json

    body = json.loads(bytes(event_json(logged)))
    assert body["seq"] == logged.seq and body["text"] == "hi <b>" and body["kind"] == "chat_message"


async def test_selector_matches_each_filter_and_narrows_the_log_query() -> None:
    selector = Selector(
        creators=frozenset({"alice"}), platforms=frozenset({"twitch", "youtube"}),
        kinds=frozenset({"moderation"}),
    )  # fmt: skip
    assert selector.matches(deletion("x"))
    assert not selector.matches(chat("x"))
    assert not selector.matches(deletion("x", creator="bob"))
    where = selector.log_filter()
    assert (where.creator_id, where.platform, where.kinds) == ("alice", None, ("moderation",))
    assert Selector().matches(chat("anything"))


async def test_hub_starts_at_the_end_and_offers_only_new_events(log: SqliteEventLog) -> None:
    await log.append([chat("old")])
    hub = Hub(log, FakeClock())
    await hub.start()
    subscription = hub.subscribe(Selector())
    await log.append([chat("new 1"), chat("new 2")])
    assert await hub.pump() == 2
    taken = await subscription.take(0)
    assert [e.event.text for e in taken] == ["new 1", "new 2"]
    assert hub.position == 3


async def test_a_full_buffer_drops_the_subscription_without_waiting(log: SqliteEventLog) -> None:
    dropped: list[str] = []
    hub = Hub(log, FakeClock(), capacity=3, on_drop=lambda: dropped.append("hub"))
    await hub.start()
    slow = hub.subscribe(Selector(), on_drop=lambda: dropped.append("client"))
    fast = hub.subscribe(Selector(kinds=frozenset({"moderation"})))
    await log.append([chat(f"m{i}") for i in range(4)] + [deletion("m0")])
    await hub.pump()
    assert slow.dropped and not fast.dropped
    assert dropped == ["client", "hub"] and hub.dropped == 1 and hub.clients == 1
    with pytest.raises(ClientTooSlowError):
        await slow.take(0)
    assert [e.event.action for e in await fast.take(0)] == ["message_deleted"]  # type: ignore[union-attr]


async def test_take_times_out_empty(log: SqliteEventLog) -> None:
    hub = Hub(log, FakeClock())
    await hub.start()
    assert await hub.subscribe(Selector()).take(0.01) == []


async def test_feed_catches_up_to_the_hub_position_then_serves_live_once(
    log: SqliteEventLog,
) -> None:
    hub = Hub(log, FakeClock())
    await hub.start()
    await log.append([chat(f"m{i}") for i in range(5)])
    await hub.pump()
    subscription = hub.subscribe(Selector())
    # Appended but not yet pumped: the catch-up must stop at the hub's position, and the live
    # feed must carry these exactly once.
    await log.append([chat("m5"), chat("m6")])
    feed = Feed(hub, log, subscription, cursor=2)
    caught_up = await feed.next(0)
    assert seqs(caught_up) == [3, 4, 5]
    await hub.pump()
    assert seqs(await feed.next(0)) == [6, 7]
    assert await feed.next(0) == []


async def test_feed_skips_live_events_it_already_sent(log: SqliteEventLog) -> None:
    hub = Hub(log, FakeClock())
    await hub.start()
    subscription = hub.subscribe(Selector())
    await log.append([chat(f"m{i}") for i in range(3)])
    await hub.pump()
    feed = Feed(hub, log, subscription, cursor=2)
    assert seqs(await feed.next(0)) == [3]


async def test_rewind_replays_from_the_log_then_continues_live(log: SqliteEventLog) -> None:
    hub = Hub(log, FakeClock())
    await hub.start()
    subscription = hub.subscribe(Selector())
    feed = Feed(hub, log, subscription, subscription.position)
    await log.append([chat(f"m{i}") for i in range(3)])
    await hub.pump()
    assert seqs(await feed.next(0)) == [1, 2, 3]
    await log.append([chat("m3")])
    await hub.pump()
    feed.rewind(1)
    # The catch-up reads up to the hub's position (4); the queued live copy of 4 is skipped.
    assert seqs(await feed.next(0)) == [2, 3, 4]
    assert await feed.next(0) == []


async def test_rewind_while_waiting_puts_the_live_events_after_the_catch_up(
    log: SqliteEventLog,
) -> None:
    hub = Hub(log, FakeClock())
    await hub.start()
    subscription = hub.subscribe(Selector())
    feed = Feed(hub, log, subscription, subscription.position)
    await log.append([chat("m0"), chat("m1")])
    await hub.pump()
    assert seqs(await feed.next(0)) == [1, 2]
    waiting = asyncio.create_task(feed.next(5))
    await asyncio.sleep(0)
    feed.rewind(0)
    await log.append([chat("m2")])
    await hub.pump()
    assert await waiting == []
    assert seqs(await feed.next(0)) == [1, 2]
    assert seqs(await feed.next(0)) == [3]


async def test_filtered_catch_up_reads_past_non_matching_events(log: SqliteEventLog) -> None:
    hub = Hub(log, FakeClock())
    await hub.start()
    await log.append([chat(f"m{i}") for i in range(3)] + [deletion("m1")])
    await hub.pump()
    selector = Selector(kinds=frozenset({"moderation"}))
    feed = Feed(hub, log, hub.subscribe(selector), cursor=0)
    assert seqs(await feed.next(0)) == [4]
    assert feed.cursor == 4


async def test_close_drops_every_subscription(log: SqliteEventLog) -> None:
    hub = Hub(log, FakeClock())
    await hub.start()
    subscriptions = [hub.subscribe(Selector()) for _ in range(3)]
    hub.close()
    assert hub.clients == 0 and all(s.dropped for s in subscriptions)
