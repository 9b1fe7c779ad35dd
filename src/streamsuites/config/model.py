"""The typed config the runtime runs on, built once from a config directory by the loader.

Everything here is frozen and already normalized: enablement shapes are booleans, platform
state is one of :class:`PlatformState`, tier features are compiled into :class:`Limits`.
Secrets are never stored here, only the names of the environment variables that hold them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from streamsuites.config._interactive import InteractiveConfig

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

__all__ = [
    "KNOWN_PLATFORMS",
    "Config",
    "Creator",
    "CreatorPlatform",
    "InteractiveConfig",
    "Limits",
    "PlatformSettings",
    "PlatformState",
    "Retention",
    "SystemSettings",
    "Tier",
]

KNOWN_PLATFORMS = ("twitch", "youtube", "rumble", "kick", "discord", "pilled", "twitter")
"""Platform names the original config accepts; only some have connectors."""


class PlatformState(StrEnum):
    """Operator intent for a platform, as in the original platform state model."""

    ACTIVE = "active"
    PAUSED = "paused"
    DISABLED = "disabled"


@dataclass(frozen=True, slots=True, kw_only=True)
class PlatformSettings:
    """Global toggles for one platform after platforms.json/services.json, overrides and system."""

    name: str
    enabled: bool
    telemetry_enabled: bool
    state: PlatformState
    paused_reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CreatorPlatform:
    """One creator's settings for one platform.

    ``secret_env`` maps a secret's role to the *name* of the environment variable that holds it:
    the creators.json key ``"token_env": "TWITCH_TOKEN_ALICE"`` becomes ``{"token":
    "TWITCH_TOKEN_ALICE"}``. ``options`` keeps every other platform-specific key for the
    platform's connector to validate.
    """

    platform: str
    enabled: bool
    telemetry_enabled: bool = True
    channel: str | None = None
    secret_env: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Per-creator limits compiled from the tier, then overridden by the creator's ``limits``."""

    max_triggers: int = 10
    trigger_min_cooldown_seconds: float = 2.0
    clip_max_duration_seconds: float = 30.0
    clip_min_cooldown_seconds: float = 120.0
    max_concurrent_clip_jobs: int = 1
    clip_pre_roll_seconds: float = 10.0
    max_active_polls: int = 1
    max_poll_options: int = 4
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Limit keys this version does not interpret, kept for later components."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Tier:
    """A tier from tiers.json."""

    tier_id: str
    label: str
    description: str = ""
    features: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Creator:
    """A creator from creators.json, with its tier compiled into limits."""

    creator_id: str
    display_name: str
    enabled: bool
    tier: str
    limits: Limits
    platforms: Mapping[str, CreatorPlatform]
    discord_user_id: str | None = None
    is_admin: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Retention:
    """How long the event log keeps events: by age, by size, or both (None = unbounded)."""

    days: float | None = None
    max_bytes: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SystemSettings:
    """system.json, normalized."""

    platform_polling_enabled: bool = True
    platforms: Mapping[str, bool] = field(default_factory=dict)
    """The ``system.platforms`` gates; a platform absent here is not gated."""
    jobs: Mapping[str, bool] = field(default_factory=dict)
    snapshot_interval_seconds: float = 10.0
    quotas_interval_seconds: float = 15.0
    publish_root: str | None = None
    """Mirror state files under ``<publish_root>/shared/state/``; env DASHBOARD_STATE_PUBLISH_ROOT
    wins over this."""
    retention: Retention = field(default_factory=Retention)
    stale_after_seconds: float = 90.0
    """A connected connector that has received nothing for this long is reported ``stale``."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Sections of the original system.json kept verbatim but not interpreted: ``chat``,
    ``clips`` and ``system.hot_reload``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    """A whole config directory, validated."""

    directory: Path
    system: SystemSettings
    platforms: Mapping[str, PlatformSettings]
    creators: tuple[Creator, ...]
    tiers: Mapping[str, Tier]
    triggers: tuple[Mapping[str, Any], ...] = ()
    """Trigger entries from triggers.json, schema-checked; compiled by the triggers package."""
    chat_behaviour: Mapping[str, Any] = field(default_factory=dict)
    discord_admins: tuple[str, ...] = ()
    """Discord user ids from creators.json's top-level ``discord_admins``."""
    interactive: InteractiveConfig = field(default_factory=InteractiveConfig)
    """Polls, tallies and scoreboards from interactive.json; empty when the file is absent."""
    environ: Mapping[str, str] = field(default_factory=dict, repr=False)
    """The process environment over the directory's ``.env``; where secret values come from."""

    def secret(self, env_name: str) -> str | None:
        """Return the value of the environment variable `env_name`, or None if unset or empty."""
        return self.environ.get(env_name) or None

    def creator(self, creator_id: str) -> Creator | None:
        """Return the creator with `creator_id`, if configured."""
        return next((c for c in self.creators if c.creator_id == creator_id), None)
