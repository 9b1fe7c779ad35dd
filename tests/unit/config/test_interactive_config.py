"""interactive.json: normalization, and every bad input named by file and JSON path."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from streamsuites.config import load_config
from tests.unit.config.helpers import load_issues

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def interactive(**alice: Any) -> dict[str, Any]:
    return {"interactive.json": {"creators": {"alice": alice}}}


def test_absent_file_means_no_interactive_features(config_dir):
    config = load_config(config_dir(), environ={}).config
    settings = config.interactive.for_creator("alice")
    assert settings.polls is None and settings.tallies == () and settings.scoreboards == ()
    assert config.interactive.signal_limit == 200


def test_example_interactive_config_loads():
    config = load_config(EXAMPLES / "config", environ={}).config
    alice = config.interactive.for_creator("alice")
    assert alice.polls is not None and alice.polls.vote_commands == ("!vote", "!v")
    assert [t.tally_id for t in alice.tallies] == ["deaths", "hype"]
    assert alice.tallies[1].window_seconds == 3600
    assert alice.scoreboards[0].points.superchat_per_usd == 10
    assert config.interactive.for_creator("studio7").polls is None


def test_values_are_normalized(config_dir):
    files = interactive(
        polls={"definitions": [{"poll_id": "p", "question": "Q", "options": ["A", "B"]}]},
        tallies=[
            {"tally_id": "r", "window": {"days": 1, "seconds": 30}},
            {
                "tally_id": "c",
                "aggregation_type": "custom",
                "start": "2026-03-01T00:00:00+01:00",
                "end": "2026-04-01T00:00:00Z",
                "categories": [{"category_id": "x", "options": [{"option_id": "o"}]}],
            },
        ],
        scoreboards=[{"scoreboard_id": "s", "points": {"message": 2}}],
    )
    alice = load_config(config_dir(files), environ={}).config.interactive.for_creator("alice")
    assert alice.polls is not None and alice.polls.vote_mode == "last"
    assert alice.polls.definitions[0].options == ("A", "B")
    rolling, custom = alice.tallies
    assert rolling.aggregation_type == "rolling" and rolling.window_seconds == 86_430
    assert rolling.title == "r"
    assert custom.start == datetime(2026, 2, 28, 23, tzinfo=UTC)
    assert custom.categories[0].label == "x" and custom.categories[0].options[0].label == "o"
    assert alice.scoreboards[0].points.message == 2.0
    assert alice.scoreboards[0].period_kind == "all_time"


def test_polls_can_be_disabled(config_dir):
    files = interactive(polls={"enabled": False})
    config = load_config(config_dir(files), environ={}).config
    assert config.interactive.for_creator("alice").polls is None


POLL = {"poll_id": "p", "question": "Q", "options": ["A", "B"]}

CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("root-list", {"interactive.json": []}, "$", "wrong type"),
    (
        "unknown-creator",
        {"interactive.json": {"creators": {"zed": {}}}},
        "$.creators.zed",
        "unknown creator 'zed'",
    ),
    (
        "vote-mode",
        interactive(polls={"vote_mode": "best"}),
        "$.creators.alice.polls.vote_mode",
        "unknown value",
    ),
    (
        "vote-command-space",
        interactive(polls={"vote_commands": ["!vote now"]}),
        "$.creators.alice.polls.vote_commands[0]",
        "invalid format",
    ),
    (
        "poll-one-option",
        interactive(polls={"definitions": [{**POLL, "options": ["A"]}]}),
        "$.creators.alice.polls.definitions[0].options",
        "too few entries",
    ),
    (
        "poll-too-many-options",
        interactive(polls={"definitions": [{**POLL, "options": ["A", "B", "C", "D", "E"]}]}),
        "$.creators.alice.polls.definitions[0].options",
        "too many options for tier open",
    ),
    (
        "poll-too-many-auto-open",
        interactive(
            polls={
                "definitions": [
                    {**POLL, "auto_open": True},
                    {**POLL, "poll_id": "q", "auto_open": True},
                ]
            }
        ),
        "$.creators.alice.polls.definitions[1].auto_open",
        "too many auto-opened polls",
    ),
    (
        "poll-duplicate-id",
        interactive(polls={"definitions": [POLL, POLL]}),
        "$.creators.alice.polls.definitions[1].poll_id",
        "duplicate poll_id 'p'",
    ),
    (
        "tally-id-missing",
        interactive(tallies=[{"title": "T"}]),
        "$.creators.alice.tallies[0].tally_id",
        "missing required key",
    ),
    (
        "tally-aggregation",
        interactive(tallies=[{"tally_id": "t", "aggregation_type": "daily"}]),
        "$.creators.alice.tallies[0].aggregation_type",
        "unknown value",
    ),
    (
        "tally-rolling-no-window",
        interactive(tallies=[{"tally_id": "t"}]),
        "$.creators.alice.tallies[0].window",
        "missing window",
    ),
    (
        "tally-window-zero",
        interactive(tallies=[{"tally_id": "t", "window": {"seconds": 0}}]),
        "$.creators.alice.tallies[0].window.seconds",
        "out of range",
    ),
    (
        "tally-custom-no-end",
        interactive(
            tallies=[
                {"tally_id": "t", "aggregation_type": "custom", "start": "2026-01-01T00:00:00Z"}
            ]
        ),
        "$.creators.alice.tallies[0].end",
        "missing end",
    ),
    (
        "tally-custom-naive",
        interactive(
            tallies=[
                {
                    "tally_id": "t",
                    "aggregation_type": "custom",
                    "start": "2026-01-01T00:00:00",
                    "end": "2026-02-01T00:00:00Z",
                }
            ]
        ),
        "$.creators.alice.tallies[0].start",
        "invalid timestamp",
    ),
    (
        "tally-custom-backwards",
        interactive(
            tallies=[
                {
                    "tally_id": "t",
                    "aggregation_type": "custom",
                    "start": "2026-02-01T00:00:00Z",
                    "end": "2026-01-01T00:00:00Z",
                }
            ]
        ),
        "$.creators.alice.tallies[0].end",
        "end is not after start",
    ),
    (
        "tally-duplicate-id",
        interactive(
            tallies=[
                {"tally_id": "t", "window": {"days": 1}},
                {"tally_id": "t", "window": {"days": 1}},
            ]
        ),
        "$.creators.alice.tallies[1].tally_id",
        "duplicate tally_id 't'",
    ),
    (
        "tally-bad-id",
        interactive(tallies=[{"tally_id": "has space", "window": {"days": 1}}]),
        "$.creators.alice.tallies[0].tally_id",
        "invalid format",
    ),
    (
        "score-period",
        interactive(scoreboards=[{"scoreboard_id": "s", "period_kind": "hourly"}]),
        "$.creators.alice.scoreboards[0].period_kind",
        "unknown value",
    ),
    (
        "score-negative-points",
        interactive(scoreboards=[{"scoreboard_id": "s", "points": {"message": -1}}]),
        "$.creators.alice.scoreboards[0].points.message",
        "out of range",
    ),
    (
        "score-duplicate-id",
        interactive(scoreboards=[{"scoreboard_id": "s"}, {"scoreboard_id": "s"}]),
        "$.creators.alice.scoreboards[1].scoreboard_id",
        "duplicate scoreboard_id 's'",
    ),
    ("signal-limit", {"interactive.json": {"signal_limit": 0}}, "$.signal_limit", "out of range"),
]


@pytest.mark.parametrize(("case", "files", "path", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_names_file_and_path(config_dir, case, files, path, message):
    issues = [i for i in load_issues(config_dir(files)) if i.is_error]
    assert [(i.file, i.path) for i in issues] == [("interactive.json", path)], case
    assert message in str(issues[0])


def test_unknown_key_is_a_warning(config_dir):
    result = load_config(config_dir(interactive(polls={"vote_mod": "last"})), environ={})
    [warning] = [w for w in result.warnings if w.file == "interactive.json"]
    assert warning.path == "$.creators.alice.polls.vote_mod"
    assert "did you mean 'vote_mode'" in warning.message
