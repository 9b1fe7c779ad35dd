"""Global platform settings from platforms.json (or legacy services.json) and the overrides.

Resolution, for every known platform: the base entry, then the override merged over it; an
explicit ``state`` wins, otherwise ``enabled`` gives active and not enabled gives disabled. A
platform named nowhere is active. Unlike the original, Rumble is not forced to paused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from streamsuites.config._enablement import check_platform, entries
from streamsuites.config.model import KNOWN_PLATFORMS, PlatformSettings, PlatformState

if TYPE_CHECKING:
    from streamsuites.config._enablement import Entry
    from streamsuites.config.issues import FileIssues

__all__ = [
    "DEFAULT_PAUSED_REASON",
    "OVERRIDE_NAME_KEYS",
    "base_entries",
    "build_platforms",
    "override_entries",
]

DEFAULT_PAUSED_REASON: Final = "Platform ingestion paused"
OVERRIDE_NAME_KEYS: Final = ("platform_id", "platform", "name")
_STATES: Final = tuple(state.value for state in PlatformState)

Settings = dict[str, dict[str, Any]]
"""Platform name → its raw keys, ``enabled`` filled in."""


def base_entries(data: dict[str, Any], *, legacy: bool, issues: FileIssues) -> Settings:
    """Read platforms.json (``legacy=False``) or services.json (``legacy=True``)."""
    if legacy:
        found = entries(_without_schema(data), (), issues)
    else:
        found = entries(data["platforms"], ("platforms",), issues)
    return _checked(found, issues)


def override_entries(data: dict[str, Any] | list[Any], issues: FileIssues) -> Settings:
    """Read platform_overrides.json in any of its three shapes."""
    if isinstance(data, list):
        found = entries(data, (), issues, OVERRIDE_NAME_KEYS)
    elif "platforms" in data:
        found = entries(data["platforms"], ("platforms",), issues, OVERRIDE_NAME_KEYS)
    else:
        found = entries(_without_schema(data), (), issues)
    return _checked(found, issues)


def build_platforms(base: Settings, overrides: Settings) -> dict[str, PlatformSettings]:
    """Resolve every known platform from its base entry and its override."""
    return {
        name: _settings(name, _merge(base.get(name, {}), overrides.get(name, {})))
        for name in KNOWN_PLATFORMS
    }


def _without_schema(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key != "$schema"}


def _checked(found: list[Entry], issues: FileIssues) -> Settings:
    return {
        entry.name: entry.settings
        for entry in found
        if check_platform(entry, issues) and _check_state(entry, issues)
    }


def _check_state(entry: Entry, issues: FileIssues) -> bool:
    state = entry.settings.get("state")
    if not isinstance(state, str) or state.lower() in _STATES:
        return True
    expected = "one of: " + ", ".join(_STATES)
    issues.error((*entry.path, "state"), "unknown platform state", found=state, expected=expected)
    return False


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = {**base, **override}
    if "enabled" in override and "state" not in override:
        # An override that switches a platform on or off means it; a base state would hide it.
        merged.pop("state", None)
    return merged


def _settings(name: str, raw: dict[str, Any]) -> PlatformSettings:
    enabled = bool(raw.get("enabled", True))
    state = _state(raw.get("state"), enabled)
    paused = state is PlatformState.PAUSED
    return PlatformSettings(
        name=name,
        enabled=enabled,
        telemetry_enabled=bool(raw.get("telemetry_enabled", enabled)),
        state=state,
        paused_reason=(raw.get("paused_reason") or DEFAULT_PAUSED_REASON) if paused else None,
    )


def _state(raw: object, enabled: bool) -> PlatformState:
    if isinstance(raw, str):
        return PlatformState(raw.lower())
    if isinstance(raw, bool):
        enabled = raw
    return PlatformState.ACTIVE if enabled else PlatformState.DISABLED
