"""triggers.json: the checks the schema cannot express, and normalization of ``creator``.

The triggers package compiles these entries; here they are only checked: exactly one of
``creator_id``/``creator``, unique ``trigger_id``, a configured creator (the original silently
dropped triggers of unknown creators), known platforms and a ``pattern`` that compiles.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from streamsuites.config.issues import json_path
from streamsuites.config.model import KNOWN_PLATFORMS

if TYPE_CHECKING:
    from collections.abc import Collection

    from streamsuites.config.issues import FileIssues, JsonPath

__all__ = ["build_triggers"]


def build_triggers(
    data: dict[str, Any], creator_ids: Collection[str] | None, issues: FileIssues
) -> tuple[dict[str, Any], ...]:
    """Check a schema-valid triggers.json; `creator_ids` is None when creators.json is unusable."""
    first_index: dict[str, int] = {}
    triggers = []
    for index, raw in enumerate(data["triggers"]):
        path = ("triggers", index)
        _check_unique(raw["trigger_id"], index, first_index, issues)
        _check_creator(raw, path, creator_ids, issues)
        _check_pattern(raw, path, issues)
        _check_platforms(raw, path, issues)
        triggers.append(_normalized(raw))
    return tuple(triggers)


def _normalized(raw: dict[str, Any]) -> dict[str, Any]:
    trigger = {key: value for key, value in raw.items() if key != "creator"}
    trigger["creator_id"] = raw.get("creator_id", raw.get("creator"))
    return trigger


def _check_unique(
    trigger_id: str, index: int, first_index: dict[str, int], issues: FileIssues
) -> None:
    if trigger_id in first_index:
        first = json_path(("triggers", first_index[trigger_id]))
        issues.error(
            ("triggers", index, "trigger_id"),
            f"duplicate trigger_id {trigger_id!r}",
            expected=f"a unique id; first used at {first}",
        )
    first_index.setdefault(trigger_id, index)


def _check_creator(
    raw: dict[str, Any], path: JsonPath, creator_ids: Collection[str] | None, issues: FileIssues
) -> None:
    given = [key for key in ("creator_id", "creator") if key in raw]
    if len(given) != 1:
        message = "both 'creator_id' and 'creator' given" if given else "no creator given"
        issues.error(path, message, expected="exactly one of 'creator_id' or 'creator'")
        return
    creator_id = raw[given[0]]
    if creator_ids is not None and creator_id not in creator_ids:
        issues.error(
            (*path, given[0]),
            f"unknown creator {creator_id!r}",
            found=creator_id,
            expected="a creator_id from creators.json: " + ", ".join(sorted(creator_ids)),
        )


def _check_pattern(raw: dict[str, Any], path: JsonPath, issues: FileIssues) -> None:
    if "pattern" not in raw:
        return
    try:
        re.compile(raw["pattern"])
    except re.error as exc:
        issues.error(
            (*path, "pattern"),
            f"invalid regular expression: {exc}",
            found=raw["pattern"],
            expected="a Python regular expression",
        )


def _check_platforms(raw: dict[str, Any], path: JsonPath, issues: FileIssues) -> None:
    for index, name in enumerate(raw.get("platforms", [])):
        if name not in KNOWN_PLATFORMS:
            issues.error(
                (*path, "platforms", index),
                "unknown platform",
                found=name,
                expected="one of: " + ", ".join(KNOWN_PLATFORMS),
            )
