"""tiers.json → :class:`Tier`, and a tier's features compiled into :class:`Limits`."""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Any, Final

from streamsuites.config.model import Limits, Tier

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = ["FEATURE_LIMITS", "build_tiers", "compile_limits"]

FEATURE_LIMITS: Final = {
    ("triggers", "max_triggers"): "max_triggers",
    ("triggers", "min_cooldown_seconds"): "trigger_min_cooldown_seconds",
    ("clips", "max_duration_seconds"): "clip_max_duration_seconds",
    ("clips", "min_cooldown_seconds"): "clip_min_cooldown_seconds",
    ("clips", "max_concurrent_jobs"): "max_concurrent_clip_jobs",
    ("clips", "pre_roll_seconds"): "clip_pre_roll_seconds",
    ("polls", "max_active_polls"): "max_active_polls",
    ("polls", "max_options"): "max_poll_options",
}
"""(feature section, feature key) in tiers.json → the :class:`Limits` field it sets."""

_CASTS: Final[dict[str, Callable[[Any], Any]]] = {
    f.name: int if f.type == "int" else float for f in fields(Limits) if f.name != "extra"
}


def build_tiers(data: dict[str, Any]) -> dict[str, Tier]:
    """Normalize a schema-valid tiers.json."""
    return {
        tier_id: Tier(
            tier_id=tier_id,
            label=raw.get("label", tier_id),
            description=raw.get("description", ""),
            features=raw.get("features", {}),
        )
        for tier_id, raw in data["tiers"].items()
    }


def compile_limits(features: Mapping[str, Any], overrides: Mapping[str, Any]) -> Limits:
    """Limits from a tier's `features`, then the creator's `overrides` (unknown keys → extra)."""
    values = {
        name: features[section][key]
        for (section, key), name in FEATURE_LIMITS.items()
        if key in features.get(section, {})
    }
    values.update({key: value for key, value in overrides.items() if key in _CASTS})
    extra = {key: value for key, value in overrides.items() if key not in _CASTS}
    return Limits(**{name: _CASTS[name](value) for name, value in values.items()}, extra=extra)
