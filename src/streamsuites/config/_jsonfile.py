"""Reading one JSON config file into Python values, turning every failure into an issue."""

from __future__ import annotations

import json
from enum import Enum
from typing import TYPE_CHECKING, Any

from streamsuites.config.issues import ConfigIssue

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["FileStatus", "read_json", "read_text"]


class FileStatus(Enum):
    """What reading a config file gave."""

    MISSING = "missing"
    BROKEN = "broken"
    LOADED = "loaded"


def read_text(path: Path, file: str) -> str | ConfigIssue:
    """Return the text of `path` (UTF-8, a leading BOM allowed) or an issue saying why not."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        return ConfigIssue(file=file, message=f"not UTF-8 text (bad byte at offset {exc.start})")
    except IsADirectoryError:
        return ConfigIssue(file=file, message="is a directory, not a file")
    except OSError as exc:
        return ConfigIssue(file=file, message=f"cannot read file: {exc.strerror or exc}")


def read_json(path: Path, file: str) -> tuple[FileStatus, Any, ConfigIssue | None]:
    """Read and parse `path`; return its status, its data when loaded, and the issue when broken."""
    if not path.exists():
        return FileStatus.MISSING, None, None
    text = read_text(path, file)
    if isinstance(text, ConfigIssue):
        return FileStatus.BROKEN, None, text
    try:
        return FileStatus.LOADED, json.loads(text), None
    except json.JSONDecodeError as exc:
        issue = ConfigIssue(
            file=file, line=exc.lineno, column=exc.colno, message=f"invalid JSON: {exc.msg}"
        )
        return FileStatus.BROKEN, None, issue
