"""``/api/v1/actions`` and the WebSocket's ``actions``: the audit log joined with the outbox."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

import pytest

from streamsuites.actions.audit import ActionResult, AuditLog, Timing
from streamsuites.actions.descriptor import ActionDescriptor
from streamsuites.actions.outbox import (
    OutboundMessage,
    OutboxStatus,
    insert_message,
    mark_done,
    mark_sending,
)
from streamsuites.web import WebOptions
from streamsuites.web.streaming import LiveSettings
from tests.unit.web.harness import T0, serve

if TYPE_CHECKING:
    from pathlib import Path

    from streamsuites.actions.database import ActionDatabase

pytestmark = pytest.mark.asyncio

START = T0.timestamp()


def descriptor(n: int, action_type: str, *, creator: str = "alice") -> ActionDescriptor:
    return ActionDescriptor(
        action_id=f"act_{n}", action_type=action_type, creator_id=creator, platform="twitch",
        trigger_id=f"trigger-{n}", event_id=f"twitch:e{n}", payload={}, created_at=T0,
    )  # fmt: skip


async def record(
    db: ActionDatabase, n: int, action_type: str, result: ActionResult, *,
    creator: str = "alice", reply: str | None = None,
) -> None:  # fmt: skip
    """Record action `n` as started n seconds after T0, queueing `reply` in the outbox."""
    action = descriptor(n, action_type, creator=creator)
    at = START + n
    timing = Timing(started_at=at, finished_at=at + 0.25, duration_ms=250.0)

    def queue(conn: sqlite3.Connection) -> None:
        if reply is not None:
            message = OutboundMessage(
                action_id=action.action_id, creator_id=creator, platform="twitch",
                channel="", text=reply,
            )  # fmt: skip
            insert_message(conn, message, now=at, ttl=60)

    await AuditLog(db).record(action, result, timing, queue)


async def deliver(
    db: ActionDatabase, action_id: str, status: OutboxStatus, reason: str | None
) -> None:
    def done(conn: sqlite3.Connection) -> None:
        assert mark_sending(conn, action_id, START + 100)
        assert mark_done(conn, action_id, status, reason, START + 101)

    await db.transact(done)


async def test_recent_actions_newest_first_with_the_send_outcome(tmp_path: Path) -> None:
    async with serve(tmp_path) as web:
        await record(web.db, 1, "send_chat_message", ActionResult.succeeded("queued"), reply="hi")
        await record(web.db, 2, "tally_increment", ActionResult.skipped("tally is closed"))
        await record(web.db, 3, "send_chat_message", ActionResult.succeeded("queued"), reply="yo")
        await deliver(web.db, "act_1", OutboxStatus.DELIVERED, None)
        await deliver(web.db, "act_3", OutboxStatus.FAILED, "msg_banned")
        body = await web.get_json("/api/v1/actions")
    newest, skipped, oldest = body["actions"]
    assert [a["action_id"] for a in body["actions"]] == ["act_3", "act_2", "act_1"]
    assert newest["send"]["status"] == "failed" and newest["send"]["reason"] == "msg_banned"
    assert newest["send"]["text"] == "yo" and newest["send"]["attempts"] == 1
    assert (skipped["status"], skipped["reason"], skipped["send"]) == (
        "skipped", "tally is closed", None,
    )  # fmt: skip
    assert oldest["send"]["status"] == "delivered"
    assert (oldest["trigger_id"], oldest["event_id"], oldest["action_type"]) == (
        "trigger-1", "twitch:e1", "send_chat_message",
    )  # fmt: skip
    assert oldest["started_at"] == "2026-11-24T20:00:01.000Z"
    assert oldest["finished_at"] == "2026-11-24T20:00:01.250Z"
    assert oldest["duration_ms"] == 250.0 and oldest["status"] == "succeeded"


async def test_recent_actions_filter_by_creator_and_limit(tmp_path: Path) -> None:
    async with serve(tmp_path) as web:
        for n in range(1, 6):
            creator = "bob" if n % 2 == 0 else "alice"
            await record(web.db, n, "score_award", ActionResult.succeeded(), creator=creator)
        alice = await web.get_json("/api/v1/actions?creator=alice")
        bob_one = await web.get_json("/api/v1/actions?creator=bob&limit=1")
        two = await web.get_json("/api/v1/actions?limit=2")
        nobody = await web.get_json("/api/v1/actions?creator=carol")
    assert [a["action_id"] for a in alice["actions"]] == ["act_5", "act_3", "act_1"]
    assert [a["action_id"] for a in bob_one["actions"]] == ["act_4"]
    assert [a["action_id"] for a in two["actions"]] == ["act_5", "act_4"]
    assert nobody == {"actions": []}


async def test_actions_without_an_actions_database_are_a_json_404(tmp_path: Path) -> None:
    async with serve(tmp_path, with_db=False) as web:
        body = await web.get_json("/api/v1/actions", 404)
    assert body["error"]["code"] == "not_found"


async def test_the_websocket_state_carries_the_recent_actions(tmp_path: Path) -> None:
    options = WebOptions(port=0, live=LiveSettings(state_check=0.02, state_every=60))
    async with (
        serve(tmp_path, options=options) as web,
        web.http.ws_connect(web.url("/api/v1/ws")) as ws,
    ):
        first = await receive_state(ws)
        await record(web.db, 1, "send_chat_message", ActionResult.succeeded("queued"), reply="!")
        second = await receive_state(ws)
    assert first["actions"] == []
    [action] = second["actions"]
    assert action["action_id"] == "act_1" and action["send"]["status"] == "queued"


async def receive_state(ws: Any) -> dict[str, Any]:
    while True:
        message = await ws.receive_json(timeout=10)
        if message["type"] == "state":
            assert isinstance(message, dict)
            return message
