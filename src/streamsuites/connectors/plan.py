"""Decide, before anything runs, which connectors start and why the others do not.

Gates are checked in this order, and the first that closes gives the connector's status and
reason: system polling switch, the ``system.platforms`` gate, the platform's state in
platforms.json (disabled, then paused), the creator's own flag, a missing connector for the
platform in this version, and finally every secret the config names for it being set.
A closed gate is a status on the dashboard, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from streamsuites.config.model import PlatformState
from streamsuites.state.runtime_state import ConnectorStatus

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

    from streamsuites.config.model import Config, Creator, CreatorPlatform

__all__ = ["ConnectorPlan", "plan_connectors"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectorPlan:
    """One (creator, platform): run it (`blocked` is None) or report why not."""

    creator: Creator
    settings: CreatorPlatform
    blocked: tuple[ConnectorStatus, str] | None = None
    secrets: Mapping[str, str] = field(default_factory=dict, repr=False)


def plan_connectors(config: Config, available: Collection[str]) -> list[ConnectorPlan]:
    """Return a plan for every platform of every enabled creator, in config order."""
    return [
        _plan(config, creator, settings, available)
        for creator in config.creators
        if creator.enabled
        for settings in creator.platforms.values()
    ]


def _plan(
    config: Config, creator: Creator, settings: CreatorPlatform, available: Collection[str]
) -> ConnectorPlan:
    blocked = _config_gate(config, settings) or _availability_gate(settings, available)
    if blocked is not None:
        return ConnectorPlan(creator=creator, settings=settings, blocked=blocked)
    secrets = {role: config.secret(env) for role, env in settings.secret_env.items()}
    missing = sorted(env for role, env in settings.secret_env.items() if secrets[role] is None)
    if missing:
        reason = f"missing secret: environment variable {', '.join(missing)} is not set"
        return ConnectorPlan(
            creator=creator, settings=settings, blocked=(ConnectorStatus.DISABLED, reason)
        )
    resolved = {role: value for role, value in secrets.items() if value is not None}
    return ConnectorPlan(creator=creator, settings=settings, secrets=resolved)


def _config_gate(config: Config, settings: CreatorPlatform) -> tuple[ConnectorStatus, str] | None:
    name = settings.platform
    if not config.system.platform_polling_enabled:
        return ConnectorStatus.PAUSED, "platform polling is off in system.json"
    if not config.system.platforms.get(name, True):
        return ConnectorStatus.DISABLED, f"{name} is disabled in system.json"
    platform = config.platforms.get(name)
    if platform is not None and (platform.state is PlatformState.DISABLED or not platform.enabled):
        return ConnectorStatus.DISABLED, f"{name} is disabled in the platform config"
    if platform is not None and platform.state is PlatformState.PAUSED:
        return ConnectorStatus.PAUSED, platform.paused_reason or "Platform ingestion paused"
    if not settings.enabled:
        return ConnectorStatus.DISABLED, f"{name} is disabled for this creator"
    return None


def _availability_gate(
    settings: CreatorPlatform, available: Collection[str]
) -> tuple[ConnectorStatus, str] | None:
    if settings.platform in available:
        return None
    return (
        ConnectorStatus.DISABLED,
        f"no {settings.platform} connector in this version of StreamSuites",
    )
