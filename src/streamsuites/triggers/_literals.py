"""The literal text every match of an RE2 pattern must contain, for a cheap prefilter.

:func:`required_literal` reads a pattern's top level as RE2 does and returns its longest run of
plain characters, lowercased: if that run does not occur in the lowercased message, the pattern
cannot match it, so the RE2 Set need not run. Anything not understood ends the run: groups,
classes, escapes other than punctuation, ``|`` anywhere at the top level (then there is no
literal at all). Only ASCII characters count, and never whitespace (keyword texts may have had
their whitespace collapsed) nor ``?`` (RE2 sees lone surrogates as ``?``). Under ``(?i)`` RE2
also matches ``ſ`` (U+017F) for ``s``, which ``str.lower`` keeps as is, so ``s`` ends the run
there; every other ASCII letter's case-insensitive matches lowercase to that letter.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["required_literal"]

MIN_LENGTH: Final = 3
"""Shorter literals occur in most messages and would not save the Set pass."""

_TOKEN: Final = re.compile(
    r"""
      (?P<quote>\\Q)                           # quoted text: not worth reading
    | \\(?P<escaped>[^0-9A-Za-z])              # escaped punctuation: that character
    | \\(?:x\{[^}]*\}|x[0-9A-Fa-f]{0,2}|[pP](?:\{[^}]*\}|.)|[0-7]{1,3}|.)  # any other escape
    | \[\^?\]?(?:\[:\^?[a-z]+:\]|\\.|[^\]])*\] # character class
    | (?P<open>\()
    | (?P<close>\))
    | (?P<bar>\|)
    | (?P<optional>[?*]|\{0*(?:,\d*)?\})       # may repeat zero times
    | (?P<repeat>\+|\{\d+(?:,\d*)?\})          # repeats at least once
    | (?P<char>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_CASELESS: Final = re.compile(r"\(\?[A-Za-z-]*i")
_DEPTH: Final = {"open": 1, "close": -1}
_SPECIAL: Final = frozenset("?{}.^$()|[\\+*")
"""Characters that mean something unescaped; one of them left as a bare char is not literal."""


def required_literal(pattern: str) -> str | None:
    """Return a lowercased substring of every match of `pattern`, or None if none is known."""
    runs = _top_level_runs(pattern, caseless=_CASELESS.search(pattern) is not None)
    longest = max(runs, key=len, default="")
    return longest.lower() if len(longest) >= MIN_LENGTH else None


def _top_level_runs(pattern: str, *, caseless: bool) -> list[str]:
    runs: list[str] = []
    current: list[str] = []
    depth = 0
    for token in _TOKEN.finditer(pattern):
        kind = token.lastgroup
        if kind == "quote" or (kind == "bar" and depth == 0):
            return []
        depth += _DEPTH.get(kind or "", 0)
        char = _literal_char(token, caseless=caseless) if depth == 0 else None
        if char is not None:
            current.append(char)
            continue
        current = _end_run(current, kind, runs)
    _end_run(current, None, runs)
    return runs


def _literal_char(token: re.Match[str], *, caseless: bool) -> str | None:
    bare, escaped = token["char"], token["escaped"]
    char = escaped if bare is None else None if bare in _SPECIAL else bare
    if char is None or char == "?" or not char.isascii() or char.isspace():
        return None
    return None if caseless and char in "sS" else char


def _end_run(current: list[str], kind: str | None, runs: list[str]) -> list[str]:
    """Close `current` before a non-literal token; return the run that token starts."""
    if kind == "optional" and current:
        current = current[:-1]
        last = []
    elif kind == "repeat" and current:
        last = current[-1:]
    else:
        last = []
    runs.append("".join(current))
    return last
