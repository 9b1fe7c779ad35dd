"""Scoreboard points per event kind, score_award descriptors, periods and ranking."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from streamsuites.config._interactive import ScoreboardDefinition, ScorePoints
from streamsuites.interactive import ScoreAwarded, ScoreBook, period_id, points_for
from streamsuites.interactive.scoreboards import ranked
from tests.unit.interactive._factories import (
    T0,
    action,
    chat,
    later,
    membership,
    online,
    support,
    viewer,
)

POINTS = ScorePoints(
    message=1, bits_per_100=10, superchat_per_usd=2, rant_per_usd=3, sub=50, gift_sub=40, member=60
)
FAN = viewer("f1", "Fan")


def book(period_kind: str = "all_time", points: ScorePoints = POINTS) -> ScoreBook:
    definition = ScoreboardDefinition(
        scoreboard_id="sb",
        title="Top fans",
        period_kind=period_kind,  # type: ignore[arg-type]
        points=points,
    )
    return ScoreBook("alice", (definition,))


@pytest.mark.parametrize(
    ("event", "points"),
    [
        (chat("hello", FAN), 1),
        (support("bits", 250_000_000, "BITS", FAN, platform="twitch"), 25),
        (support("superchat", 5_000_000, "USD", FAN), 10),
        (support("supersticker", 1_500_000, "USD", FAN), 3),
        (support("superchat", 10_000_000, "EUR", FAN), 20),  # own currency unit, no FX
        (support("rant", 2_000_000, "USD", FAN, platform="rumble"), 6),
        (support("other", 2_000_000, "USD", FAN), 0),
        (membership("new", FAN, platform="twitch"), 50),
        (membership("resub", FAN, platform="kick"), 50),
        (membership("milestone", FAN, platform="youtube"), 60),
        (membership("gift", FAN, gift_count=5), 200),
        (membership("gift", FAN), 40),
        (membership("gift_received", FAN), 0),
        (online("s1"), 0),
    ],
)
def test_points_per_event_kind(event, points):
    assert points_for(event, POINTS) == pytest.approx(points)


def test_events_add_up_per_user_and_platform():
    b = book()
    b.apply_event(chat("hi", FAN, platform="twitch"))
    b.apply_event(chat("hi", FAN, platform="twitch"))
    [award] = b.apply_event(chat("hi", FAN, platform="youtube"))
    assert isinstance(award, ScoreAwarded) and award.user_id == "youtube:f1"
    standing = b.boards["sb"].current
    assert standing is not None
    assert {e.user_id: e.score for e in standing.entries.values()} == {
        "twitch:f1": 2,
        "youtube:f1": 1,
    }


def test_zero_point_events_create_no_entry():
    b = book(points=ScorePoints(sub=5))
    assert b.apply_event(chat("hi", FAN)) == []
    assert b.boards["sb"].current is None


def test_ranking_is_score_desc_then_user_id():
    b = book()
    for user in ("c", "a", "b"):
        b.apply_event(chat("hi", viewer(user)))
    b.apply_event(chat("hi", viewer("b")))
    standing = b.boards["sb"].current
    assert standing is not None
    assert [e.user_id for e in ranked(standing)] == ["twitch:b", "twitch:a", "twitch:c"]


def test_score_award_descriptor():
    b = book()
    outcome = b.apply_action(
        action("score_award", {"scoreboard_id": "sb", "login": "zed", "points": 7.5})
    )
    assert outcome.applied
    [award] = outcome.signals
    assert isinstance(award, ScoreAwarded) and award.user_id == "twitch:zed" and award.delta == 7.5


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ({"scoreboard_id": "x", "login": "a", "points": 1}, "no scoreboard 'x'"),
        ({"scoreboard_id": "sb", "points": 1}, "needs user_id"),
        ({"scoreboard_id": "sb", "login": "a", "points": "1"}, "numeric points"),
        ({"scoreboard_id": "sb", "login": "a", "points": True}, "numeric points"),
    ],
)
def test_bad_score_awards_are_refused(payload, reason):
    outcome = book().apply_action(action("score_award", payload))
    assert not outcome.applied and outcome.reason is not None and reason in outcome.reason


def test_period_ids():
    at = datetime(2026, 1, 1, 5, tzinfo=UTC)
    assert period_id("all_time", at, None) == "all_time"
    assert period_id("daily", at, None) == "2026-01-01"
    assert period_id("weekly", at, None) == "2026-W01"
    assert period_id("monthly", at, None) == "2026-01"
    assert period_id("stream", at, "s1") == "s1"
    assert period_id("stream", at, None) == "no-stream"


def test_daily_period_rolls_over_and_keeps_the_previous():
    b = book("daily")
    b.apply_event(chat("hi", FAN, at=T0))
    b.apply_event(chat("hi", FAN, at=later(days=1)))
    board = b.boards["sb"]
    assert board.current is not None and board.current.period_id == "2026-03-05"
    assert board.previous is not None and board.previous.period_id == "2026-03-04"
    assert board.previous.finalized_at == later(days=1)
    assert b.apply_event(chat("late", FAN, at=T0)) == []  # a finished period is not reopened


def test_stream_period_follows_online_events():
    b = book("stream")
    b.apply_event(online("s1"))
    b.apply_event(chat("hi", FAN))
    b.apply_event(online("s2", at=later(hours=5)))
    b.apply_event(chat("hi", FAN, at=later(hours=5)))
    board = b.boards["sb"]
    assert board.current is not None and board.current.period_id == "s2"
    assert board.previous is not None and board.previous.period_id == "s1"


def test_state_round_trips():
    b = book("weekly")
    b.apply_event(support("superchat", 4_990_000, "USD", FAN))
    definition = b.definitions["sb"]
    again = ScoreBook("alice", (definition,), b.to_json())
    assert again.to_json() == b.to_json()
    assert again.boards["sb"].current is not None
