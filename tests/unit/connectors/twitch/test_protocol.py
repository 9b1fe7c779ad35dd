from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from streamsuites.connectors.twitch.protocol import (
    IrcMessage,
    escape_tag_value,
    format_message,
    format_privmsg,
    parse_line,
    unescape_tag_value,
)
from tests.conftest import CORPORA

# Parametrized cases are read at collection; without the corpora there are none, and
# test_the_parser_test_files_are_found skips through the `corpora` fixture.
PARSER_TESTS = CORPORA / "irc-parser-tests"


def _cases(name: str) -> list[dict[str, Any]]:
    path = PARSER_TESTS / name
    if not path.is_file():
        return []
    cases: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))["tests"]
    return cases


def _message(atoms: dict[str, Any]) -> IrcMessage:
    return IrcMessage(
        tags={key: value or "" for key, value in (atoms.get("tags") or {}).items()},
        source=atoms.get("source"),
        command=atoms["verb"].upper(),
        params=list(atoms.get("params") or []),
    )


def _atoms(msg: IrcMessage) -> tuple[Any, ...]:
    return msg.tags, msg.source, msg.command, msg.params


def test_the_parser_test_files_are_found(corpora):
    assert len(_cases("msg-split.yaml")) == 35
    assert len(_cases("msg-join.yaml")) == 18


@pytest.mark.parametrize("case", _cases("msg-split.yaml"), ids=lambda case: case["input"][:40])
def test_msg_split(case):
    msg = parse_line(case["input"])
    assert _atoms(msg) == _atoms(_message(case["atoms"]))


@pytest.mark.parametrize("case", _cases("msg-join.yaml"), ids=lambda case: case["desc"])
def test_msg_join(case):
    atoms = case["atoms"]
    msg = _message(atoms)
    # The yaml's verbs are lowercase in places; the wire form keeps the verb as given.
    msg = IrcMessage(tags=msg.tags, source=msg.source, command=atoms["verb"], params=msg.params)
    assert format_message(msg) in case["matches"]


def test_tags_unescape_char_by_char():
    assert unescape_tag_value(r"a\\nb\:c\sd\e\\") == "a\\nb;c de\\"
    assert unescape_tag_value("end\\") == "end"
    assert escape_tag_value("a;b c\\d\r\n") == r"a\:b\sc\\d\r\n"


def test_a_tag_value_holding_an_equals_sign_and_quotes():
    msg = parse_line('@a=x=y;b="q";c :n PRIVMSG #c :hi')
    assert msg.tags == {"a": "x=y", "b": '"q"', "c": ""}


def test_crlf_is_stripped_and_command_uppercased():
    msg = parse_line(":tmi.twitch.tv ping :tmi.twitch.tv\r\n")
    assert msg.command == "PING"
    assert msg.params == ["tmi.twitch.tv"]
    assert msg.line == ":tmi.twitch.tv ping :tmi.twitch.tv"


def test_nick_from_source():
    assert parse_line(":nick!user@host PRIVMSG #c :x").nick == "nick"
    assert parse_line(":tmi.twitch.tv RECONNECT").nick == "tmi.twitch.tv"
    assert parse_line("PING :x").nick == ""


@pytest.mark.parametrize("line", ["", " ", "@", ":", "@ :", "@a=b", ":src", "\r\n", "@;;; :x y"])
def test_degenerate_lines_parse(line):
    msg = parse_line(line)
    assert isinstance(msg.command, str)


def test_format_privmsg():
    assert format_privmsg("alice", "hello world") == "PRIVMSG #alice :hello world"
    assert format_privmsg("#alice", "hi") == "PRIVMSG #alice hi"
    assert format_privmsg("alice", ":)", reply_to="abc-1") == (
        "@reply-parent-msg-id=abc-1 PRIVMSG #alice ::)"
    )
    assert format_privmsg("alice", "a\r\nb\nc\0") == "PRIVMSG #alice :a b c"


@pytest.mark.parametrize(
    "msg",
    [
        IrcMessage(command=""),
        IrcMessage(command="PRIVMSG", params=["#a b", "x"]),
        IrcMessage(command="PRIVMSG", params=["", "x"]),
        IrcMessage(command="PRIVMSG", params=[":a", "x"]),
        IrcMessage(command="PRIVMSG", params=["#a", "x\ny"]),
    ],
)
def test_format_refuses_what_no_line_can_carry(msg):
    with pytest.raises(ValueError):
        format_message(msg)


@given(st.text())
def test_parse_never_raises(text):
    parse_line(text)


_no_break = st.characters(exclude_characters="\r\n\0", exclude_categories=["Cs"])
_word = st.text(_no_break, min_size=1).filter(lambda s: " " not in s and not s.startswith(":"))
_keys = st.text(st.sampled_from("abcxyz-/.0123456789"), min_size=1)
_tag_values = st.text(st.characters(exclude_characters="\0", exclude_categories=["Cs"]))
_messages = st.builds(
    IrcMessage,
    tags=st.dictionaries(
        _keys, st.text(st.characters(exclude_characters="\0", exclude_categories=["Cs"]))
    ),
    source=st.none() | _word,
    command=st.sampled_from(["PRIVMSG", "USERNOTICE", "001", "PING"]),
    params=st.lists(_word, max_size=3).flatmap(
        lambda middle: st.lists(st.text(_no_break), max_size=1).map(lambda last: middle + last)
    ),
)


@given(_messages)
def test_format_then_parse_round_trips(msg):
    assert _atoms(parse_line(format_message(msg))) == _atoms(msg)
