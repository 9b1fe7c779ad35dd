from __future__ import annotations

import asyncio

import pytest

from streamsuites.actions import outbox
from streamsuites.actions.dispatcher import OutboxDispatcher
from streamsuites.actions.outbox import (
    INTERRUPTED_SENDING,
    OutboundMessage,
    OutboxStatus,
    OutboxStore,
    SendOutcome,
)
from tests.unit.actions.factory import FakeSender

TTL = 60.0


def message(n: int, platform: str = "twitch") -> OutboundMessage:
    return OutboundMessage(
        action_id=f"act_{n}", creator_id="alice", platform=platform, channel="c", text=f"m{n}"
    )


async def queue(db, clock, *messages: OutboundMessage) -> None:
    for m in messages:
        await db.transact(
            lambda conn, m=m: outbox.insert_message(conn, m, now=clock.time(), ttl=TTL)
        )


async def statuses(db) -> list[tuple[str, OutboxStatus, str | None]]:
    return [(r.message.action_id, r.status, r.reason) for r in await OutboxStore(db).rows()]


@pytest.fixture
def dispatcher(db, clock, state) -> OutboxDispatcher:
    return OutboxDispatcher(db, creator_id="alice", platform="twitch", clock=clock, state=state)


@pytest.mark.asyncio
async def test_delivers_in_order_and_only_its_own_connector(db, clock, dispatcher):
    sender = FakeSender()
    dispatcher.register(sender)
    await queue(db, clock, message(1), message(2, platform="kick"), message(3))

    assert await dispatcher.run_once() == 2

    assert [m.text for m in sender.sent] == ["m1", "m3"]
    assert await statuses(db) == [
        ("act_1", OutboxStatus.DELIVERED, None),
        ("act_2", OutboxStatus.QUEUED, None),
        ("act_3", OutboxStatus.DELIVERED, None),
    ]
    assert dispatcher.stats.delivered == 2
    (row, *_) = await OutboxStore(db).rows()
    assert row.attempts == 1


@pytest.mark.asyncio
async def test_a_refused_message_fails_with_its_reason_and_is_reported(
    db, clock, state, dispatcher
):
    dispatcher.register(FakeSender([SendOutcome.failed("msg_banned")]))
    await queue(db, clock, message(1))

    await dispatcher.run_once()

    assert await statuses(db) == [("act_1", OutboxStatus.FAILED, "msg_banned")]
    assert dispatcher.stats.failed == 1
    assert state.errors[-1].error_type == "outbox_failed"
    assert state.errors[-1].source == "twitch:alice"


@pytest.mark.asyncio
async def test_retry_after_pauses_the_dispatcher_and_keeps_the_order(db, clock, dispatcher):
    sender = FakeSender([SendOutcome.retry(5, "rate limited")])
    dispatcher.register(sender)
    await queue(db, clock, message(1), message(2))

    assert await dispatcher.run_once() == 0
    assert await statuses(db) == [
        ("act_1", OutboxStatus.QUEUED, "rate limited"),
        ("act_2", OutboxStatus.QUEUED, None),
    ]
    clock.advance(4.9)
    assert await dispatcher.run_once() == 0
    clock.advance(0.1)
    assert await dispatcher.run_once() == 2

    assert [m.text for m in sender.sent] == ["m1", "m1", "m2"]
    assert (await OutboxStore(db).get("act_1")).attempts == 2  # type: ignore[union-attr]


@pytest.mark.asyncio
async def test_without_a_sender_rows_wait_then_expire_with_the_reason(db, clock, state, dispatcher):
    await queue(db, clock, message(1))
    assert await dispatcher.run_once() == 0
    clock.advance(TTL - 1)
    assert await dispatcher.run_once() == 0
    assert await statuses(db) == [("act_1", OutboxStatus.QUEUED, None)]

    clock.advance(1)
    assert await dispatcher.run_once() == 1

    assert await statuses(db) == [("act_1", OutboxStatus.EXPIRED, "no sender for twitch connected")]
    assert dispatcher.stats.expired == 1
    assert state.errors[-1].error_type == "outbox_expired"


@pytest.mark.asyncio
async def test_a_row_kept_waiting_by_the_platform_expires_with_the_last_reason(
    db, clock, dispatcher
):
    dispatcher.register(FakeSender([SendOutcome.retry(TTL * 2, "slow down")]))
    await queue(db, clock, message(1))
    await dispatcher.run_once()
    clock.advance(TTL)

    await dispatcher.run_once()

    assert await statuses(db) == [
        ("act_1", OutboxStatus.EXPIRED, "not delivered within its time to live (last: slow down)")
    ]


@pytest.mark.asyncio
async def test_unregistered_sender_is_not_used(db, clock, dispatcher):
    sender = FakeSender()
    dispatcher.register(sender)
    dispatcher.unregister(sender)
    dispatcher.unregister(FakeSender())
    await queue(db, clock, message(1))

    await dispatcher.run_once()

    assert sender.sent == []
    assert await statuses(db) == [("act_1", OutboxStatus.QUEUED, None)]


@pytest.mark.asyncio
async def test_a_raising_sender_fails_the_row_not_the_loop(db, clock, dispatcher):
    class Raising:
        async def send(self, message: OutboundMessage) -> SendOutcome:
            raise ConnectionResetError("socket closed")

    dispatcher.register(Raising())
    await queue(db, clock, message(1), message(2))

    assert await dispatcher.run_once() == 2

    reason = "sender raised ConnectionResetError: socket closed"
    assert await statuses(db) == [
        ("act_1", OutboxStatus.FAILED, reason),
        ("act_2", OutboxStatus.FAILED, reason),
    ]


@pytest.mark.asyncio
async def test_a_row_left_sending_by_a_crash_is_failed_not_resent(db, clock, dispatcher):
    await queue(db, clock, message(1))
    await db.transact(lambda conn: outbox.mark_sending(conn, "act_1", clock.time()))
    sender = FakeSender()
    dispatcher.register(sender)

    assert await dispatcher.recover() == ["act_1"]
    await dispatcher.run_once()

    assert sender.sent == []
    assert await statuses(db) == [("act_1", OutboxStatus.FAILED, INTERRUPTED_SENDING)]


@pytest.mark.asyncio
async def test_queueing_an_action_twice_is_refused(db, clock):
    await queue(db, clock, message(1))
    with pytest.raises(Exception, match="UNIQUE"):
        await queue(db, clock, message(1))


@pytest.mark.asyncio
async def test_run_recovers_then_delivers_when_a_sender_registers(db, clock, state):
    dispatcher = OutboxDispatcher(
        db, creator_id="alice", platform="twitch", clock=clock, state=state, poll_interval=3600
    )
    await queue(db, clock, message(1))
    task = asyncio.create_task(dispatcher.run())
    try:
        sender = FakeSender()
        dispatcher.register(sender)
        async with asyncio.timeout(10):  # generous: a loaded CI disk makes commits slow
            while not dispatcher.stats.delivered:
                await asyncio.sleep(0.005)
        assert [m.text for m in sender.sent] == ["m1"]
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
