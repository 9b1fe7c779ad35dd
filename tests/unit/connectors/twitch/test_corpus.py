"""Every line of 5,000 real #xqcow lines parses and translates, and PRIVMSGs match their tags."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest

from streamsuites.connectors.twitch.protocol import parse_line
from streamsuites.connectors.twitch.translate import translate
from streamsuites.events import (
    ChatMessage,
    Membership,
    Moderation,
    Money,
    PaidSupport,
    from_epoch_ms,
)

NOW = datetime(2026, 11, 24, tzinfo=UTC)
ROLE_BADGES = {"broadcaster", "moderator", "vip", "subscriber", "founder", "staff"}


@pytest.fixture(scope="module")
def xqcow_lines() -> list[str]:
    from tests.conftest import CORPORA

    path = CORPORA / "twitch-irc/xqcow-channel.txt.gz"
    if not path.is_file():
        pytest.skip(f"corpus not found at {path}")
    with gzip.open(path, "rt", encoding="utf-8") as file:
        return file.read().splitlines()


def _tags(line: str) -> dict[str, str]:
    # An independent, plain reading of the tags, to check the parser against.
    raw = line[1:].split(" ", 1)[0]
    pairs = (item.split("=", 1) for item in raw.split(";"))
    return {key: value.replace("\\s", " ") for key, value in pairs}


def test_every_line_translates(xqcow_lines):
    kinds: dict[str, int] = {}
    for line in xqcow_lines:
        for event in translate(parse_line(line), creator_id="xqc", received_at=NOW):
            kinds[type(event).__name__] = kinds.get(type(event).__name__, 0) + 1
    assert len(xqcow_lines) == 5000
    # One of the 4,933 PRIVMSGs is a cheer (bits=70).
    assert kinds == {"ChatMessage": 4932, "PaidSupport": 1, "Moderation": 58, "Membership": 9}


def test_privmsg_fields_equal_the_raw_tags(xqcow_lines):
    for line in xqcow_lines:
        msg = parse_line(line)
        if msg.command != "PRIVMSG":
            continue
        tags = _tags(line)
        (event,) = translate(msg, creator_id="xqc", received_at=NOW)
        if "bits" in tags:
            assert isinstance(event, PaidSupport)
            assert event.amount == Money(amount_micros=int(tags["bits"]) * 10**6, currency="BITS")
        else:
            assert isinstance(event, ChatMessage)
        text = line.split(" PRIVMSG #xqcow :", 1)[1]
        if text.startswith("\x01ACTION "):
            assert isinstance(event, ChatMessage) and event.is_action
            text = text[8:].removesuffix("\x01")
        assert event.text == text
        assert "".join(fragment.text for fragment in event.fragments) == text
        assert event.event_id == f"twitch:{tags['id']}"
        assert event.occurred_at == from_epoch_ms(int(tags["tmi-sent-ts"]))
        assert event.channel == "xqcow"
        author = event.author
        assert author is not None
        assert author.id == tags["user-id"]
        assert author.login == line.split(" :", 1)[1].split("!", 1)[0]
        assert author.display_name == tags["display-name"]
        assert author.color == (tags["color"] or None)
        badges = tuple(tags["badges"].split(",")) if tags["badges"] else ()
        assert author.badges == badges
        names = {badge.split("/")[0] for badge in badges} & ROLE_BADGES
        expected = {"subscriber" if name == "founder" else name for name in names}
        if tags["mod"] == "1":
            expected.add("moderator")
        if tags["subscriber"] == "1":
            expected.add("subscriber")
        assert author.roles == tuple(sorted(expected))


def test_emote_fragments_match_the_emotes_tag(xqcow_lines):
    with_emotes = 0
    for line in xqcow_lines:
        tags = _tags(line)
        if not tags.get("emotes") or " PRIVMSG " not in line:
            continue
        (event,) = translate(parse_line(line), creator_id="xqc", received_at=NOW)
        emote_runs = [fragment for fragment in event.fragments if fragment.emote_id]
        ranges = [
            span for entry in tags["emotes"].split("/") for span in entry.split(":")[1].split(",")
        ]
        assert len(emote_runs) == len(ranges)
        with_emotes += 1
    assert with_emotes > 500


def test_clearchat_and_usernotice_fields(xqcow_lines):
    for line in xqcow_lines:
        msg = parse_line(line)
        if msg.command not in ("CLEARCHAT", "USERNOTICE"):
            continue
        tags = _tags(line)
        (event,) = translate(msg, creator_id="xqc", received_at=NOW)
        assert event.occurred_at == from_epoch_ms(int(tags["tmi-sent-ts"]))
        if isinstance(event, Moderation):
            if "ban-duration" in tags:
                assert event.action == "timeout"
                assert event.duration_seconds == int(tags["ban-duration"])
            else:
                assert (event.action, event.duration_seconds) == ("ban", None)
            assert event.target is not None
            assert event.target.id == tags["target-user-id"]
        else:
            assert isinstance(event, Membership)
            assert event.event_id == f"twitch:{tags['id']}"
            assert event.months == int(tags["msg-param-cumulative-months"])
            assert event.tier == tags["msg-param-sub-plan"]
            assert event.author is not None and event.author.login == tags["login"]
