r"""A small parser for the ``.env`` file a config directory may hold.

Accepted lines: ``KEY=VALUE``, ``export KEY=VALUE``, ``# comments`` and blank lines. A value may be
single-quoted (taken literally), double-quoted (``\n``, ``\t``, ``\"`` and ``\\`` escapes) or
bare (an unquoted `` #`` starts a comment; surrounding spaces are dropped). A line that is none of
these is reported with its number and never echoed, because it may hold a secret.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from streamsuites.config._jsonfile import read_text
from streamsuites.config.issues import ConfigIssue

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["DOTENV_NAME", "parse_dotenv", "read_dotenv"]

DOTENV_NAME: Final = ".env"

_LINE: Final = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")
_ESCAPES: Final = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_DOUBLE: Final = re.compile(r'^"((?:[^"\\]|\\.)*)"\s*(?:#.*)?$')
_SINGLE: Final = re.compile(r"^'([^']*)'\s*(?:#.*)?$")


class _MalformedLineError(ValueError):
    """A line that is not an assignment; the text says why without quoting the line."""


def parse_dotenv(text: str, *, file: str = DOTENV_NAME) -> tuple[dict[str, str], list[ConfigIssue]]:
    """Parse `text` as a .env file; return the variables and an issue per malformed line."""
    values: dict[str, str] = {}
    issues: list[ConfigIssue] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            key, value = _parse_line(stripped)
        except _MalformedLineError as exc:
            issue = ConfigIssue(file=file, line=number, message=str(exc), expected="KEY=VALUE")
            issues.append(issue)
            continue
        values[key] = value
    return values, issues


def read_dotenv(directory: Path) -> tuple[dict[str, str], list[ConfigIssue]]:
    """Read `directory`/.env if it exists; a missing file is simply empty."""
    path = directory / DOTENV_NAME
    if not path.is_file():
        return {}, []
    text = read_text(path, DOTENV_NAME)
    if isinstance(text, ConfigIssue):
        return {}, [text]
    return parse_dotenv(text)


def _parse_line(line: str) -> tuple[str, str]:
    match = _LINE.match(line)
    if match is None:
        raise _MalformedLineError("malformed line: not a variable assignment")
    key, raw = match.groups()
    return key, _parse_value(raw)


def _parse_value(raw: str) -> str:
    if raw.startswith('"'):
        double = _DOUBLE.match(raw)
        if double is None:
            raise _MalformedLineError("malformed line: unterminated double-quoted value")
        return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m[1], "\\" + m[1]), double[1])
    if raw.startswith("'"):
        single = _SINGLE.match(raw)
        if single is None:
            raise _MalformedLineError("malformed line: unterminated single-quoted value")
        return single[1]
    return re.split(r"\s+#", raw, maxsplit=1)[0].strip()
