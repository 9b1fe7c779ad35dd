"""triggers.json and chat_behaviour.json: the checks the schema cannot express.

Each entry is parsed by the triggers package itself (:func:`~streamsuites.triggers.parse.
parse_trigger`), so a bad regex, a regex RE2 cannot run, an unknown ``action_type`` or an
unknown template placeholder is reported here with its file and JSON path, exactly as the
engine would refuse it. Around that: exactly one of ``creator_id``/``creator``, unique
``trigger_id``, a configured creator (the original silently dropped triggers of unknown
creators), known platforms, and, when the creators are given as a mapping, the creator's tier
limits: ``cooldown_seconds`` at least the tier minimum and at most ``max_triggers`` enabled
triggers. chat_behaviour.json entries are operator-wide and not counted against tier limits.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

from streamsuites.config.issues import UniqueIds, json_path
from streamsuites.config.model import KNOWN_PLATFORMS
from streamsuites.triggers.parse import behaviour_id, parse_behaviour, parse_trigger

if TYPE_CHECKING:
    from streamsuites.config.issues import FileIssues, JsonPath
    from streamsuites.config.model import Creator
    from streamsuites.triggers.parse import Problem

__all__ = ["build_triggers", "check_chat_behaviour"]

Creators = Mapping[str, "Creator"] | Collection[str] | None
"""The configured creators: a mapping by id enables the tier checks; None when creators.json is
unusable (then no creator-dependent check runs)."""


def build_triggers(
    data: dict[str, Any], creators: Creators, issues: FileIssues
) -> tuple[dict[str, Any], ...]:
    """Check a schema-valid triggers.json and return its entries with ``creator`` normalized."""
    triggers = []
    unique = UniqueIds("trigger_id", ("triggers",), issues)
    for index, raw in enumerate(data["triggers"]):
        path = ("triggers", index)
        unique.check(raw, index)
        _check_creator(raw, path, creators, issues)
        _check_platforms(raw, path, issues)
        trigger = _normalized(raw)
        _report(parse_trigger(trigger)[1], path, issues)
        _check_cooldown(trigger, path, creators, issues)
        triggers.append(trigger)
    _check_counts(triggers, creators, issues)
    return tuple(triggers)


def check_chat_behaviour(data: Mapping[str, Any], creators: Creators, issues: FileIssues) -> None:
    """Check the ``triggers`` of a schema-valid chat_behaviour.json."""
    first_index: dict[str, int] = {}
    for index, raw in enumerate(data.get("triggers", ())):
        path = ("triggers", index)
        _report(parse_behaviour(raw, "")[1], path, issues)
        _check_platforms(raw, path, issues)
        _check_named_creators(raw, path, creators, issues)
        key = behaviour_id(raw)
        if key in first_index:
            first = json_path(("triggers", first_index[key]))
            issues.error((*path, "match"), "duplicate match", expected=f"unique; see {first}")
        first_index.setdefault(key, index)


def _normalized(raw: dict[str, Any]) -> dict[str, Any]:
    trigger = {key: value for key, value in raw.items() if key != "creator"}
    trigger["creator_id"] = raw.get("creator_id", raw.get("creator"))
    return trigger


def _report(problems: list[Problem], path: JsonPath, issues: FileIssues) -> None:
    for problem in problems:
        record = issues.error if problem.severity == "error" else issues.warning
        if problem.found is None:
            record((*path, *problem.path), problem.message, expected=problem.expected)
        else:
            record(
                (*path, *problem.path),
                problem.message,
                found=problem.found,
                expected=problem.expected,
            )


def _check_creator(
    raw: dict[str, Any], path: JsonPath, creators: Creators, issues: FileIssues
) -> None:
    given = [key for key in ("creator_id", "creator") if key in raw]
    if len(given) != 1:
        message = "both 'creator_id' and 'creator' given" if given else "no creator given"
        issues.error(path, message, expected="exactly one of 'creator_id' or 'creator'")
        return
    _check_known(raw[given[0]], (*path, given[0]), creators, issues)


def _check_known(creator_id: str, path: JsonPath, creators: Creators, issues: FileIssues) -> None:
    if creators is not None and creator_id not in creators:
        issues.error(
            path,
            f"unknown creator {creator_id!r}",
            found=creator_id,
            expected="a creator_id from creators.json: " + ", ".join(sorted(creators)),
        )


def _check_named_creators(
    raw: Mapping[str, Any], path: JsonPath, creators: Creators, issues: FileIssues
) -> None:
    for index, creator_id in enumerate(raw.get("creators", ())):
        _check_known(creator_id, (*path, "creators", index), creators, issues)


def _check_platforms(raw: Mapping[str, Any], path: JsonPath, issues: FileIssues) -> None:
    for index, name in enumerate(raw.get("platforms", [])):
        if name not in KNOWN_PLATFORMS:
            issues.error(
                (*path, "platforms", index),
                "unknown platform",
                found=name,
                expected="one of: " + ", ".join(KNOWN_PLATFORMS),
            )


def _creator(trigger: Mapping[str, Any], creators: Creators) -> Creator | None:
    if not isinstance(creators, Mapping):
        return None
    found: Creator | None = creators.get(trigger["creator_id"])
    return found


def _check_cooldown(
    trigger: Mapping[str, Any], path: JsonPath, creators: Creators, issues: FileIssues
) -> None:
    creator = _creator(trigger, creators)
    if creator is None or "cooldown_seconds" not in trigger:
        return
    minimum = creator.limits.trigger_min_cooldown_seconds
    if trigger["cooldown_seconds"] < minimum:
        issues.error(
            (*path, "cooldown_seconds"),
            f"cooldown below the minimum of creator {creator.creator_id!r} (tier {creator.tier!r})",
            found=trigger["cooldown_seconds"],
            expected=f"at least {minimum:g} seconds (trigger_min_cooldown_seconds)",
        )


def _check_counts(triggers: list[dict[str, Any]], creators: Creators, issues: FileIssues) -> None:
    counts: dict[str, int] = {}
    for index, trigger in enumerate(triggers):
        creator = _creator(trigger, creators)
        if creator is None or not trigger.get("enabled", True):
            continue
        counts[creator.creator_id] = counts.get(creator.creator_id, 0) + 1
        if counts[creator.creator_id] == creator.limits.max_triggers + 1:
            _too_many(creator, index, triggers, issues)


def _too_many(
    creator: Creator, index: int, triggers: list[dict[str, Any]], issues: FileIssues
) -> None:
    total = sum(
        1 for t in triggers if t["creator_id"] == creator.creator_id and t.get("enabled", True)
    )
    limit = creator.limits.max_triggers
    issues.error(
        ("triggers", index),
        f"creator {creator.creator_id!r} has {total} enabled triggers, more than the {limit} "
        f"its tier {creator.tier!r} allows",
        found=total,
        expected=f"at most {limit} enabled triggers (max_triggers); disable or remove "
        f"{total - limit}",
    )
