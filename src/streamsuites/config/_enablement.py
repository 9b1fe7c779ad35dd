"""The enablement shapes of the original config, normalized once.

A flag is ``true``/``false`` or ``{"enabled": ...}``. A set of named settings is an object of
``name: flag-or-settings`` or a list of ``"name"`` / ``{"name": ..., ...}``. Every shape becomes a
list of :class:`Entry`, each carrying the JSON path it came from for later messages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from streamsuites.config.issues import json_path
from streamsuites.config.model import KNOWN_PLATFORMS

if TYPE_CHECKING:
    from collections.abc import Iterable

    from streamsuites.config.issues import FileIssues, JsonPath

__all__ = ["Entry", "check_platform", "entries", "flag"]


class Entry(NamedTuple):
    """One named setting: its name, where it was written, and its keys (``enabled`` filled in)."""

    name: str
    path: JsonPath
    settings: dict[str, Any]


def flag(value: object, default: bool = True) -> bool:
    """Read a flag: a boolean, or an object's ``enabled`` (`default` when absent)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, dict):
        return bool(value.get("enabled", default))
    return default


def entries(
    value: object, path: JsonPath, issues: FileIssues, name_keys: Iterable[str] = ("name",)
) -> list[Entry]:
    """Normalize an object or list of named settings; report names given twice."""
    keys = tuple(name_keys)
    found = _from_list(value, path, keys, issues) if isinstance(value, list) else []
    if isinstance(value, dict):
        found = [_entry(name, (*path, name), item) for name, item in value.items()]
    return _unique(found, issues)


def check_platform(entry: Entry, issues: FileIssues) -> bool:
    """Report `entry` if it names no known platform; return whether it is known."""
    if entry.name in KNOWN_PLATFORMS:
        return True
    at = entry.path if isinstance(entry.path[-1], str) else (*entry.path, "name")
    issues.error(at, "unknown platform", found=entry.name, expected=_platform_list())
    return False


def _platform_list() -> str:
    return "one of: " + ", ".join(KNOWN_PLATFORMS)


def _entry(name: str, path: JsonPath, item: object) -> Entry:
    settings = dict(item) if isinstance(item, dict) else {}
    settings.setdefault("enabled", flag(item))
    return Entry(name, path, settings)


def _from_list(
    items: list[Any], path: JsonPath, name_keys: tuple[str, ...], issues: FileIssues
) -> list[Entry]:
    found = []
    for index, item in enumerate(items):
        if isinstance(item, str):
            found.append(Entry(item, (*path, index), {"enabled": True}))
        elif key := _name_key(item, name_keys):
            settings = {k: v for k, v in item.items() if k not in name_keys}
            found.append(_entry(item[key], (*path, index), settings))
        else:
            expected = "one of the keys: " + ", ".join(name_keys)
            issues.error((*path, index), "no platform name", expected=expected)
    return found


def _name_key(item: object, name_keys: tuple[str, ...]) -> str | None:
    if not isinstance(item, dict):
        return None
    return next((key for key in name_keys if isinstance(item.get(key), str)), None)


def _unique(found: list[Entry], issues: FileIssues) -> list[Entry]:
    first: dict[str, Entry] = {}
    for entry in found:
        if entry.name in first:
            issues.error(
                entry.path,
                f"platform {entry.name!r} is listed twice",
                expected=f"one entry per platform (first at {json_path(first[entry.name].path)})",
            )
        else:
            first[entry.name] = entry
    return list(first.values())
