from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from streamsuites.connectors.twitch.protocol import parse_line
from streamsuites.emulators._scenario import (
    Corpus,
    Fault,
    Raw,
    Say,
    ScenarioError,
    load_scenario,
    parse_scenario,
    retarget,
)


def test_steps_of_each_kind_sorted_by_time(tmp_path: Path) -> None:
    (tmp_path / "c.txt").write_text("PING :x\n")
    text = "\n".join(
        [
            '{"at": 5, "fault": "reconnect", "login": "Bot"}',
            '{"at": 1.5, "say": {"channel": "#Alice", "login": "Ann", "text": "!ping"}}',
            "",
            '{"raw": ":tmi.twitch.tv NOTICE * :hi"}',
            '{"at": 2, "corpus": "c.txt", "rate": 100, "channel": "alice", "limit": 3}',
        ]
    )
    steps = parse_scenario(text, base=tmp_path).steps
    assert steps == (
        Raw(0.0, ":tmi.twitch.tv NOTICE * :hi"),
        Say(1.5, "alice", "ann", "!ping", {}),
        Corpus(2.0, tmp_path / "c.txt", 100.0, "alice", 3),
        Fault(5.0, "reconnect", "bot"),
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{", "not JSON"),
        ("[1]", "must be a JSON object"),
        ('{"at": 1}', 'exactly one of "say", "raw", "fault" or "corpus"'),
        ('{"raw": "x", "fault": "close"}', "exactly one of"),
        ('{"at": -1, "raw": "PING"}', '"at" must be a number of seconds'),
        ('{"at": "1", "raw": "PING"}', '"at" must be a number of seconds'),
        ('{"fault": "explode"}', "unknown fault 'explode'"),
        ('{"say": {"channel": "a", "text": "hi"}}', '"say.login" must be a non-empty string'),
        ('{"say": "hi"}', '"say" must be an object'),
        ('{"say": {"channel": "a", "login": "b", "text": "c", "tags": {"x": 1}}}', "say.tags"),
        ('{"raw": ":only.a.prefix"}', "one IRC line with a command"),
        ('{"corpus": "missing.gz", "rate": 10, "channel": "a"}', "not found"),
        ('{"corpus": "missing.gz", "rate": 0, "channel": "a"}', '"rate" must be positive'),
    ],
)
def test_errors_name_the_file_and_line(line: str, message: str) -> None:
    text = '{"raw": "PING :x"}\n' + line
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, source="demo.jsonl")
    assert str(caught.value).startswith("demo.jsonl:2: ")
    assert message in str(caught.value)


def test_a_bad_corpus_limit_is_refused(tmp_path: Path) -> None:
    (tmp_path / "c.txt").write_text("x\n")
    with pytest.raises(ScenarioError, match='"limit" must be a positive integer'):
        parse_scenario('{"corpus": "c.txt", "rate": 1, "channel": "a", "limit": 0}', base=tmp_path)


def test_load_reads_relative_to_the_file(tmp_path: Path) -> None:
    with gzip.open(tmp_path / "c.txt.gz", "wt") as f:
        f.write("PING :x\n")
    path = tmp_path / "s.jsonl"
    path.write_text('{"corpus": "c.txt.gz", "rate": 5, "channel": "a"}\n')
    (step,) = load_scenario(path).steps
    assert isinstance(step, Corpus)
    assert step.path == tmp_path / "c.txt.gz"


def test_load_of_a_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="s.jsonl: cannot read"):
        load_scenario(tmp_path / "s.jsonl")


def test_retarget_moves_channel_and_room_id() -> None:
    line = "@room-id=1;id=x :a!a@a.tmi.twitch.tv PRIVMSG #xqcow :hello there"
    moved = parse_line(retarget(line, "alice", "42"))
    assert moved.params == ["#alice", "hello there"]
    assert moved.tags == {"room-id": "42", "id": "x"}


def test_retarget_leaves_lines_without_a_channel() -> None:
    assert retarget("PING :tmi.twitch.tv", "alice", "42") == "PING :tmi.twitch.tv"


SCENARIOS = Path(__file__).resolve().parents[3] / "examples" / "scenarios"


def test_the_demo_scenario_parses() -> None:
    steps = load_scenario(SCENARIOS / "twitch-demo.jsonl").steps
    assert {type(step) for step in steps} == {Say, Raw, Fault}


def test_the_xqcow_scenario_parses(corpora: Path) -> None:
    (replay, reconnect) = load_scenario(SCENARIOS / "twitch-xqcow.jsonl").steps
    assert isinstance(replay, Corpus)
    assert replay.path.resolve() == (corpora / "twitch-irc" / "xqcow-channel.txt.gz").resolve()
    assert reconnect == Fault(10.0, "reconnect")
