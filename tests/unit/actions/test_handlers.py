from __future__ import annotations

import pytest

from streamsuites.actions.audit import ActionResult, ActionStatus
from streamsuites.actions.handlers import (
    INTERACTIVE_TYPES,
    ActionContext,
    ClipJobHandler,
    InteractiveHandler,
    SendChatHandler,
    Staged,
    build_handlers,
)
from streamsuites.actions.outbox import OutboxStore
from tests.unit.actions.factory import FakeReducers, chat, descriptor


def context(platform: str = "twitch") -> ActionContext:
    return ActionContext(event=chat(1, "!hi", platform=platform), now=50.0)


@pytest.mark.parametrize("payload", [{}, {"text": "   "}, {"text": 5}])
def test_a_chat_message_needs_text(payload):
    result = SendChatHandler().stage(descriptor(payload=payload), context())

    assert result == ActionResult.failed("payload.text is missing or blank")


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("payload", "event_platform", "channel", "reply_to"),
    [
        ({"text": "hi"}, "twitch", "alice_chan", None),
        ({"text": "hi"}, "kick", "", None),
        ({"text": "hi", "channel": "other", "reply_to": "m9"}, "twitch", "other", "m9"),
    ],
)
async def test_chat_message_channel_and_reply(db, payload, event_platform, channel, reply_to):
    staged = SendChatHandler(ttl=10).stage(descriptor(payload=payload), context(event_platform))
    assert isinstance(staged, Staged)
    await db.transact(staged.write)

    (row,) = await OutboxStore(db).rows()
    assert (row.message.channel, row.message.reply_to) == (channel, reply_to)
    assert (row.created_at, row.expires_at) == (50.0, 60.0)


def test_clip_job_keeps_the_request_and_its_source():
    staged = ClipJobHandler().stage(descriptor("enqueue_clip_job", {"length": 20}), context())

    assert isinstance(staged, Staged)
    assert staged.result.status is ActionStatus.SUCCEEDED


def test_routing_table():
    table = build_handlers(interactive=FakeReducers())

    assert set(table) == {"send_chat_message", "enqueue_clip_job", *INTERACTIVE_TYPES}
    assert "http_webhook" not in build_handlers()


@pytest.mark.asyncio
async def test_interactive_handler_is_idempotent_and_maps_refusals_to_skips():
    reducers = FakeReducers(refuse={"poll_vote"})
    handler = InteractiveHandler(reducers)

    assert handler.idempotent
    applied = await handler.perform(descriptor("tally_increment", {}), context())
    refused = await handler.perform(descriptor("poll_vote", {}), context())
    assert applied == ActionResult.succeeded()
    assert refused == ActionResult.skipped("poll is closed")
