"""Which answer settles a Twitch send: the USERSTATE or NOTICE that belongs to that PRIVMSG.

Twitch answers each PRIVMSG, in order, with a USERSTATE carrying the new message's ``id`` or a
``msg_*`` NOTICE; a JOIN is answered by a USERSTATE without ``id``. These tests feed the
connector answers that do *not* belong to the pending send and check it waits for the one that
does. Each send waits up to 30 s for its answer, so a settled send proves an answer settled it.
"""

from __future__ import annotations

import asyncio

import pytest

from streamsuites.actions.outbox import SendOutcome
from streamsuites.connectors.twitch import TwitchConnector
from tests.unit.connectors.twitch.test_connector import (
    FakeTwitch,
    RecordingLink,
    connector,
    message,
    running,
    until,
)

JOIN_USERSTATE = "@badges=;mod=0 :tmi.twitch.tv USERSTATE #alice"
SENT_USERSTATE = "@badges=;id={id};mod=0 :tmi.twitch.tv USERSTATE #alice"
BANNED = "@msg-id=msg_banned :tmi.twitch.tv NOTICE #alice :You are permanently banned."
OTHER_CHANNEL = "@badges=;id=x-1;mod=0 :tmi.twitch.tv USERSTATE #bob"


def lines(*answer: str) -> str:
    """Several server lines written as one answer to a PRIVMSG."""
    return "\r\n".join(answer)


async def bot(server: FakeTwitch, confirm: float = 30) -> tuple[TwitchConnector, RecordingLink]:
    link = RecordingLink()
    return connector(server, token="t", nick="bot", send_confirm_timeout=confirm), link


@pytest.mark.asyncio
async def test_the_joins_userstate_does_not_confirm_a_send_pending_in_that_channel() -> None:
    async with FakeTwitch() as server:
        conn, link = await bot(server)
        # The JOIN's USERSTATE comes late, after our PRIVMSG; the refusal is the real answer.
        server.answer_privmsg = lines(JOIN_USERSTATE, BANNED)
        async with running(conn, link):
            await until(lambda: "JOIN #alice" in server.lines)
            outcome = await asyncio.wait_for(conn.send(message()), 2)
    assert outcome.status == "failed"
    assert "banned" in (outcome.reason or "")


@pytest.mark.asyncio
async def test_a_userstate_with_the_messages_id_confirms_even_while_the_join_is_unanswered() -> (
    None
):
    async with FakeTwitch() as server:
        conn, link = await bot(server)
        server.answer_privmsg = SENT_USERSTATE.format(id="m-1")
        async with running(conn, link):
            await until(lambda: "JOIN #alice" in server.lines)
            outcome = await asyncio.wait_for(conn.send(message()), 2)
    assert outcome == SendOutcome.delivered()


@pytest.mark.asyncio
async def test_after_the_joins_userstate_an_old_server_answer_without_id_confirms() -> None:
    async with FakeTwitch() as server:
        conn, link = await bot(server)
        server.answer_privmsg = JOIN_USERSTATE  # servers that predate the id tag
        async with running(conn, link):
            await until(lambda: "JOIN #alice" in server.lines)
            frames = link.frames
            await server.say(JOIN_USERSTATE)
            await until(lambda: link.frames > frames)
            outcome = await asyncio.wait_for(conn.send(message()), 2)
    assert outcome == SendOutcome.delivered()


@pytest.mark.asyncio
async def test_an_answer_for_another_channel_does_not_settle_the_send() -> None:
    async with FakeTwitch() as server:
        conn, link = await bot(server)
        server.answer_privmsg = lines(OTHER_CHANNEL, BANNED)
        async with running(conn, link):
            await until(lambda: "JOIN #alice" in server.lines)
            outcome = await asyncio.wait_for(conn.send(message()), 2)
    assert outcome.status == "failed"


@pytest.mark.asyncio
async def test_a_late_answer_to_an_earlier_send_is_not_taken_for_the_next_ones() -> None:
    async with FakeTwitch() as server:
        conn, link = await bot(server, confirm=0.2)
        async with running(conn, link):
            await until(lambda: "JOIN #alice" in server.lines)
            server.answer_privmsg = None  # the first send hears nothing and stops waiting
            first = await asyncio.wait_for(conn.send(message("one")), 2)
            # Its refusal arrives only now, just before the second send's own answer.
            server.answer_privmsg = lines(BANNED, SENT_USERSTATE.format(id="m-2"))
            second = await asyncio.wait_for(conn.send(message("two")), 2)
    assert first == SendOutcome.delivered()  # written and not refused in time
    assert second == SendOutcome.delivered()
