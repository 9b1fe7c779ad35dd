from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import pytest

from streamsuites.connectors.twitch.protocol import parse_line
from streamsuites.connectors.twitch.translate import fragments, translate, user_roles
from streamsuites.events import (
    ChatMessage,
    Fragment,
    Membership,
    Moderation,
    Money,
    PaidSupport,
    ReplyTo,
    StreamState,
    SystemEvent,
    content_event_id,
)

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
SENT = datetime(2023, 1, 17, 3, 26, 23, 585000, tzinfo=UTC)
USER = (
    "badge-info=subscriber/14;badges=moderator/1,subscriber/12;color=#FF0000;"
    "display-name=Retoon;id=msg-1;mod=1;room-id=1;subscriber=1;tmi-sent-ts=1673925983585;"
    "user-id=37940952;user-type=mod"
)


def one(line: str) -> Any:
    events = translate(parse_line(line), creator_id="alice", received_at=NOW)
    assert len(events) == 1
    return events[0]


def test_privmsg():
    event = one(f"@{USER} :retoon!retoon@retoon.tmi.twitch.tv PRIVMSG #alice :hello there")
    assert isinstance(event, ChatMessage)
    assert event.event_id == "twitch:msg-1"
    assert event.channel == "alice"
    assert event.creator_id == "alice"
    assert event.platform == "twitch"
    assert event.occurred_at == SENT
    assert event.received_at == NOW
    assert event.text == "hello there"
    assert event.fragments == (Fragment(text="hello there"),)
    assert event.author is not None
    assert event.author.id == "37940952"
    assert event.author.login == "retoon"
    assert event.author.display_name == "Retoon"
    assert event.author.roles == ("moderator", "subscriber")
    assert event.author.badges == ("moderator/1", "subscriber/12")
    assert event.author.color == "#FF0000"
    assert event.raw.startswith("@badge-info=")
    assert not event.is_action and not event.first_message and event.reply_to is None


def test_me_action_and_first_message():
    event = one(
        "@first-msg=1;id=m2;tmi-sent-ts=1;user-id=5;emotes=25:4-8 :bob!bob@bob PRIVMSG #alice "
        ":\x01ACTION hug Kappa\x01"
    )
    assert isinstance(event, ChatMessage)
    assert event.is_action and event.first_message
    assert event.text == "hug Kappa"
    assert event.fragments == (Fragment(text="hug "), Fragment(text="Kappa", emote_id="25"))


def test_reply():
    event = one(
        "@id=m3;reply-parent-msg-id=p-1;reply-parent-user-login=retoon;"
        r"reply-parent-msg-body=hello\sthere;tmi-sent-ts=1;user-id=5 :bob!bob@bob PRIVMSG #alice"
        " :@Retoon yes"
    )
    assert event.reply_to == ReplyTo(message_id="p-1", author_login="retoon", text="hello there")


def test_bits_become_paid_support():
    event = one("@bits=100;id=m4;tmi-sent-ts=1;user-id=5 :bob!bob@bob PRIVMSG #alice :Cheer100 gg")
    assert isinstance(event, PaidSupport)
    assert event.support_type == "bits"
    assert event.amount == Money(amount_micros=100_000_000, currency="BITS")
    assert event.text == "Cheer100 gg"


def test_roles_from_badges_and_tags():
    line = "@badges=broadcaster/1,vip/1,staff/1;user-id=1 :a!a@a PRIVMSG #a :x"
    assert one(line).author.roles == ("broadcaster", "staff", "vip")
    assert user_roles(parse_line("@badges=;mod=1;vip=1;subscriber=1 :a USERSTATE #a")) == (
        "moderator",
        "subscriber",
        "vip",
    )
    assert user_roles(parse_line("@badges=founder/0 :a USERSTATE #a")) == ("subscriber",)


def test_emotes_count_code_points_after_astral_characters():
    # "👍" is one code point (two UTF-16 units, four UTF-8 bytes); Twitch counts it as one.
    text = "👍 Kappa é Kappa"
    assert fragments(text, "25:2-6,10-14") == (
        Fragment(text="👍 "),
        Fragment(text="Kappa", emote_id="25"),
        Fragment(text=" é "),
        Fragment(text="Kappa", emote_id="25"),
    )
    assert fragments("Kappa Keepo", "1902:6-10/25:0-4") == (
        Fragment(text="Kappa", emote_id="25"),
        Fragment(text=" "),
        Fragment(text="Keepo", emote_id="1902"),
    )


@pytest.mark.parametrize("emotes", ["25:0-40", "25:3-1", "x", "25:a-b", "25:0-4,2-6", "25:-1-2"])
def test_invalid_emote_ranges_give_one_text_run(emotes):
    assert fragments("Kappa Kappa", emotes) == (Fragment(text="Kappa Kappa"),)


def test_sub():
    event = one(
        "@id=n1;login=fang;display-name=Fang;user-id=7;msg-id=sub;msg-param-sub-plan=Prime;"
        "msg-param-cumulative-months=1;tmi-sent-ts=1 :tmi.twitch.tv USERNOTICE #alice"
    )
    assert isinstance(event, Membership)
    assert (event.membership_type, event.tier, event.months) == ("new", "Prime", 1)
    assert event.author is not None
    assert event.author.login == "fang"
    assert event.text == ""


def test_resub_with_message():
    event = one(
        "@id=n2;login=ek;user-id=7;msg-id=resub;msg-param-sub-plan=2000;"
        "msg-param-cumulative-months=13;tmi-sent-ts=1 :tmi.twitch.tv USERNOTICE #alice :WideHard"
    )
    assert (event.membership_type, event.tier, event.months, event.text) == (
        "resub",
        "2000",
        13,
        "WideHard",
    )


def test_subgift():
    event = one(
        "@id=n3;login=giver;user-id=7;msg-id=subgift;msg-param-sub-plan=1000;msg-param-months=3;"
        "msg-param-recipient-id=9;msg-param-recipient-user-name=lucky;"
        "msg-param-recipient-display-name=Lucky;tmi-sent-ts=1 :tmi.twitch.tv USERNOTICE #alice"
    )
    assert event.membership_type == "gift"
    assert event.gift_count == 1
    assert event.recipient.id == "9" and event.recipient.login == "lucky"
    assert event.recipient.display_name == "Lucky"
    assert event.author.login == "giver"


def test_submysterygift():
    event = one(
        "@id=n4;login=giver;user-id=7;msg-id=submysterygift;msg-param-mass-gift-count=5;"
        "msg-param-sub-plan=1000;tmi-sent-ts=1 :tmi.twitch.tv USERNOTICE #alice"
    )
    assert (event.membership_type, event.gift_count, event.tier) == ("gift_bundle", 5, "1000")


def test_raid():
    event = one(
        "@id=n5;login=raider;display-name=Raider;user-id=8;msg-id=raid;msg-param-viewerCount=42;"
        "msg-param-login=raider;tmi-sent-ts=1 :tmi.twitch.tv USERNOTICE #alice"
    )
    assert isinstance(event, StreamState)
    assert event.author is not None
    assert (event.state, event.viewers, event.author.login) == ("raid", 42, "raider")


def test_announcement_and_unknown_msg_ids_are_generic_system_events():
    event = one(
        "@id=n6;login=mod;user-id=8;msg-id=announcement;msg-param-color=PRIMARY;tmi-sent-ts=1 "
        ":tmi.twitch.tv USERNOTICE #alice :hello chat"
    )
    assert isinstance(event, SystemEvent)
    assert (event.code, event.level, event.text) == ("announcement", "info", "hello chat")
    event = one(
        r"@id=n7;login=x;user-id=8;msg-id=brand-new-thing;system-msg=Something\shappened;"
        "tmi-sent-ts=1 :tmi.twitch.tv USERNOTICE #alice"
    )
    assert (event.code, event.text) == ("brand-new-thing", "Something happened")


def test_usernotice_without_msg_id_makes_no_event():
    assert (
        translate(parse_line(":tmi.twitch.tv USERNOTICE #alice"), creator_id="a", received_at=NOW)
        == []
    )


def test_clearchat_timeout_ban_and_clear():
    base = "room-id=1;target-user-id=48;tmi-sent-ts=1568505600739"
    timeout = one(f"@ban-duration=150;{base} :tmi.twitch.tv CLEARCHAT #alice :onche")
    assert isinstance(timeout, Moderation)
    assert (timeout.action, timeout.duration_seconds) == ("timeout", 150)
    assert timeout.target is not None
    assert (timeout.target.id, timeout.target.login) == ("48", "onche")
    assert timeout.event_id == content_event_id(
        "twitch", "alice", "CLEARCHAT", "1568505600739", "48", "onche"
    )
    ban = one(f"@{base} :tmi.twitch.tv CLEARCHAT #alice :onche")
    assert (ban.action, ban.duration_seconds) == ("ban", None)
    cleared = one("@room-id=1;tmi-sent-ts=5 :tmi.twitch.tv CLEARCHAT #alice")
    assert (cleared.action, cleared.target) == ("chat_cleared", None)


def test_clearmsg():
    event = one(
        "@login=bob;room-id=;target-msg-id=abc;tmi-sent-ts=1 :tmi.twitch.tv CLEARMSG #alice :oops"
    )
    assert (event.action, event.target_message_id, event.text) == ("message_deleted", "abc", "oops")
    assert event.target.login == "bob"
    assert event.event_id.startswith("twitch:h:")


def test_notice():
    event = one(
        "@msg-id=msg_channel_suspended :tmi.twitch.tv NOTICE #gone "
        ":This channel does not exist or has been suspended."
    )
    assert isinstance(event, SystemEvent)
    assert (event.level, event.code, event.channel) == ("warning", "msg_channel_suspended", "gone")
    assert one("@msg-id=slow_on :tmi.twitch.tv NOTICE #a :slow").level == "info"
    failed = one(":tmi.twitch.tv NOTICE * :Login authentication failed")
    assert (failed.code, failed.level, failed.channel) == ("notice", "warning", "")
    assert failed.occurred_at == NOW


def test_roomstate_and_reconnect():
    event = one(
        "@emote-only=0;followers-only=-1;r9k=0;room-id=1;slow=30;subs-only=1 "
        ":tmi.twitch.tv ROOMSTATE #alice"
    )
    assert (event.code, event.text) == (
        "roomstate",
        "emote-only=0 followers-only=-1 r9k=0 slow=30 subs-only=1",
    )
    event = one(":tmi.twitch.tv RECONNECT")
    assert (event.code, event.channel) == ("reconnect", "")


@pytest.mark.parametrize(
    "line",
    [
        "PING :tmi.twitch.tv",
        ":tmi.twitch.tv 001 bot :Welcome, GLHF!",
        ":bot!bot@bot.tmi.twitch.tv JOIN #alice",
        ":tmi.twitch.tv CAP * ACK :twitch.tv/tags",
        "@badges=moderator/1;mod=1 :tmi.twitch.tv USERSTATE #alice",
        "@user-id=1 :tmi.twitch.tv GLOBALUSERSTATE",
        ":tmi.twitch.tv HOSTTARGET #alice :- 0",
        "",
        "garbage",
        "PRIVMSG",
        "@id=\\ :x!x@x.tmi.twitch.tv PRIVMSG #",
        ":ann!ann@ann.tmi.twitch.tv PRIVMSG #alice",
    ],
)
def test_lines_that_make_no_event(line):
    assert translate(parse_line(line), creator_id="alice", received_at=NOW) == []


def test_unknown_commands_are_logged_once_at_debug(caplog):
    caplog.set_level(logging.DEBUG, logger="streamsuites.twitch")
    for _ in range(3):
        translate(parse_line(":x WEIRDCOMMAND42 #a"), creator_id="a", received_at=NOW)
    assert sum("WEIRDCOMMAND42" in r.getMessage() for r in caplog.records) == 1
