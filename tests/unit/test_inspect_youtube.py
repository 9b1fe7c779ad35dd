from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from streamsuites.events import ChatMessage, Membership, PaidSupport, decode_event, encode_event
from streamsuites.inspect import InspectError, inspect_twitch, inspect_youtube
from tests.support import REPO

NOW = datetime(2026, 11, 24, tzinfo=UTC)
FIXTURES = REPO / "tests/fixtures/youtube"


def run(text: str, **options) -> list[str]:
    return list(inspect_youtube(text, creator_id="alice", now=NOW, **options))


def test_pretty_printed_pages_in_a_row(corpora):
    text = "".join(
        (corpora / f"youtube/pytchat-API_{name}.json").read_text(encoding="utf-8")
        for name in ("TextMessage", "SuperChat", "NewSponsor")
    )
    chat, superchat, member = (decode_event(line) for line in run(text))
    assert isinstance(chat, ChatMessage) and chat.text == "888"
    assert isinstance(superchat, PaidSupport) and superchat.amount is not None
    assert superchat.amount.amount_micros == 200_000_000
    assert isinstance(member, Membership) and member.membership_type == "new"
    assert {event.creator_id for event in (chat, superchat, member)} == {"alice"}
    assert {event.received_at for event in (chat, superchat, member)} == {NOW}
    # Without --channel, the page's liveChatId names the channel.
    assert chat.channel == chat.stream_id == chat.raw["snippet"]["liveChatId"]


def test_one_compact_page_per_line_and_canonical_output():
    pages = [
        json.loads((FIXTURES / f"{name}.json").read_text())
        for name in ("superChatEvent", "userBannedEvent")
    ]
    text = "\n".join(json.dumps(page) for page in pages) + "\n"
    lines = run(text, channel="UCa1iceP1aysXXXXXXXXXXXX")
    assert len(lines) == 4
    assert [decode_event(line).event_id for line in lines] == [
        "youtube:LCC.sc-1",
        "youtube:LCC.sc-2",
        "youtube:LCC.ban-1",
        "youtube:LCC.ban-2",
    ]
    assert all(encode_event(decode_event(line)).decode() == line for line in lines)
    assert {decode_event(line).channel for line in lines} == {"UCa1iceP1aysXXXXXXXXXXXX"}


def test_empty_page_prints_null_and_blank_input_prints_nothing():
    assert run('{"items": []}\n{}') == ["null", "null"]
    assert run("") == []
    assert run(" \n\r\n") == []


def test_bad_value_names_the_body_and_path():
    good = (FIXTURES / "textMessageEvent.json").read_text()
    with pytest.raises(
        InspectError, match=r"^body 2: Expected `str`, got `int` - at `\$\.items\[0\]\.id`$"
    ):
        run(good + '\n{"items": [{"id": 7}]}')


def test_not_json_names_the_body_and_position():
    with pytest.raises(InspectError, match=r"^body 2 is not JSON \(line 2 column 1\): "):
        run('{"items": []}\nnot json')


def test_wrong_top_level_type():
    with pytest.raises(InspectError, match=r"^body 1: Expected `object`, got `array`"):
        run("[1, 2]")


def test_inspect_twitch_still_works():
    line = "@id=m1;tmi-sent-ts=1568505600501;user-id=5 :bob!bob@bob PRIVMSG #alice :hi"
    (out,) = inspect_twitch([line], creator_id="alice", now=NOW)
    assert decode_event(out).event_id == "twitch:m1"
