"""Response templates: text with ``{placeholder}`` slots, parsed once and filled without eval.

A template is split at load time into literal runs and placeholder names; rendering only joins
strings, so no config text is ever evaluated. ``{{`` and ``}}`` write literal braces. An unknown
name, a format spec (``{user:>10}``), attribute access or a lone brace is a
:class:`TemplateError`, which config validation reports with its file and path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["KNOWN_PLACEHOLDERS", "Template", "TemplateError", "parse_template"]

KNOWN_PLACEHOLDERS: Final[Mapping[str, str]] = {
    "user": "display name of the author (their login if no display name)",
    "login": "login name of the author",
    "message": "the whole message text",
    "args": "text after the command word (command triggers; empty otherwise)",
    **{f"arg{n}": f"word {n} after the command (empty if absent)" for n in range(1, 10)},
    "count": "times this trigger has fired for this creator, this time included",
    "platform": "platform of the event (twitch, youtube, ...)",
    "channel": "channel of the event",
    "creator": "display name of the creator",
    "uptime": "time since the stream went online, like 1h 02m; 'offline' if unknown",
    "amount": "money of a paid event, as the platform shows it (like $5.00 or 100 bits)",
    "months": "cumulative months of a membership event",
    "gift_count": "number of gifted memberships",
    "viewers": "viewer count of a stream_state event (a raid's size), or of the context",
}
"""Every placeholder a template may use, with what it is replaced by."""

_TOKEN: Final = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


class TemplateError(ValueError):
    """A template names an unknown placeholder or has an unbalanced brace."""


@dataclass(frozen=True, slots=True)
class Template:
    """A parsed template: `literals` and `names` alternate, starting and ending with a literal."""

    source: str
    literals: tuple[str, ...]
    names: tuple[str, ...]
    _format: str = field(init=False, repr=False, compare=False)
    """The same template as a :meth:`str.format_map` string: literal braces doubled."""

    def __post_init__(self) -> None:
        slots = (f"{{{name}}}" for name in self.names)
        escaped = [literal.replace("{", "{{").replace("}", "}}") for literal in self.literals]
        body = "".join(part for pair in zip(escaped[:-1], slots, strict=True) for part in pair)
        object.__setattr__(self, "_format", body + escaped[-1])

    @property
    def placeholders(self) -> frozenset[str]:
        """The placeholder names this template uses."""
        return frozenset(self.names)

    def render(self, values: Mapping[str, str]) -> str:
        """Fill the slots from `values`; a name missing from `values` renders empty."""
        if not self.names:
            return self.literals[0]
        try:
            return self._format.format_map(values)
        except KeyError:
            return self._format.format_map(_Blank(values))


class _Blank(dict[str, str]):
    """Values in which a missing name is the empty string."""

    def __missing__(self, key: str) -> str:
        return ""


def parse_template(source: str) -> Template:
    """Parse `source`; raise :class:`TemplateError` for an unknown name or a lone brace."""
    literals: list[str] = []
    names: list[str] = []
    current: list[str] = []
    position = 0
    for token in _TOKEN.finditer(source):
        current.append(source[position : token.start()])
        position = token.end()
        text = token.group(0)
        if text in ("{{", "}}"):
            current.append(text[0])
            continue
        names.append(_placeholder(token, source))
        literals.append("".join(current))
        current = []
    current.append(source[position:])
    literals.append("".join(current))
    return Template(source, tuple(literals), tuple(names))


def _placeholder(token: re.Match[str], source: str) -> str:
    name = token.group(1)
    if name is None:
        raise TemplateError(
            f"lone {token.group(0)!r} at position {token.start()}; write {{{{ or }}}} for a brace"
        )
    if name not in KNOWN_PLACEHOLDERS:
        raise TemplateError(f"unknown placeholder {{{name}}}")
    return name
