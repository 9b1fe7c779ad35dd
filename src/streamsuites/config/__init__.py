"""The config package: a config directory in the original system's format → a typed Config.

::

    result = load_config(Path("config"))   # raises ConfigError(issues) on bad input
    print(format_summary(result))
"""

from __future__ import annotations

from streamsuites.config.issues import ConfigIssue
from streamsuites.config.loader import CONFIG_FILES, REQUIRED_FILES, LoadResult, load_config
from streamsuites.config.model import (
    KNOWN_PLATFORMS,
    Config,
    Creator,
    CreatorPlatform,
    Limits,
    PlatformSettings,
    PlatformState,
    Retention,
    SystemSettings,
    Tier,
)
from streamsuites.config.summary import format_issues, format_summary

__all__ = [
    "CONFIG_FILES",
    "KNOWN_PLATFORMS",
    "REQUIRED_FILES",
    "Config",
    "ConfigIssue",
    "Creator",
    "CreatorPlatform",
    "Limits",
    "LoadResult",
    "PlatformSettings",
    "PlatformState",
    "Retention",
    "SystemSettings",
    "Tier",
    "format_issues",
    "format_summary",
    "load_config",
]
