"""creators.json → :class:`Creator`: tiers compiled into limits, platforms normalized.

In a platform's settings every key ending in ``_env`` names the environment variable holding a
secret: ``"token_env": "TWITCH_TOKEN_ALICE"`` becomes ``secret_env["token"]``. The original's
top-level ``rumble_*`` fields become options (and the ``livestream_api`` secret) of the Rumble
platform entry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, NamedTuple

from streamsuites.config._enablement import Entry, check_platform, entries
from streamsuites.config._tiers import compile_limits
from streamsuites.config.issues import UniqueIds
from streamsuites.config.model import Creator, CreatorPlatform

if TYPE_CHECKING:
    from collections.abc import Mapping

    from streamsuites.config.issues import FileIssues, JsonPath
    from streamsuites.config.model import Tier

__all__ = ["DEFAULT_TIER", "SecretRef", "build_creators", "discord_admins"]

DEFAULT_TIER: Final = "open"
_RUMBLE_OPTIONS: Final = (
    "rumble_channel_url",
    "rumble_manual_watch_url",
    "rumble_chat_channel_id",
    "rumble_dom_chat_enabled",
)
_RUMBLE_SECRET: Final = "rumble_livestream_api_env_key"
_PLATFORM_KEYS: Final = ("enabled", "telemetry_enabled", "channel")
_ENV_SUFFIX: Final = "_env"


class SecretRef(NamedTuple):
    """Where creators.json names an environment variable, for the 'not set' warning."""

    path: JsonPath
    platform: str
    env_name: str


def build_creators(
    data: dict[str, Any],
    tiers: Mapping[str, Tier] | None,
    environ: Mapping[str, str],
    issues: FileIssues,
) -> tuple[Creator, ...]:
    """Normalize a schema-valid creators.json; `tiers` is None when tiers.json is unusable."""
    creators: list[Creator] = []
    unique = UniqueIds("creator_id", ("creators",), issues)
    for index, raw in enumerate(data["creators"]):
        path = ("creators", index)
        unique.check(raw, index)
        platforms, refs = _platforms(raw, path, issues)
        creator = _creator(raw, _tier(raw, path, tiers, issues), platforms)
        _warn_unset(creator, refs, environ, issues)
        creators.append(creator)
    return tuple(creators)


def discord_admins(data: dict[str, Any]) -> tuple[str, ...]:
    """Return the top-level ``discord_admins`` ids, as strings."""
    return tuple(str(user_id) for user_id in data.get("discord_admins", []))


def _tier(
    raw: dict[str, Any], path: JsonPath, tiers: Mapping[str, Tier] | None, issues: FileIssues
) -> Tier | None:
    tier_id = raw.get("tier", DEFAULT_TIER)
    if tiers is None or tier_id in tiers:
        return None if tiers is None else tiers[tier_id]
    message = f"unknown tier {tier_id!r}" if "tier" in raw else "no tier given, default tier"
    message += "" if "tier" in raw else f" {DEFAULT_TIER!r} is not defined in tiers.json"
    issues.error(
        (*path, "tier"), message, found=tier_id, expected="one of: " + ", ".join(sorted(tiers))
    )
    return None


def _creator(
    raw: dict[str, Any], tier: Tier | None, platforms: dict[str, CreatorPlatform]
) -> Creator:
    user_id = raw.get("discord_user_id")
    return Creator(
        creator_id=raw["creator_id"],
        display_name=raw.get("display_name", raw["creator_id"]),
        enabled=raw.get("enabled", True),
        tier=raw.get("tier", DEFAULT_TIER),
        limits=compile_limits(tier.features if tier else {}, raw.get("limits", {})),
        platforms=platforms,
        discord_user_id=None if user_id is None else str(user_id),
        is_admin=raw.get("is_admin", False),
    )


def _platforms(
    raw: dict[str, Any], path: JsonPath, issues: FileIssues
) -> tuple[dict[str, CreatorPlatform], list[SecretRef]]:
    listed = entries(raw.get("platforms", {}), (*path, "platforms"), issues)
    found = {entry.name: entry for entry in listed if check_platform(entry, issues)}
    refs = [
        SecretRef((*entry.path, key), entry.name, value)
        for entry in found.values()
        for key, value in entry.settings.items()
        if key.endswith(_ENV_SUFFIX)
    ]
    rumble = _rumble_settings(raw)
    if rumble:
        base = found.get("rumble", Entry("rumble", path, {"enabled": False}))
        found["rumble"] = base._replace(settings={**base.settings, **rumble})
    if _RUMBLE_SECRET in raw:
        refs.append(SecretRef((*path, _RUMBLE_SECRET), "rumble", raw[_RUMBLE_SECRET]))
    return {name: _platform(name, entry.settings) for name, entry in found.items()}, refs


def _rumble_settings(raw: dict[str, Any]) -> dict[str, Any]:
    settings: dict[str, Any] = {key: raw[key] for key in _RUMBLE_OPTIONS if key in raw}
    if _RUMBLE_SECRET in raw:
        settings["livestream_api" + _ENV_SUFFIX] = raw[_RUMBLE_SECRET]
    return settings


def _platform(name: str, settings: dict[str, Any]) -> CreatorPlatform:
    enabled = bool(settings["enabled"])
    return CreatorPlatform(
        platform=name,
        enabled=enabled,
        telemetry_enabled=settings.get("telemetry_enabled", enabled),
        channel=settings.get("channel"),
        secret_env={
            key.removesuffix(_ENV_SUFFIX): value
            for key, value in settings.items()
            if key.endswith(_ENV_SUFFIX)
        },
        options={
            key: value
            for key, value in settings.items()
            if key not in _PLATFORM_KEYS and not key.endswith(_ENV_SUFFIX)
        },
    )


def _warn_unset(
    creator: Creator, refs: list[SecretRef], environ: Mapping[str, str], issues: FileIssues
) -> None:
    if not creator.enabled:
        return
    for ref in refs:
        if creator.platforms[ref.platform].enabled and not environ.get(ref.env_name):
            issues.warning(ref.path, f"environment variable {ref.env_name!r} is not set")
