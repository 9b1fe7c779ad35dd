from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from streamsuites.events import Moderation, decode_event, encode_event
from streamsuites.inspect import inspect_twitch

NOW = datetime(2026, 11, 24, tzinfo=UTC)
LINES = [
    "@id=m1;tmi-sent-ts=1568505600501;user-id=5;display-name=Bob :bob!bob@bob PRIVMSG #alice :hi",
    "PING :tmi.twitch.tv",
    "",
    "@ban-duration=10;target-user-id=5;tmi-sent-ts=1 :tmi.twitch.tv CLEARCHAT #alice :bob\r\n",
]


def test_one_json_line_per_event_or_null():
    out = list(inspect_twitch(LINES, creator_id="alice", now=NOW))
    assert len(out) == 3
    assert out[1] == "null"
    chat = decode_event(out[0])
    assert chat.text == "hi" and chat.event_id == "twitch:m1"
    assert encode_event(chat).decode() == out[0]
    timeout = decode_event(out[2])
    assert isinstance(timeout, Moderation) and timeout.action == "timeout"


@given(st.lists(st.text()))
def test_output_is_canonical_json_or_null(lines):
    for out in inspect_twitch(lines, creator_id="alice", now=NOW):
        assert out == "null" or encode_event(decode_event(out)).decode() == out
