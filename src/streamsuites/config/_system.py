"""system.json → :class:`SystemSettings`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from streamsuites.config._enablement import Entry, check_platform, flag
from streamsuites.config.model import Retention, SystemSettings

if TYPE_CHECKING:
    from streamsuites.config.issues import FileIssues

__all__ = ["build_system"]

_VERBATIM = ("chat", "clips")
"""Sections of the original system.json this runtime keeps but does not interpret."""


def build_system(data: dict[str, Any], issues: FileIssues) -> SystemSettings:
    """Normalize a schema-valid system.json (``{}`` when the file is absent)."""
    system = data.get("system", {})
    runtime = data.get("runtime", {})
    return SystemSettings(
        platform_polling_enabled=system.get("platform_polling_enabled", True),
        platforms=_platform_gates(system.get("platforms", {}), issues),
        jobs={name: flag(value) for name, value in system.get("jobs", {}).items()},
        snapshot_interval_seconds=float(runtime.get("snapshot_interval_seconds", 10.0)),
        quotas_interval_seconds=float(runtime.get("quotas_interval_seconds", 15.0)),
        stale_after_seconds=float(runtime.get("stale_after_seconds", 90.0)),
        publish_root=runtime.get("publish_root"),
        retention=_retention(runtime.get("event_log", {})),
        extra=_extra(data, system),
    )


def _platform_gates(gates: dict[str, Any], issues: FileIssues) -> dict[str, bool]:
    known = (Entry(name, ("system", "platforms", name), {}) for name in gates)
    return {entry.name: flag(gates[entry.name]) for entry in known if check_platform(entry, issues)}


def _retention(event_log: dict[str, Any]) -> Retention:
    days = event_log.get("retention_days")
    max_bytes = event_log.get("max_bytes")
    return Retention(
        days=None if days is None else float(days),
        max_bytes=None if max_bytes is None else int(max_bytes),
    )


def _extra(data: dict[str, Any], system: dict[str, Any]) -> dict[str, Any]:
    extra = {key: data[key] for key in _VERBATIM if key in data}
    if "hot_reload" in system:
        extra["hot_reload"] = system["hot_reload"]
    return extra
