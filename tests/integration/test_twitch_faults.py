"""The real runtime against the Twitch IRC emulator over TLS: faults, staleness, limits, anonymity.

test_twitch_connector.py covers the first connection, one RECONNECT and a refused token; these
tests check what the event log and the outbox hold when things go wrong.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from streamsuites.config.model import Config
from streamsuites.connectors.twitch.ratelimit import CHAT_LIMIT
from streamsuites.emulators import TwitchIrcEmulator
from streamsuites.events import native_event_id
from tests.integration.test_twitch_connector import FAST, Running, make_config, wait_for

IDLE, PONG = 0.5, 0.3
PING_TRIGGER = {
    "trigger_id": "alice-ping", "creator_id": "alice", "type": "command", "command": "!ping",
    "cooldown_seconds": 0, "response": "pong {user}",
}


@pytest_asyncio.fixture
async def emulator() -> AsyncIterator[TwitchIrcEmulator]:
    server = TwitchIrcEmulator(tokens={"abc123": "bot"}, reconnect_grace=0.05)
    await server.start(tls=True)
    yield server
    await server.close()


def tls_config(
    emulator: TwitchIrcEmulator, *, token: str = "abc123", triggers: bool = False
) -> Config:
    """The emulator over TLS, quick to notice silence, optionally replying pong to !ping."""
    config = make_config(emulator, "tls", token)
    [creator] = config.creators
    twitch = creator.platforms["twitch"]
    options = {**twitch.options, "idle_timeout": IDLE, "pong_timeout": PONG}
    twitch = dataclasses.replace(
        twitch, options=options, secret_env=twitch.secret_env if token else {}
    )
    creator = dataclasses.replace(creator, platforms={"twitch": twitch})
    return dataclasses.replace(
        config, creators=(creator,), triggers=(PING_TRIGGER,) if triggers else ()
    )


def query(running: Running, sql: str) -> list[tuple[Any, ...]]:
    if not running.options.database.exists():
        return []
    with contextlib.closing(sqlite3.connect(running.options.database)) as db:
        return db.execute(sql).fetchall()


def logged_ids(running: Running) -> list[str]:
    rows = query(running, "SELECT event_id FROM events WHERE kind = 'chat_message' ORDER BY seq")
    return [row[0] for row in rows]


def outbox(running: Running) -> list[tuple[str, str | None]]:
    return [(row[0], row[1]) for row in query(running, "SELECT status, reason FROM outbox")]


def connections(emulator: TwitchIrcEmulator) -> set[int]:
    return {line.connection for line in emulator.sent}


async def chat(emulator: TwitchIrcEmulator, running: Running, count: int, tag: str) -> list[str]:
    """Say `count` messages and wait until they are all in the event log; return their ids."""
    said = [emulator.say("alice", "ann", f"{tag} {i}") for i in range(count)]
    ids = [native_event_id("twitch", msg_id) for msg_id in said]
    await wait_for(lambda: set(ids) <= set(logged_ids(running)))
    return ids


async def joined(emulator: TwitchIrcEmulator, running: Running) -> None:
    await wait_for(lambda: running.twitch().get("status") == "connected")
    await wait_for(lambda: emulator.joined.get("alice"))


@pytest.mark.asyncio
async def test_a_command_goes_through_the_event_log_and_its_reply_reaches_chat(
    emulator: TwitchIrcEmulator, tmp_path: Path
) -> None:
    async with Running(tls_config(emulator, triggers=True), tmp_path) as running:
        await joined(emulator, running)
        msg_id = emulator.say("alice", "ann", "!ping")
        await wait_for(lambda: emulator.privmsgs)
        assert logged_ids(running) == [native_event_id("twitch", msg_id)]
    [reply] = emulator.privmsgs
    assert (reply.channel, reply.text, reply.refused) == ("alice", "pong ann", None)


@pytest.mark.asyncio
@pytest.mark.parametrize("fault", ["reconnect", "close", "stall", "malformed"])
async def test_after_each_fault_chat_resumes_and_the_log_holds_each_message_once(
    emulator: TwitchIrcEmulator, tmp_path: Path, fault: str
) -> None:
    async with Running(tls_config(emulator), tmp_path) as running:
        await joined(emulator, running)
        before = await chat(emulator, running, 3, "before")
        emulator.fault(fault)
        if fault != "malformed":  # garbage lines are skipped; the connection stays up
            await wait_for(lambda: emulator.joined.get("alice") and len(connections(emulator)) > 1)
            await wait_for(lambda: running.twitch().get("reconnects", 0) >= 1)
        await wait_for(lambda: running.twitch().get("status") == "connected")
        after = await chat(emulator, running, 3, "after")
        assert sorted(logged_ids(running)) == sorted(before + after)


@pytest.mark.asyncio
async def test_a_revoked_token_ends_in_auth_failed_with_the_log_intact(
    emulator: TwitchIrcEmulator, tmp_path: Path
) -> None:
    async with Running(tls_config(emulator), tmp_path) as running:
        await joined(emulator, running)
        before = await chat(emulator, running, 3, "before")
        emulator.fault("revoke")
        await wait_for(lambda: running.twitch().get("status") == "auth_failed")
        assert "authentication failed" in (running.twitch().get("reason") or "").lower()
        assert sorted(logged_ids(running)) == sorted(before)


@pytest.mark.asyncio
async def test_a_stalled_connection_is_replaced_within_idle_plus_pong_plus_backoff(
    emulator: TwitchIrcEmulator, tmp_path: Path
) -> None:
    async with Running(tls_config(emulator), tmp_path) as running:
        await joined(emulator, running)
        stalled_at = time.time()
        emulator.fault("stall")
        await wait_for(lambda: len(connections(emulator)) > 1)
    first_new = min(line.at for line in emulator.sent if line.connection == 2)
    # The last line before the stall came at most IDLE + a probe's round trip earlier (the
    # connector PINGs after IDLE of silence), so the connector gives up PONG to IDLE + PONG
    # after the stall, then waits at most the backoff cap; 0.5 s covers scheduling and TLS.
    assert PONG <= first_new - stalled_at <= IDLE + PONG + FAST.cap + 0.5


@pytest.mark.asyncio
async def test_a_burst_of_300_replies_is_paced_to_the_limit_and_nothing_is_dropped(
    emulator: TwitchIrcEmulator, tmp_path: Path
) -> None:
    async with Running(tls_config(emulator, triggers=True), tmp_path) as running:
        await joined(emulator, running)
        for i in range(300):
            emulator.say("alice", f"viewer{i}", "!ping")
        await wait_for(lambda: len(outbox(running)) == 300 and len(emulator.privmsgs) >= CHAT_LIMIT)
        # The window stays full for 30 s after the first reply; watch 2 s more for anything sent
        # over the limit, then account for every reply.
        await wait_for(lambda: time.time() - emulator.privmsgs[0].at > 2, timeout=5)
        rows = outbox(running)
    # Twitch counts per sliding 30 s: exactly the limit went out, and the server refused none.
    assert len(emulator.privmsgs) == CHAT_LIMIT
    assert all(line.refused is None for line in emulator.privmsgs)
    # Every reply has a row: the limit's worth delivered, the rest still queued, and the head of
    # the queue says why it waits.
    statuses = [status for status, _ in rows]
    assert len(rows) == 300
    assert statuses.count("delivered") == CHAT_LIMIT
    assert statuses.count("queued") == 300 - CHAT_LIMIT
    assert any(reason and "send limits" in reason for status, reason in rows if status == "queued")


@pytest.mark.asyncio
async def test_without_a_token_the_bot_reads_anonymously_and_cannot_send(
    emulator: TwitchIrcEmulator, tmp_path: Path
) -> None:
    async with Running(tls_config(emulator, token="", triggers=True), tmp_path) as running:
        await joined(emulator, running)
        [nick] = emulator.joined["alice"]
        msg_id = emulator.say("alice", "ann", "!ping")
        await wait_for(lambda: outbox(running) and outbox(running)[0][0] == "failed")
        assert logged_ids(running) == [native_event_id("twitch", msg_id)]
        [(_, reason)] = outbox(running)
    assert nick.startswith("justinfan")
    assert "anonymous login is read-only" in (reason or "")
    assert emulator.privmsgs == []
