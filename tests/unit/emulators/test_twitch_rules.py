from __future__ import annotations

import pytest

from streamsuites.connectors.twitch.protocol import IrcMessage, parse_line
from streamsuites.emulators._twitch_rules import (
    JoinPolicy,
    Login,
    LoginRefused,
    SendPolicy,
    decide_login,
    format_line,
    join_replies,
    privmsg,
    user_id,
    userstate,
)

TOKENS = {"abc": "bot", "def": "other"}


@pytest.mark.parametrize(
    ("password", "nick", "expected"),
    [
        ("oauth:abc", "bot", Login("bot", "abc")),
        ("oauth:abc", "BOT", Login("bot", "abc")),
        ("oauth:abc", "other", LoginRefused("Login authentication failed")),
        ("oauth:nope", "bot", LoginRefused("Login authentication failed")),
        ("abc", "bot", LoginRefused("Improperly formatted auth")),
        (None, "bot", LoginRefused("Improperly formatted auth")),
        (None, "justinfan123", Login("justinfan123", None)),
        ("SCHMOOPIIE", "justinfan9", Login("justinfan9", None)),
        ("oauth:abc", "justinfan", LoginRefused("Login authentication failed")),
    ],
)
def test_decide_login(password, nick, expected) -> None:
    assert decide_login(password, nick, TOKENS) == expected


def test_an_anonymous_login_has_no_token() -> None:
    assert Login("justinfan1", None).anonymous
    assert not Login("bot", "abc").anonymous


def test_twenty_messages_per_window_then_ratelimit_until_the_window_slides() -> None:
    policy = SendPolicy()
    decisions = [
        policy.check("bot", "#a", f"m{i}", privileged=False, now=i * 0.1) for i in range(21)
    ]
    assert decisions == [None] * 20 + ["msg_ratelimit"]
    assert policy.check("bot", "#a", "late", privileged=False, now=30.0) is None


def test_a_moderator_may_send_a_hundred() -> None:
    policy = SendPolicy()
    decisions = [policy.check("bot", "#a", f"m{i}", privileged=True, now=0.0) for i in range(101)]
    assert decisions.count(None) == 100
    assert decisions[-1] == "msg_ratelimit"


def test_the_limit_is_per_account_across_channels() -> None:
    policy = SendPolicy(limit=2)
    assert policy.check("bot", "#a", "x", privileged=False, now=0) is None
    assert policy.check("bot", "#b", "y", privileged=False, now=0) is None
    assert policy.check("bot", "#c", "z", privileged=False, now=0) == "msg_ratelimit"
    assert policy.check("someone", "#c", "z", privileged=False, now=0) is None


def test_duplicates_within_thirty_seconds_in_the_same_channel_are_refused() -> None:
    policy = SendPolicy()
    assert policy.check("bot", "#a", "hi", privileged=False, now=0) is None
    assert policy.check("bot", "#a", "hi", privileged=False, now=29.9) == "msg_duplicate"
    assert policy.check("bot", "#b", "hi", privileged=False, now=29.9) is None
    assert policy.check("bot", "#a", "hi", privileged=False, now=30.0) is None


def test_a_refused_message_is_not_counted() -> None:
    policy = SendPolicy(limit=1)
    assert policy.check("bot", "#a", "hi", privileged=False, now=0) is None
    assert policy.check("bot", "#a", "ho", privileged=False, now=1) == "msg_ratelimit"
    assert policy.check("bot", "#a", "ho", privileged=False, now=30) is None


def test_format_line_writes_empty_tags_with_an_equals_sign_like_twitch() -> None:
    msg = IrcMessage(tags={"badges": "", "display-name": "A b"}, source="x", command="PING")
    assert format_line(msg, with_tags=True) == r"@badges=;display-name=A\sb :x PING"
    assert format_line(msg, with_tags=False) == ":x PING"


def test_join_replies_for_a_moderator() -> None:
    replies = join_replies("alice", "bot", ["bot"], moderator=True)
    assert [r.command for r in replies] == ["353", "366", "USERSTATE", "ROOMSTATE"]
    assert replies[0].params == ["bot", "=", "#alice", "bot"]
    assert replies[2].tags["mod"] == "1"
    assert replies[2].tags["badges"] == "moderator/1"
    assert replies[3].tags["room-id"] == user_id("alice")


def test_the_broadcaster_has_the_broadcaster_badge_and_is_not_mod() -> None:
    tags = userstate("alice", "alice", moderator=False).tags
    assert tags["badges"] == "broadcaster/1"
    assert tags["mod"] == "0"


def test_privmsg_round_trips_through_the_parser_with_full_tags() -> None:
    msg = privmsg(
        "alice",
        "ann",
        "hi there",
        moderator=False,
        msg_id="m1",
        now=1.5,
        extra={"color": "#FF0000"},
    )
    parsed = parse_line(format_line(msg, with_tags=True))
    assert parsed.params == ["#alice", "hi there"]
    assert parsed.nick == "ann"
    assert parsed.tags["id"] == "m1"
    assert parsed.tags["tmi-sent-ts"] == "1500"
    assert parsed.tags["user-id"] == user_id("ann")
    assert parsed.tags["color"] == "#FF0000"
    assert parsed.tags["display-name"] == "ann"


def test_user_ids_are_stable_and_numeric() -> None:
    assert user_id("alice") == user_id("alice") != user_id("bob")
    assert user_id("alice").isdigit()


def test_the_userstate_after_a_message_carries_its_id_and_the_joins_does_not() -> None:
    after_send = userstate("alice", "bot", moderator=False, msg_id="m-9")
    on_join = join_replies("alice", "bot", ["bot"], moderator=False)[2]
    assert after_send.tags["id"] == "m-9"
    assert on_join.command == "USERSTATE"
    assert "id" not in on_join.tags


def test_twenty_joins_per_window_then_dropped_until_the_window_slides() -> None:
    policy = JoinPolicy()
    assert all(policy.check("bot", now=0.0) for _ in range(20))
    assert not policy.check("bot", now=9.9)
    assert policy.check("bot", now=10.0)


def test_the_join_limit_is_per_account_and_a_dropped_join_is_not_counted() -> None:
    policy = JoinPolicy(limit=2, window=10.0)
    assert [policy.check("bot", now=0.0) for _ in range(3)] == [True, True, False]
    assert policy.check("other", now=0.0)
    assert not policy.check("bot", now=5.0)
    assert [policy.check("bot", now=10.0) for _ in range(3)] == [True, True, False]
