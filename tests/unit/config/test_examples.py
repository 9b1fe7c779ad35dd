"""The shipped examples are tests: the good one loads, each broken one fails as documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from streamsuites.config import PlatformState, format_issues, format_summary, load_config
from tests.unit.config.helpers import load_issues

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
BROKEN = sorted(path for path in (EXAMPLES / "broken").iterdir() if path.is_dir())


def test_example_config_loads():
    result = load_config(EXAMPLES / "config", environ={})
    config = result.config
    assert [c.creator_id for c in config.creators] == ["alice", "studio7", "retired"]
    assert [c.tier for c in config.creators] == ["gold", "pro", "open"]
    retired, studio7 = config.creator("retired"), config.creator("studio7")
    assert retired is not None and retired.enabled is False
    assert studio7 is not None and set(studio7.platforms) == {"youtube", "rumble", "kick"}
    assert config.platforms["rumble"].state is PlatformState.PAUSED
    assert len(config.triggers) == 7
    assert all(w.severity == "warning" and "is not set" in w.message for w in result.warnings)


def test_example_env_file_names_every_variable():
    config = load_config(EXAMPLES / "config", environ={}).config
    used = {
        name
        for c in config.creators
        for p in c.platforms.values()
        for name in p.secret_env.values()
    }
    text = (EXAMPLES / "config" / ".env.example").read_text()
    documented = {line.split("=", 1)[0] for line in text.splitlines() if "=" in line}
    assert used == documented


def test_example_summary_never_prints_secret_values():
    result = load_config(EXAMPLES / "config", environ={"TWITCH_TOKEN_ALICE": "oauth:secret123"})
    summary = format_summary(result)
    assert "TWITCH_TOKEN_ALICE (set)" in summary
    assert "oauth:secret123" not in summary
    assert "Platforms: twitch active, youtube active, rumble paused" in summary
    assert "Triggers: 7 (alice 5, studio7 2)" in summary


@pytest.mark.parametrize("directory", BROKEN, ids=[path.name for path in BROKEN])
def test_broken_example_fails_with_expected_lines(directory):
    issues = load_issues(directory)
    errors = [str(issue) for issue in issues if issue.is_error]
    assert errors == (directory / "expected.txt").read_text().splitlines()
    assert format_issues(issues).splitlines()[: len(errors)] == errors


def test_there_are_several_broken_examples():
    assert len(BROKEN) >= 8
