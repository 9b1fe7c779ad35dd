"""One problem found in a config directory, and the log that collects them all.

A :class:`ConfigIssue` names the file, the JSON path inside it, what was wrong, what was found and
what was expected, so one line is enough to fix the input without reading a traceback.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = [
    "ConfigIssue",
    "FileIssues",
    "IssueLog",
    "JsonPath",
    "Severity",
    "UniqueIds",
    "check_unique_ids",
    "describe",
    "json_path",
]

Severity = Literal["error", "warning"]
JsonPath = tuple[str | int, ...]
"""A location inside a JSON document: object keys and list indexes, from the root."""

_PLAIN_KEY: Final = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$-]*$")
_MAX_FOUND: Final = 40
_NOT_GIVEN: Final = object()


def json_path(parts: JsonPath) -> str:
    """Render `parts` as a JSON path: ``("creators", 2, "tier")`` → ``$.creators[2].tier``."""
    rendered = ["$"]
    for part in parts:
        if isinstance(part, int):
            rendered.append(f"[{part}]")
        elif _PLAIN_KEY.match(part):
            rendered.append(f".{part}")
        else:
            rendered.append(f"[{json.dumps(part)}]")
    return "".join(rendered)


def describe(value: object) -> str:
    """Return a short, one-line description of a JSON value for an issue's ``found``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        text = repr(value)
        return text if len(text) <= _MAX_FOUND else text[: _MAX_FOUND - 4] + "...'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return repr(value)


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigIssue:
    """A problem (or a warning) in one config file.

    ``path`` is a JSON path such as ``$.creators[2].tier``, or empty when the issue is about the
    whole file; ``line``/``column`` are set instead for syntax errors.
    """

    file: str
    path: str = ""
    message: str
    found: str | None = None
    expected: str | None = None
    severity: Severity = "error"
    line: int | None = None
    column: int | None = None

    @property
    def is_error(self) -> bool:
        """Whether this issue makes the config unusable."""
        return self.severity == "error"

    @property
    def location(self) -> str:
        """Where in the file: the JSON path, or ``line L, column C`` for syntax errors."""
        if self.line is None:
            return self.path
        if self.column is None:
            return f"line {self.line}"
        return f"line {self.line}, column {self.column}"

    def __str__(self) -> str:
        head = ": ".join(part for part in (self.file, self.location, self.message) if part)
        details = [f"found {self.found}"] if self.found is not None else []
        details += [f"expected {self.expected}"] if self.expected is not None else []
        return f"{head} ({', '.join(details)})" if details else head


class IssueLog:
    """Collects every issue of one load, in the order found, without duplicates."""

    def __init__(self) -> None:
        self._issues: dict[ConfigIssue, None] = {}

    def add(self, issue: ConfigIssue) -> None:
        """Record `issue` unless the same issue was already recorded."""
        self._issues.setdefault(issue, None)

    def for_file(self, file: str) -> FileIssues:
        """Return a recorder that fills in `file` for every issue."""
        return FileIssues(file, self)

    @property
    def errors(self) -> list[ConfigIssue]:
        """The issues that make the config unusable."""
        return [issue for issue in self._issues if issue.is_error]

    @property
    def warnings(self) -> list[ConfigIssue]:
        """The issues worth reading that do not stop the runtime."""
        return [issue for issue in self._issues if not issue.is_error]


class FileIssues:
    """Records issues about one file, given JSON paths as tuples."""

    def __init__(self, file: str, log: IssueLog) -> None:
        self.file = file
        self._log = log

    def error(
        self,
        parts: JsonPath | None,
        message: str,
        *,
        found: object = _NOT_GIVEN,
        expected: str | None = None,
    ) -> None:
        """Record an error at `parts` (None: about the whole file)."""
        self._add(parts, message, found, expected, "error")

    def warning(
        self,
        parts: JsonPath | None,
        message: str,
        *,
        found: object = _NOT_GIVEN,
        expected: str | None = None,
    ) -> None:
        """Record a warning at `parts` (None: about the whole file)."""
        self._add(parts, message, found, expected, "warning")

    def add(self, issue: ConfigIssue) -> None:
        """Record a ready-made issue."""
        self._log.add(issue)

    def _add(
        self,
        parts: JsonPath | None,
        message: str,
        found: object,
        expected: str | None,
        severity: Severity,
    ) -> None:
        self._log.add(
            ConfigIssue(
                file=self.file,
                path="" if parts is None else json_path(parts),
                message=message,
                found=None if found is _NOT_GIVEN else describe(found),
                expected=expected,
                severity=severity,
            )
        )


class UniqueIds:
    """Checks, entry by entry, that no two entries of the list at `path` share their `key`."""

    def __init__(self, key: str, path: JsonPath, issues: FileIssues) -> None:
        self._key, self._path, self._issues = key, path, issues
        self._first: dict[object, int] = {}

    def check(self, entry: Mapping[str, Any], index: int) -> None:
        """Report entry `index` if an earlier entry holds its `key` already."""
        value = entry[self._key]
        first = self._first.setdefault(value, index)
        if first != index:
            self._issues.error(
                (*self._path, index, self._key),
                f"duplicate {self._key} {value!r}",
                expected=f"a unique id; first used at {json_path((*self._path, first))}",
            )


def check_unique_ids(
    entries: Sequence[Mapping[str, Any]], key: str, path: JsonPath, issues: FileIssues
) -> None:
    """Report each entry of the list at `path` whose `key` an earlier entry already holds."""
    unique = UniqueIds(key, path, issues)
    for index, entry in enumerate(entries):
        unique.check(entry, index)
