"""Human-readable output of a config check: a one-screen summary, or the list of issues.

Secret values are never printed: only the names of the environment variables and whether each
is set.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from streamsuites.config.issues import ConfigIssue
    from streamsuites.config.loader import LoadResult
    from streamsuites.config.model import Config, Creator, CreatorPlatform, PlatformSettings

__all__ = ["format_issues", "format_summary"]


def format_summary(result: LoadResult) -> str:
    """Summarize a loaded config: creators, platforms, triggers and warnings."""
    config = result.config
    lines = [f"Config OK: {config.directory}", f"Creators ({len(config.creators)}):"]
    for creator in config.creators:
        lines += _creator_lines(creator, config)
    lines.append("Platforms: " + ", ".join(_platform(p) for p in config.platforms.values()))
    lines.append(_triggers_line(config))
    if result.warnings:
        lines.append(f"Warnings ({len(result.warnings)}):")
        lines += [f"  {issue}" for issue in result.warnings]
    return "\n".join(lines)


def format_issues(issues: Iterable[ConfigIssue]) -> str:
    """One line per issue: errors as they are, warnings prefixed with ``warning:``."""
    return "\n".join(str(i) if i.is_error else f"warning: {i}" for i in issues)


def _creator_lines(creator: Creator, config: Config) -> list[str]:
    state = "enabled" if creator.enabled else "disabled"
    head = f"  {creator.creator_id} ({creator.display_name}) tier {creator.tier}, {state}"
    return [head] + [_platform_line(p, config) for p in creator.platforms.values()]


def _platform_line(platform: CreatorPlatform, config: Config) -> str:
    parts = [f"    {platform.platform}:", "on" if platform.enabled else "off"]
    if platform.channel:
        parts.append(f"channel {platform.channel}")
    parts += [
        f"{role} {name} ({'set' if config.secret(name) else 'not set'})"
        for role, name in platform.secret_env.items()
    ]
    return " ".join(parts[:2]) + "".join(f", {part}" for part in parts[2:])


def _platform(settings: PlatformSettings) -> str:
    reason = f" ({settings.paused_reason})" if settings.paused_reason else ""
    return f"{settings.name} {settings.state.value}{reason}"


def _triggers_line(config: Config) -> str:
    counts = Counter(str(trigger.get("creator_id")) for trigger in config.triggers)
    per_creator = ", ".join(f"{creator} {count}" for creator, count in sorted(counts.items()))
    return f"Triggers: {len(config.triggers)}" + (f" ({per_creator})" if per_creator else "")
