"""Many patterns, one pass: the keyword and regex matchers of one creator.

Keywords go into one Aho-Corasick automaton (pyahocorasick) run over the lowercased message;
the rare hits are then checked for word boundaries. Regexes go into ``re2.Set``s, each running a
single automaton over the message and reporting every pattern that matched; the same Aho-Corasick
pass decides whether the Set of regexes with a required literal needs to run. Either way the cost
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

from streamsuites.triggers._literals import required_literal

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

__all__ = [
    "KeywordMatcher",
    "MultiMatcher",
    "TextMatcher",
    "keyword_pattern",
    "normalize_text",
    "pattern_problem",
]

_WORD: Final = r"\pL\pN_"
_SPACES: Final = r"\s+"
_SET_MEMORY: Final = 256 << 20
"""RE2's default 8 MiB budget refuses a Set of a few hundred patterns with Unicode classes."""
RECENT_TEXTS: Final = 512
"""Texts whose candidates :class:`TextMatcher` remembers, per generation (two are kept).

Chat repeats itself: on the benchmark corpus (real Twitch chat, in order) 50% of the lines
equal one of the 64 lines before them and 54% one of the 256 before them. A remembered text
costs one dict lookup instead of the full search."""


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


class TextMatcher:
    """Every text trigger of one creator; :meth:`match` finds a message's candidates in one pass.

    Commands and ``equals_icase`` texts are dict lookups; keywords and the required literal of
    each regex (see :mod:`._literals`) share one Aho-Corasick automaton over the lowercased text.
    The RE2 Set of the regexes that have a literal runs only when one of those literals occurs
    (about one chat line in five on the benchmark corpus); the regexes without one run always.
    The answers for the last :data:`RECENT_TEXTS` to :data:`RECENT_TEXTS` * 2 distinct texts are
    remembered, since the answer depends on the text alone.
    """

    __slots__ = (
        "_always",
        "_commands",
        "_exact",
        "_filtered",
        "_heads",
        "_keywords",
        "_older",
        "_recent",
    )

    def __init__(
        self,
        *,
        commands: Mapping[str, tuple[int, ...]],
        exact: Mapping[str, tuple[int, ...]],
        keywords: Sequence[tuple[str, bool, int]],
        patterns: Sequence[tuple[str, int]],
    ) -> None:
        literals = {pattern: required_literal(pattern) for pattern, _ in patterns}
        self._commands = dict(commands)
        self._heads = frozenset(word[:1] for word in commands)
        """First characters of the commands: most messages start with none of them."""
        self._exact = dict(exact)
        self._keywords = KeywordMatcher(keywords, [lit for lit in literals.values() if lit])
        self._filtered = MultiMatcher([(p, owner) for p, owner in patterns if literals[p]])
        self._always = MultiMatcher([(p, owner) for p, owner in patterns if not literals[p]])
        self._recent: dict[str, tuple[int, ...]] = {}
        self._older: dict[str, tuple[int, ...]] = {}

    def match(self, text: str) -> tuple[int, ...]:
        """Return the trigger indexes `text` may fire, ascending, each once."""
        found = self._recent.get(text)
        if found is not None:
            return found
        found = self._older.get(text)
        if found is None:
            searched = self._search(text)
            found = tuple(sorted(set(searched))) if searched else ()
        if len(self._recent) >= RECENT_TEXTS:
            self._older, self._recent = self._recent, {}
        self._recent[text] = found
        return found

    @property
    def remembered(self) -> int:
        """How many texts' answers are remembered now (at most 2 * :data:`RECENT_TEXTS`)."""
        return len(self._recent) + len(self._older)

    def _search(self, text: str) -> list[int]:
        lowered = text.lower()
        found = self._command(text, lowered)
        if self._exact or self._keywords.spaced:
            normalized = " ".join(lowered.split())
            found.extend(self._exact.get(normalized, ()))
            lowered = normalized if self._keywords.spaced else lowered
        if self._keywords.scan(lowered, found):
            found.extend(self._filtered.match(text))
        if self._always.size:
            found.extend(self._always.match(text))
        return found

    def _command(self, text: str, lowered: str) -> list[int]:
        head = lowered[:1]
        if head not in self._heads and not head.isspace():
            return []
        words = text.split(None, 1)
        return list(self._commands.get(words[0].lower(), ())) if words else []


class KeywordMatcher:
    """Finds keywords (already normalized) in a normalized text; `whole` ones as whole words.

    The same automaton holds the required literals of regexes: :meth:`scan` reports whether one
    of those occurs, without saying which.
    """

    __slots__ = ("_automaton", "size", "spaced")

    def __init__(
        self, keywords: Sequence[tuple[str, bool, int]], literals: Iterable[str] = ()
    ) -> None:
        self.spaced = any(" " in keyword for keyword, _, _ in keywords)
        """Whether some keyword has a space, so texts must have their whitespace normalized."""
        grouped: dict[str, list[tuple[int, bool]]] = {}
        for keyword, whole, owner in keywords:
            grouped.setdefault(keyword, []).append((owner, whole))
        required = frozenset(literals)
        for literal in required:
            grouped.setdefault(literal, [])
        self.size = len(grouped)
        self._automaton = ahocorasick.Automaton()
        for word, owners in grouped.items():
            self._automaton.add_word(word, (len(word), tuple(owners), word in required))
        if grouped:
            self._automaton.make_automaton()

    def scan(self, text: str, found: list[int]) -> bool:
        """Add the owners of the keywords in `text` to `found`; return whether a literal occurs."""
        if not self.size:
            return False
        literal = False
        for end, (length, owners, is_literal) in self._automaton.iter(text):
            literal = literal or is_literal
            if owners:
                found.extend(_whole_word_owners(text, end - length + 1, end, owners))
        return literal


def _whole_word_owners(
    text: str, start: int, end: int, owners: tuple[tuple[int, bool], ...]
) -> list[int]:
    bounded = (start == 0 or not _is_word(text[start - 1])) and (
        end + 1 == len(text) or not _is_word(text[end + 1])
    )
    return [owner for owner, whole in owners if bounded or not whole]


class MultiMatcher:
    """Searches a text for all of `patterns` at once; :meth:`match` returns their owners."""

    __slots__ = ("_owners", "_set", "size")

    def __init__(self, patterns: Sequence[tuple[str, int]]) -> None:
        self.size = len(patterns)
        self._owners = tuple(owner for _, owner in patterns)
        self._set: re2.Set | None = None
        if patterns:
            options = _options()
            options.max_mem = _SET_MEMORY
            compiled = re2.Set.SearchSet(options)
            for pattern, _ in patterns:
                compiled.Add(pattern)
            compiled.Compile()
            self._set = compiled

    def match(self, text: str) -> list[int]:
        """Return the owners of the patterns found in `text`, in no particular order."""
        if self._set is None:
            return []
        # Lone surrogates cannot be UTF-8 encoded; replacing them keeps arbitrary text safe.
        found: list[int] | None = self._set.Match(text.encode("utf-8", "replace"))
        owners = self._owners
        return [owners[index] for index in found] if found else []
