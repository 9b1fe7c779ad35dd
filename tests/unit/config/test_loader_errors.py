"""Bad input: every case names the exact file and JSON path, and never raises anything else."""

from __future__ import annotations

from typing import Any

import pytest

from streamsuites.config import ConfigIssue
from tests.unit.config.helpers import load_issues


def creators(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"creators": list(entries)}


def twitch(**settings: Any) -> dict[str, Any]:
    return creators({"creator_id": "alice", "platforms": {"twitch": settings}})


def trigger(**fields: Any) -> dict[str, Any]:
    base = {"trigger_id": "t1", "type": "command", "creator_id": "alice", "command": "!ping"}
    return {"triggers": [{**base, **fields}]}


CASES: list[tuple[str, dict[str, Any], str, str, str]] = [
    # (case id, files, file, location, fragment of the message line)
    (
        "invalid-json",
        {"creators.json": '{"creators": [\n  {"creator_id": "a"}\n  {"creator_id": "b"}]}'},
        "creators.json",
        "line 3, column 3",
        "invalid JSON: Expecting ',' delimiter",
    ),
    (
        "invalid-json-trailing-comma",
        {"system.json": '{"runtime": {},\n}'},
        "system.json",
        "line 2, column 1",
        "invalid JSON",
    ),
    (
        "creators-root-list",
        {"creators.json": [{"creator_id": "a"}]},
        "creators.json",
        "$",
        "wrong type (found a list, expected an object with a 'creators' list)",
    ),
    ("tiers-root-string", {"tiers.json": '"open"'}, "tiers.json", "$", "found 'open'"),
    (
        "creators-key-missing",
        {"creators.json": {}},
        "creators.json",
        "$.creators",
        "missing required key (expected a list)",
    ),
    (
        "creator-id-missing",
        {"creators.json": creators({"tier": "open"})},
        "creators.json",
        "$.creators[0].creator_id",
        "missing required key (expected a string)",
    ),
    (
        "creator-id-format",
        {"creators.json": creators({"creator_id": "has space"})},
        "creators.json",
        "$.creators[0].creator_id",
        "invalid format (found 'has space'",
    ),
    (
        "creator-enabled-type",
        {"creators.json": creators({"creator_id": "a", "enabled": "yes"})},
        "creators.json",
        "$.creators[0].enabled",
        "wrong type (found 'yes', expected a boolean)",
    ),
    (
        "platforms-type",
        {"creators.json": creators({"creator_id": "a", "platforms": "twitch"})},
        "creators.json",
        "$.creators[0].platforms",
        "expected an object or a list",
    ),
    (
        "platform-entry-type",
        {"creators.json": creators({"creator_id": "a", "platforms": {"twitch": 1}})},
        "creators.json",
        "$.creators[0].platforms.twitch",
        "expected a boolean or an object",
    ),
    (
        "env-name-lowercase",
        {"creators.json": twitch(token_env="twitch_token")},
        "creators.json",
        "$.creators[0].platforms.twitch.token_env",
        "the NAME of an environment variable",
    ),
    (
        "env-name-null",
        {"creators.json": twitch(token_env=None)},
        "creators.json",
        "$.creators[0].platforms.twitch.token_env",
        "wrong type (found null, expected a string)",
    ),
    (
        "listed-platform-no-name",
        {"creators.json": creators({"creator_id": "a", "platforms": [{}]})},
        "creators.json",
        "$.creators[0].platforms[0].name",
        "missing required key",
    ),
    (
        "unknown-creator-platform",
        {"creators.json": creators({"creator_id": "a", "platforms": ["twich"]})},
        "creators.json",
        "$.creators[0].platforms[0].name",
        "unknown platform (found 'twich'",
    ),
    (
        "duplicate-listed-platform",
        {"creators.json": creators({"creator_id": "a", "platforms": ["kick", {"name": "kick"}]})},
        "creators.json",
        "$.creators[0].platforms[1]",
        "platform 'kick' is listed twice",
    ),
    (
        "unknown-tier",
        {"creators.json": creators({"creator_id": "a", "tier": "platinum"})},
        "creators.json",
        "$.creators[0].tier",
        "unknown tier 'platinum' (found 'platinum', expected one of: gold, open)",
    ),
    (
        "default-tier-undefined",
        {"tiers.json": {"tiers": {"gold": {}}}, "creators.json": creators({"creator_id": "a"})},
        "creators.json",
        "$.creators[0].tier",
        "default tier 'open' is not defined in tiers.json",
    ),
    (
        "duplicate-creator-id",
        {"creators.json": creators({"creator_id": "a"}, {"creator_id": "a"})},
        "creators.json",
        "$.creators[1].creator_id",
        "duplicate creator_id 'a' (expected a unique id; first used at $.creators[0])",
    ),
    (
        "negative-limit",
        {"creators.json": creators({"creator_id": "a", "limits": {"max_triggers": -1}})},
        "creators.json",
        "$.creators[0].limits.max_triggers",
        "out of range (found -1, expected a number >= 0)",
    ),
    (
        "no-tiers",
        {"tiers.json": {"tiers": {}}},
        "tiers.json",
        "$.tiers",
        "too few entries (expected at least 1 entry)",
    ),
    (
        "tier-feature-type",
        {"tiers.json": {"tiers": {"open": {"features": {"clips": {"max_concurrent_jobs": 1.5}}}}}},
        "tiers.json",
        "$.tiers.open.features.clips.max_concurrent_jobs",
        "expected an integer",
    ),
    ("tiers-missing", {"tiers.json": None}, "tiers.json", "", "tiers.json: file not found"),
    (
        "creators-missing",
        {"creators.json": None},
        "creators.json",
        "",
        "creators.json: file not found",
    ),
    (
        "negative-interval",
        {"system.json": {"runtime": {"snapshot_interval_seconds": -5}}},
        "system.json",
        "$.runtime.snapshot_interval_seconds",
        "out of range (found -5, expected a number > 0)",
    ),
    (
        "zero-stale-after",
        {"system.json": {"runtime": {"stale_after_seconds": 0}}},
        "system.json",
        "$.runtime.stale_after_seconds",
        "expected a number > 0",
    ),
    (
        "polling-flag-type",
        {"system.json": {"system": {"platform_polling_enabled": "no"}}},
        "system.json",
        "$.system.platform_polling_enabled",
        "wrong type (found 'no', expected a boolean)",
    ),
    (
        "system-unknown-platform",
        {"system.json": {"system": {"platforms": {"twich": True}}}},
        "system.json",
        "$.system.platforms.twich",
        "unknown platform (found 'twich'",
    ),
    (
        "job-flag-type",
        {"system.json": {"system": {"jobs": {"clips": "on"}}}},
        "system.json",
        "$.system.jobs.clips",
        "expected a boolean or an object",
    ),
    (
        "max-bytes-type",
        {"system.json": {"runtime": {"event_log": {"max_bytes": "1GB"}}}},
        "system.json",
        "$.runtime.event_log.max_bytes",
        "expected an integer or null",
    ),
    (
        "bad-state-string",
        {"platforms.json": {"platforms": [{"name": "rumble", "state": "sleeping"}]}},
        "platforms.json",
        "$.platforms[0].state",
        "unknown platform state (found 'sleeping', expected one of: active, paused, disabled)",
    ),
    (
        "bad-state-type",
        {"platforms.json": {"platforms": {"rumble": {"state": 1}}}},
        "platforms.json",
        "$.platforms.rumble.state",
        "expected a string or a boolean",
    ),
    (
        "platforms-key-missing",
        {"platforms.json": {"schema_version": 1}},
        "platforms.json",
        "$.platforms",
        "missing required key",
    ),
    (
        "services-enabled-type",
        {"services.json": {"twitch": {"enabled": "true"}}},
        "services.json",
        "$.twitch.enabled",
        "wrong type (found 'true', expected a boolean)",
    ),
    (
        "override-without-name",
        {"platform_overrides.json": [{"enabled": False}]},
        "platform_overrides.json",
        "$[0]",
        "no platform name (expected one of the keys: platform_id",
    ),
    (
        "override-unknown-platform",
        {"platform_overrides.json": {"platforms": {"twich": False}}},
        "platform_overrides.json",
        "$.platforms.twich",
        "unknown platform",
    ),
    (
        "triggers-extra-root-key",
        {"triggers.json": {"triggers": [], "version": 2}},
        "triggers.json",
        "$.version",
        "unknown key 'version' is not allowed",
    ),
    (
        "trigger-id-missing",
        {"triggers.json": {"triggers": [{"type": "command", "creator": "alice"}]}},
        "triggers.json",
        "$.triggers[0].trigger_id",
        "missing required key",
    ),
    (
        "trigger-two-creators",
        {"triggers.json": trigger(creator="alice")},
        "triggers.json",
        "$.triggers[0]",
        "both 'creator_id' and 'creator' given (expected exactly one",
    ),
    (
        "trigger-no-creator",
        {"triggers.json": {"triggers": [{"trigger_id": "t", "type": "x"}]}},
        "triggers.json",
        "$.triggers[0]",
        "no creator given",
    ),
    (
        "trigger-unknown-creator",
        {"triggers.json": trigger(creator_id="bob")},
        "triggers.json",
        "$.triggers[0].creator_id",
        "unknown creator 'bob'",
    ),
    (
        "trigger-bad-regex",
        {"triggers.json": trigger(pattern="(gg")},
        "triggers.json",
        "$.triggers[0].pattern",
        "invalid regular expression: missing ), unterminated subpattern",
    ),
    (
        "trigger-duplicate-id",
        {"triggers.json": {"triggers": trigger()["triggers"] * 2}},
        "triggers.json",
        "$.triggers[1].trigger_id",
        "duplicate trigger_id 't1'",
    ),
    (
        "trigger-unknown-platform",
        {"triggers.json": trigger(platforms=["tiktok"])},
        "triggers.json",
        "$.triggers[0].platforms[0]",
        "unknown platform (found 'tiktok'",
    ),
    (
        "trigger-negative-cooldown",
        {"triggers.json": trigger(cooldown_seconds=-1)},
        "triggers.json",
        "$.triggers[0].cooldown_seconds",
        "expected a number >= 0",
    ),
    (
        "chat-match-mode",
        {
            "chat_behaviour.json": {
                "triggers": [{"match": "!a", "response": "b", "match_mode": "regex"}]
            }
        },
        "chat_behaviour.json",
        "$.triggers[0].match_mode",
        "unknown value (found 'regex', expected one of: equals_icase, contains_icase)",
    ),
    (
        "chat-response-missing",
        {"chat_behaviour.json": {"triggers": [{"match": "!a"}]}},
        "chat_behaviour.json",
        "$.triggers[0].response",
        "missing required key (expected a string)",
    ),
    (
        "dotenv-malformed",
        {".env": "# ok\nnot an assignment\n"},
        ".env",
        "line 2",
        "malformed line: not a variable assignment (expected KEY=VALUE)",
    ),
    (
        "dotenv-unterminated",
        {".env": "A='x\n"},
        ".env",
        "line 1",
        "unterminated single-quoted value",
    ),
    ("not-utf8", {"chat_behaviour.json": None}, "chat_behaviour.json", "", "not UTF-8 text"),
]


def issue_at(issues: list[ConfigIssue], file: str, location: str) -> ConfigIssue:
    matching = [i for i in issues if i.file == file and i.location == location]
    assert matching, f"no issue at {file} {location!r}; got:\n" + "\n".join(map(str, issues))
    return matching[0]


@pytest.mark.parametrize(
    ("files", "file", "location", "fragment"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_input_names_file_and_path(config_dir, files, file, location, fragment):
    directory = config_dir(files)
    if file == "chat_behaviour.json" and "UTF-8" in fragment:
        (directory / file).write_bytes(b'{"startup_announcement": "\xff"}')
    issues = load_issues(directory)
    issue = issue_at(issues, file, location)
    assert issue.is_error
    assert issue.path == ("" if location.startswith("line") else location)
    assert str(issue).startswith(": ".join(part for part in (file, location) if part))
    assert fragment in str(issue)


def test_at_least_thirty_cases():
    assert len(CASES) >= 30


def test_missing_directory(tmp_path):
    issues = load_issues(tmp_path / "nope")
    [issue] = issues
    assert issue.file == str(tmp_path / "nope")
    assert str(issue) == (
        f"{tmp_path / 'nope'}: config directory not found "
        "(expected a directory holding creators.json and tiers.json)"
    )


def test_path_is_a_file(tmp_path):
    path = tmp_path / "config.json"
    path.write_text("{}")
    issues = load_issues(path)
    assert [str(i) for i in issues] == [
        f"{path}: not a directory (expected a directory holding creators.json and tiers.json)"
    ]


def test_config_file_that_is_a_directory(config_dir):
    directory = config_dir({"system.json": None})
    (directory / "system.json").mkdir()
    issues = load_issues(directory)
    assert [str(i) for i in issues] == ["system.json: is a directory, not a file"]


def test_every_error_is_reported_at_once(config_dir):
    directory = config_dir(
        {
            "system.json": {
                "runtime": {"snapshot_interval_seconds": 0, "quotas_interval_seconds": -1}
            },
            "creators.json": creators({"creator_id": "a", "tier": "platinum"}, {"creator_id": "a"}),
            "triggers.json": '{"triggers": [}',
        }
    )
    issues = load_issues(directory)
    assert [(i.file, i.location) for i in issues if i.is_error] == [
        ("system.json", "$.runtime.quotas_interval_seconds"),
        ("system.json", "$.runtime.snapshot_interval_seconds"),
        ("creators.json", "$.creators[0].tier"),
        ("creators.json", "$.creators[1].creator_id"),
        ("triggers.json", "line 1, column 15"),
    ]


def test_secret_put_in_an_env_field_is_not_echoed(config_dir):
    secret = "oauth:s3cr3tvalue0123"
    issues = load_issues(config_dir({"creators.json": twitch(token_env=secret)}))
    [issue] = issues
    assert issue.path == "$.creators[0].platforms.twitch.token_env"
    assert issue.found == f"a {len(secret)}-character value"
    assert secret not in "\n".join(map(str, issues))


def test_malformed_dotenv_line_is_not_echoed(config_dir):
    issues = load_issues(config_dir({".env": "TOKEN oauth:hunter2\n"}))
    assert "hunter2" not in "\n".join(map(str, issues))


def test_warnings_accompany_errors(config_dir):
    directory = config_dir(
        {"creators.json": creators({"creator_id": "a", "tier": "x", "teir": "y"})}
    )
    issues = load_issues(directory)
    assert [i.severity for i in issues] == ["error", "warning"]
