"""Bad trigger config: each problem is a ConfigIssue naming the file and the JSON path."""

from __future__ import annotations

from typing import Any

import pytest

from streamsuites.config import load_config
from streamsuites.config._triggers import build_triggers, check_chat_behaviour
from streamsuites.config.issues import IssueLog
from streamsuites.config.model import Creator, Limits
from streamsuites.triggers import compile_triggers
from tests.unit.config.helpers import load_issues


def entry(**fields: Any) -> dict[str, Any]:
    base = {"trigger_id": "t1", "type": "command", "creator_id": "alice", "command": "!ping"}
    return {**base, **fields}


def triggers(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"triggers": list(entries)}


CASES: list[tuple[str, dict[str, Any], str, str]] = [
    # (case id, the trigger, JSON path, fragment of the issue line)
    ("unknown-type", entry(type="cmd"), "$.triggers[0].type", "unknown trigger type (found 'cmd'"),
    (
        "unknown-action-type",
        entry(actions=[{"action_type": "reply", "payload": {"text": "x"}}]),
        "$.triggers[0].actions[0].action_type",
        "unknown action_type (found 'reply', expected one of: send_chat_message",
    ),
    (
        "legacy-type-key-unknown",
        entry(actions=[{"type": "clip"}]),
        "$.triggers[0].actions[0].type",
        "unknown action_type",
    ),
    (
        "missing-action-type",
        entry(actions=[{"payload": {"text": "x"}}]),
        "$.triggers[0].actions[0].action_type",
        "missing action_type",
    ),
    (
        "unknown-placeholder-response",
        entry(response="hi {usr}"),
        "$.triggers[0].response",
        "unknown placeholder {usr}",
    ),
    (
        "unknown-placeholder-nested",
        entry(actions=[{"action_type": "http_webhook", "payload": {"body": {"who": "{nick}"}}}]),
        "$.triggers[0].actions[0].payload.body.who",
        "unknown placeholder {nick}",
    ),
    (
        "lone-brace",
        entry(response="{user"),
        "$.triggers[0].response",
        "lone '{'",
    ),
    (
        "chat-message-without-text",
        entry(actions=[{"action_type": "send_chat_message", "payload": {}}]),
        "$.triggers[0].actions[0].payload.text",
        "send_chat_message needs text",
    ),
    (
        "regex-python-invalid",
        entry(type="regex", pattern="(gg"),
        "$.triggers[0].pattern",
        "invalid regular expression: missing )",
    ),
    (
        "regex-re2-unsupported",
        entry(type="regex", pattern=r"(?<=x)gg", response="x"),
        "$.triggers[0].pattern",
        "regular expression not supported by RE2",
    ),
    (
        "regex-backreference",
        entry(type="regex", pattern=r"(a)\1", response="x"),
        "$.triggers[0].pattern",
        "not supported by RE2",
    ),
    (
        "unknown-permission",
        entry(permission="admin"),
        "$.triggers[0].permission",
        "unknown value (found 'admin', expected one of: everyone, subscriber, member",
    ),
    (
        "unknown-event-type",
        entry(type="event", events=[{"kind": "membership", "types": ["sub"]}], response="x"),
        "$.triggers[0].events[0].types[0]",
        "unknown membership type (found 'sub'",
    ),
    (
        "command-with-space",
        entry(aliases=["!a b"]),
        "$.triggers[0].aliases[0]",
        "a command is one word",
    ),
    (
        "negative-user-cooldown",
        entry(user_cooldown_seconds=-1),
        "$.triggers[0].user_cooldown_seconds",
        "out of range",
    ),
]


@pytest.mark.parametrize(("case", "raw", "path", "fragment"), CASES, ids=[c[0] for c in CASES])
def test_bad_trigger_names_file_and_path(config_dir, case, raw, path, fragment):
    issues = load_issues(config_dir({"triggers.json": triggers(raw)}))
    matching = [i for i in issues if i.file == "triggers.json" and i.path == path and i.is_error]
    assert matching, "\n".join(map(str, issues))
    assert fragment in str(matching[0])


def test_missing_match_criteria_and_actions_are_warnings(config_dir):
    raw = {"trigger_id": "t", "type": "keyword", "creator_id": "alice"}
    result = load_config(config_dir({"triggers.json": triggers(raw)}), environ={})
    assert [str(w) for w in result.warnings] == [
        "triggers.json: $.triggers[0].keywords: 'keywords' is missing, so the trigger never "
        "fires (expected a list of words)",
    ]


def _creator(tier: str, max_triggers: int, minimum: float) -> Creator:
    limits = Limits(max_triggers=max_triggers, trigger_min_cooldown_seconds=minimum)
    return Creator(
        creator_id="alice",
        display_name="Alice",
        enabled=True,
        tier=tier,
        limits=limits,
        platforms={},
    )


def _check(data: dict[str, Any], creator: Creator) -> list[str]:
    log = IssueLog()
    build_triggers(data, {"alice": creator}, log.for_file("triggers.json"))
    return [str(issue) for issue in log.errors]


def test_cooldown_below_tier_minimum_names_creator_and_tier():
    errors = _check(triggers(entry(cooldown_seconds=0.5, response="x")), _creator("open", 10, 2))
    assert errors == [
        "triggers.json: $.triggers[0].cooldown_seconds: cooldown below the minimum of creator "
        "'alice' (tier 'open') (found 0.5, expected at least 2 seconds "
        "(trigger_min_cooldown_seconds))"
    ]


def test_more_enabled_triggers_than_max_triggers_is_one_clear_error():
    entries = [entry(trigger_id=f"t{n}", command=f"!c{n}", response="x") for n in range(4)]
    entries.append(entry(trigger_id="off", enabled=False, response="x"))
    assert _check(triggers(*entries), _creator("open", 2, 0)) == [
        "triggers.json: $.triggers[2]: creator 'alice' has 4 enabled triggers, more than the 2 "
        "its tier 'open' allows (found 4, expected at most 2 enabled triggers (max_triggers); "
        "disable or remove 2)"
    ]
    assert _check(triggers(*entries[:2], entries[-1]), _creator("open", 2, 0)) == []


def test_chat_behaviour_checks():
    log = IssueLog()
    data = {
        "triggers": [
            {"match": "!ping", "response": "pong {nope}"},
            {"match": "!ping", "response": "again", "creators": ["bob"]},
        ]
    }
    check_chat_behaviour(
        data, {"alice": _creator("open", 1, 0)}, log.for_file("chat_behaviour.json")
    )
    assert [str(issue) for issue in log.errors] == [
        "chat_behaviour.json: $.triggers[0].response: unknown placeholder {nope} "
        "(found 'pong {nope}', expected known placeholders; see docs/triggers.md)",
        "chat_behaviour.json: $.triggers[1].creators[0]: unknown creator 'bob' "
        "(found 'bob', expected a creator_id from creators.json: alice)",
        "chat_behaviour.json: $.triggers[1].match: duplicate match (expected unique; see "
        "$.triggers[0])",
    ]


def test_example_config_compiles():
    from pathlib import Path

    examples = Path(__file__).resolve().parents[3] / "examples" / "config"
    trigger_set = compile_triggers(load_config(examples, environ={}).config)
    alice = trigger_set.creators["alice"]
    assert [t.trigger_id for t in alice.triggers] == [
        "alice-clip",
        "alice-death",
        "alice-thanks",
        "alice-uptime",
        "alice-welcome",
        "chat_behaviour:contains_icase:discord",
        "chat_behaviour:equals_icase:!ping",
    ]
    assert alice.bot_logins == {"twitch": frozenset({"alicebot"})}
    assert [t.trigger_id for t in trigger_set.creators["studio7"].triggers] == [
        "chat_behaviour:equals_icase:!ping",
        "studio7-gg",
        "studio7-schedule",
    ]
