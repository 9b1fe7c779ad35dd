from __future__ import annotations

from pathlib import Path

import pytest

from streamsuites.emulators import ScenarioError, load_youtube_scenario, parse_youtube_scenario
from streamsuites.emulators._youtube_scenario import (
    AddChannel,
    Ban,
    Delete,
    EndStream,
    Post,
    StartStream,
    YouTubeFault,
)
from streamsuites.emulators._youtube_wire import Author
from tests.support import REPO

UC = "UCalice0000000000000000a"


def test_steps_of_each_kind_sorted_by_time() -> None:
    text = "\n".join(
        [
            '{"at": 9, "end": {"channel": "@alice"}}',
            f'{{"channel": {{"id": "{UC}", "handle": "@alice", "title": "Alice"}}}}',
            '{"at": 1, "start": {"channel": "@alice", "title": "T", "video": "v"}}',
            "",
            '{"at": 2, "say": {"channel": "@alice", "author": "Ann", "text": "!ping", "ref": "p"}}',
            '{"at": 3, "event": {"channel": "@alice", "type": "newSponsorEvent",'
            ' "author": {"name": "Bo", "member": true}, "details": {"memberLevelName": "M"}}}',
            '{"at": 4, "delete": {"channel": "@alice", "ref": "p"}}',
            '{"at": 5, "ban": {"channel": "@alice", "user": "Cy"}}',
            '{"at": 6, "fault": {"kind": "error", "status": 503, "count": 2,'
            ' "endpoint": "videos.list"}}',
            '{"at": 7, "fault": {"kind": "slow", "delay": 1.5}}',
        ]
    )
    steps = parse_youtube_scenario(text).steps
    assert steps == (
        AddChannel(0.0, 2, UC, "@alice", "Alice"),
        StartStream(1.0, 3, "@alice", "T", "v"),
        Post(2.0, 5, "@alice", "textMessageEvent", Author("Ann"), {"messageText": "!ping"}, "p"),
        Post(
            3.0, 6, "@alice", "newSponsorEvent", Author("Bo", member=True), {"memberLevelName": "M"}
        ),
        Delete(4.0, 7, "@alice", "p"),
        Ban(5.0, 8, "@alice", Author("Cy"), None),
        YouTubeFault(6.0, 9, "error", 2, 503, None, "videos.list"),
        YouTubeFault(7.0, 10, "slow", delay=1.5),
        EndStream(9.0, 1, "@alice"),
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{", "not JSON"),
        ("[1]", "must be a JSON object"),
        ('{"at": 1}', "exactly one of"),
        ('{"say": {}, "end": {}}', "exactly one of"),
        ('{"at": -1, "end": {"channel": "@a"}}', '"at" must be a number of seconds'),
        ('{"end": "@a"}', '"end" must be an object'),
        ('{"channel": {"id": "alice"}}', 'must start with "UC"'),
        ('{"say": {"channel": "@a", "text": "hi"}}', '"say.author" must be a name or an object'),
        (
            '{"say": {"channel": "@a", "author": {"name": "A", "moderator": "yes"}, "text": "x"}}',
            "must be true or false",
        ),
        ('{"say": {"channel": "@a", "author": "A"}}', '"say.text" must be a non-empty string'),
        (
            '{"event": {"channel": "@a", "author": "A", "type": "chatMessage"}}',
            "unknown event type",
        ),
        (
            '{"event": {"channel": "@a", "author": "A", "type": "pollEvent", "details": []}}',
            '"event.details" must be an object',
        ),
        (
            '{"ban": {"channel": "@a", "user": "B", "seconds": 0}}',
            '"ban.seconds" must be a positive',
        ),
        ('{"fault": {"kind": "explode"}}', "unknown fault 'explode'"),
        ('{"fault": {"kind": "error"}}', 'needs "status" between 400 and 599'),
        ('{"fault": {"kind": "error", "status": 503, "count": 0}}', '"fault.count" must be'),
        ('{"fault": {"kind": "slow"}}', 'needs a "delay"'),
        ('{"fault": {"kind": "disable"}}', 'needs "target"'),
    ],
)
def test_errors_name_the_file_and_line(line: str, message: str) -> None:
    text = '{"end": {"channel": "@a"}}\n' + line
    with pytest.raises(ScenarioError) as caught:
        parse_youtube_scenario(text, source="demo.jsonl")
    assert str(caught.value).startswith("demo.jsonl:2: ")
    assert message in str(caught.value)


def test_the_example_scenario_parses() -> None:
    scenario = load_youtube_scenario(REPO / "examples" / "scenarios" / "youtube-demo.jsonl")
    assert isinstance(scenario.steps[0], AddChannel)
    assert isinstance(scenario.steps[-1], EndStream)


def test_a_missing_file_is_a_scenario_error(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cannot read the scenario"):
        load_youtube_scenario(tmp_path / "nope.jsonl")
