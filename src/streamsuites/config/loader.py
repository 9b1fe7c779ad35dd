"""Load a config directory in the original system's format into a :class:`Config`.

Every file is read and schema-checked, then normalized; every problem of every file is
collected, and :class:`~streamsuites.errors.ConfigError` is raised once at the end with all of
them. Secret values come only from the environment (the process over the directory's ``.env``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from streamsuites.config._creators import build_creators, discord_admins
from streamsuites.config._interactive import build_interactive
from streamsuites.config._jsonfile import FileStatus, read_json
from streamsuites.config._platforms import base_entries, build_platforms, override_entries
from streamsuites.config._schema import validate
from streamsuites.config._system import build_system
from streamsuites.config._tiers import build_tiers
from streamsuites.config._triggers import build_triggers, check_chat_behaviour
from streamsuites.config.dotenv import DOTENV_NAME, read_dotenv
from streamsuites.config.issues import ConfigIssue, IssueLog
from streamsuites.config.model import Config, Creator, PlatformSettings
from streamsuites.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["CONFIG_FILES", "REQUIRED_FILES", "LoadResult", "load_config"]

CONFIG_FILES: Final = (
    "system.json",
    "platforms.json",
    "services.json",
    "platform_overrides.json",
    "tiers.json",
    "creators.json",
    "triggers.json",
    "chat_behaviour.json",
    "interactive.json",
)
"""Every file a config directory may hold, in the order they are checked and reported."""

REQUIRED_FILES: Final = ("creators.json", "tiers.json")
_REQUIRED_SHAPE: Final = {
    "creators.json": "a JSON object with a 'creators' list",
    "tiers.json": "a JSON object with a 'tiers' object",
}


@dataclass(frozen=True, slots=True)
class LoadResult:
    """A loaded config and the warnings found while loading it."""

    config: Config
    warnings: list[ConfigIssue] = field(default_factory=list)


def load_config(directory: Path, environ: Mapping[str, str] | None = None) -> LoadResult:
    """Load and validate the config directory `directory`.

    `environ` defaults to ``os.environ``; it wins over the directory's ``.env``. Raises
    :class:`ConfigError` carrying every error found (then the warnings), never only the first.
    """
    directory = Path(directory)
    problem = _directory_problem(directory)
    if problem is not None:
        raise ConfigError([problem])
    log = IssueLog()
    merged = _environment(directory, os.environ if environ is None else environ, log)
    documents = _Documents(directory, log)
    config = _build(documents, merged, log)
    if log.errors:
        raise ConfigError([*_by_file(log.errors), *_by_file(log.warnings)])
    return LoadResult(config, _by_file(log.warnings))


class _Documents:
    """The JSON files of one config directory, read and schema-checked once."""

    def __init__(self, directory: Path, log: IssueLog) -> None:
        self.directory = directory
        self.present: set[str] = set()
        self.valid: dict[str, Any] = {}
        self._log = log
        for file in CONFIG_FILES:
            self._read(file)

    def _read(self, file: str) -> None:
        if file == "services.json" and (self.directory / "platforms.json").exists():
            if (self.directory / file).exists():
                self._log.for_file(file).warning(None, "ignored because platforms.json exists")
            return
        status, data, issue = read_json(self.directory / file, file)
        if issue is not None:
            self._log.add(issue)
        if status is FileStatus.MISSING and file in REQUIRED_FILES:
            self._log.for_file(file).error(None, "file not found", expected=_REQUIRED_SHAPE[file])
        if status is not FileStatus.MISSING:
            self.present.add(file)
        if status is FileStatus.LOADED:
            self._check(file, data)

    def _check(self, file: str, data: object) -> None:
        issues = validate(file.removesuffix(".json"), data, file)
        for issue in issues:
            self._log.add(issue)
        if not any(issue.is_error for issue in issues):
            self.valid[file] = data


def _by_file(issues: list[ConfigIssue]) -> list[ConfigIssue]:
    """Order issues file by file (.env first), keeping each file's own order."""
    order = {file: index for index, file in enumerate((DOTENV_NAME, *CONFIG_FILES))}
    return sorted(issues, key=lambda issue: order.get(issue.file, len(order)))


def _directory_problem(directory: Path) -> ConfigIssue | None:
    if directory.is_dir():
        return None
    message = "not a directory" if directory.exists() else "config directory not found"
    expected = "a directory holding creators.json and tiers.json"
    return ConfigIssue(file=str(directory), message=message, expected=expected)


def _environment(directory: Path, environ: Mapping[str, str], log: IssueLog) -> dict[str, str]:
    values, issues = read_dotenv(directory)
    for issue in issues:
        log.add(issue)
    return {**values, **environ}


def _build(documents: _Documents, environ: dict[str, str], log: IssueLog) -> Config:
    valid = documents.valid
    tiers = build_tiers(valid["tiers.json"]) if "tiers.json" in valid else None
    creators_data = valid.get("creators.json")
    creators: tuple[Creator, ...] = ()
    if creators_data is not None:
        creators = build_creators(creators_data, tiers, environ, log.for_file("creators.json"))
    by_id = None if creators_data is None else {c.creator_id: c for c in creators}
    triggers_data = valid.get("triggers.json")
    chat_behaviour = _without_schema(valid.get("chat_behaviour.json", {}))
    check_chat_behaviour(chat_behaviour, by_id, log.for_file("chat_behaviour.json"))
    return Config(
        directory=documents.directory,
        system=build_system(valid.get("system.json", {}), log.for_file("system.json")),
        platforms=_platforms(documents, log),
        creators=creators,
        tiers=tiers or {},
        triggers=()
        if triggers_data is None
        else build_triggers(triggers_data, by_id, log.for_file("triggers.json")),
        chat_behaviour=chat_behaviour,
        environ=environ,
        discord_admins=discord_admins(creators_data or {}),
        interactive=build_interactive(
            valid.get("interactive.json", {}),
            None if creators_data is None else creators,
            log.for_file("interactive.json"),
        ),
    )


def _platforms(documents: _Documents, log: IssueLog) -> dict[str, PlatformSettings]:
    legacy = "platforms.json" not in documents.present
    base_file = "services.json" if legacy else "platforms.json"
    base_data = documents.valid.get(base_file)
    base = {}
    if base_data is not None:
        base = base_entries(base_data, legacy=legacy, issues=log.for_file(base_file))
    overrides_data = documents.valid.get("platform_overrides.json")
    overrides = {}
    if overrides_data is not None:
        overrides = override_entries(overrides_data, log.for_file("platform_overrides.json"))
    return build_platforms(base, overrides)


def _without_schema(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key != "$schema"}
