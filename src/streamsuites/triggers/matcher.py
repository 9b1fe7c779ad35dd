"""Many patterns, one pass: the keyword and regex matchers of one creator.

Keywords go into one Aho-Corasick automaton (pyahocorasick) run over the lowercased message;
the rare hits are then checked for word boundaries. Regexes go into one ``re2.Set``, which runs
a single automaton over the message and reports every pattern that matched. Either way the cost
of a message does not grow with the number of triggers (``benchmarks/triggers.py`` measures it,
and why keywords are not in the RE2 Set too: Unicode word boundaries make that Set slow to build
and slower to run). RE2 accepts most of Python's syntax but not backreferences or lookaround;
:func:`pattern_problem` says why a pattern is refused. This module is the only one that touches
the untyped ``re2`` and ``ahocorasick`` bindings.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

import ahocorasick  # type: ignore[import-not-found]  # pyahocorasick ships no type stubs
import re2  # type: ignore[import-untyped]  # google-re2 ships no type stubs

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "KeywordMatcher",
    "MultiMatcher",
    "keyword_pattern",
    "normalize_text",
    "pattern_problem",
]

_WORD: Final = r"\pL\pN_"
_SPACES: Final = r"\s+"
_SET_MEMORY: Final = 256 << 20
"""RE2's default 8 MiB budget refuses a Set of a few hundred patterns with Unicode classes."""


def _options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False
    return options


def pattern_problem(pattern: str) -> tuple[str, str] | None:
    """Return why `pattern` cannot be used and what is expected instead, or None if it can."""
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"invalid regular expression: {exc}", "a Python regular expression"
    try:
        re2.compile(pattern, _options())
    except re2.error as exc:
        detail = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
        expected = "a regular expression RE2 accepts (no backreferences or lookaround)"
        return f"regular expression not supported by RE2: {detail}", expected
    return None


def keyword_pattern(keyword: str) -> str:
    """Return an RE2 pattern equivalent to `keyword` (whole words, any case); for comparisons."""
    body = _SPACES.join(re.escape(word) for word in keyword.split())
    return f"(?i)(?:^|[^{_WORD}]){body}(?:$|[^{_WORD}])"


def normalize_text(text: str) -> str:
    """Return `text` lowercased with runs of whitespace made single spaces, as keywords are."""
    return " ".join(text.lower().split())


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


class KeywordMatcher:
    """Finds keywords (already normalized) in a normalized text; `whole` ones as whole words."""

    __slots__ = ("_automaton", "size", "spaced")

    def __init__(self, keywords: Sequence[tuple[str, bool]]) -> None:
        self.size = len(keywords)
        self.spaced = any(" " in keyword for keyword, _ in keywords)
        """Whether some keyword has a space, so texts must have their whitespace normalized."""
        grouped: dict[str, list[tuple[int, bool]]] = {}
        for index, (keyword, whole) in enumerate(keywords):
            grouped.setdefault(keyword, []).append((index, whole))
        self._automaton = ahocorasick.Automaton()
        for keyword, owners in grouped.items():
            self._automaton.add_word(keyword, (len(keyword), tuple(owners)))
        if grouped:
            self._automaton.make_automaton()

    def match(self, text: str) -> list[int]:
        """Return the indexes of the keywords found in normalized `text`."""
        if not self.size:
            return []
        found: list[int] = []
        for end, (length, owners) in self._automaton.iter(text):
            start = end - length + 1
            bounded = (start == 0 or not _is_word(text[start - 1])) and (
                end + 1 == len(text) or not _is_word(text[end + 1])
            )
            found.extend(index for index, whole in owners if bounded or not whole)
        return found


class MultiMatcher:
    """Searches a text for all of `patterns` at once; :meth:`match` returns the matching indexes."""

    __slots__ = ("_set", "size")

    def __init__(self, patterns: Sequence[str]) -> None:
        self.size = len(patterns)
        self._set: re2.Set | None = None
        if patterns:
            options = _options()
            options.max_mem = _SET_MEMORY
            compiled = re2.Set.SearchSet(options)
            for pattern in patterns:
                compiled.Add(pattern)
            compiled.Compile()
            self._set = compiled

    def match(self, text: str) -> list[int]:
        """Return the indexes of the patterns found in `text`, in no particular order."""
        if self._set is None:
            return []
        # Lone surrogates cannot be UTF-8 encoded; replacing them keeps arbitrary text safe.
        found: list[int] | None = self._set.Match(text.encode("utf-8", "replace"))
        return found or []
