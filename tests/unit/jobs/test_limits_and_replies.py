from __future__ import annotations

import logging
import sqlite3

from streamsuites.actions import outbox
from streamsuites.config.model import Creator, Limits
from streamsuites.jobs import JobRecord, JobStatus
from streamsuites.jobs.limits import TierLimits
from streamsuites.jobs.replies import ChatReplies, chat_reply


def creator(creator_id: str, limits: Limits) -> Creator:
    return Creator(
        creator_id=creator_id, display_name=creator_id, enabled=True, tier="pro", limits=limits,
        platforms={},
    )  # fmt: skip


def job(payload: dict[str, object]) -> JobRecord:
    return JobRecord(
        job_id="j1", kind="clip", creator_id="alice", payload=payload, status=JobStatus.RUNNING,
        attempts=1, last_error=None, created_at=1.0, updated_at=1.0,
    )  # fmt: skip


def test_tier_limits_feed_the_kind_callables_with_defaults_for_strangers():
    pro = Limits(
        max_concurrent_clip_jobs=5, clip_min_cooldown_seconds=30, clip_max_duration_seconds=60
    )
    limits = TierLimits.of([creator("alice", pro)])
    assert (
        limits.max_concurrent_clip_jobs("alice"),
        limits.clip_cooldown("alice"),
        limits.clip_max_duration("alice"),
    ) == (5, 30, 60)
    assert (limits.max_concurrent_clip_jobs("nobody"), limits.clip_cooldown("nobody")) == (1, 120)


def test_a_reply_goes_to_the_platform_and_channel_the_job_came_from():
    message = chat_reply(
        job({"platform": "kick", "event_id": "kick:9", "channel": "alice", "reply_to": "m9"}),
        "clip ready",
        action_id="job:j1:x",
    )
    assert message is not None
    assert (message.platform, message.channel, message.reply_to, message.text) == (
        "kick",
        "alice",
        "m9",
        "clip ready",
    )
    assert chat_reply(job({"platform": "kick"}), "x", action_id="a") is None, "no event: no chat"
    assert chat_reply(job({"request": {}}), "x", action_id="a") is None


def test_a_reply_without_a_connector_is_dropped_and_logged_not_left_to_expire(caplog):
    conn = sqlite3.connect(":memory:")
    outbox.create_table(conn)
    woken: list[tuple[str, str]] = []
    replies = ChatReplies(notify=lambda *key: woken.append(key), connectors={("alice", "twitch")})
    chat: dict[str, object] = {"platform": "kick", "event_id": "kick:9"}
    with caplog.at_level(logging.WARNING, logger="streamsuites.jobs"):
        dropped = replies.stage(conn, job(chat), "hi", action_id="a1", now=5.0)
    assert dropped is None
    assert "no kick connector" in caplog.text
    staged = replies.stage(conn, job({**chat, "platform": "twitch"}), "hi", action_id="a2", now=5.0)
    replies.sent(staged)
    assert conn.execute("SELECT action_id, platform, text FROM outbox").fetchall() == [
        ("a2", "twitch", "hi")
    ]
    assert woken == [("alice", "twitch")]
