"""The regex prefilter: a pattern's required literal, and that it never hides a real match."""

from __future__ import annotations

import pytest
import re2  # type: ignore[import-untyped]  # google-re2 ships no type stubs
from hypothesis import given, settings
from hypothesis import strategies as st

from streamsuites.triggers._literals import required_literal
from streamsuites.triggers.matcher import RECENT_TEXTS, MultiMatcher, TextMatcher


@pytest.mark.parametrize(
    ("pattern", "literal"),
    [
        (r"(?i)\bppoverheat+\s*0\b", "ppoverheat"),
        (r"xqcwar\d{2,}", "xqcwar"),
        (r"\b[A-Z]{3}Based\b", "based"),
        (r"abcd?e", "abc"),
        (r"abc+?d", "abc"),
        (r"ab{0,3}cdef", "cdef"),
        (r"(abc|de)fgh", "fgh"),
        (r"ab\.cd\?ef", "ab.cd"),
        (r"\x41bcd", "bcd"),
        (r"\p{Greek}wxyz", "wxyz"),
        (r"\123abc", "abc"),
        (r"kisses", "kisses"),
        (r"(?i)kisses", None),
        (r"abc|defgh", None),
        (r"\QHELLO\E", None),
        (r"\d+ab", None),
        (r"héllo wörld", "llo"),
    ],
)
def test_required_literal(pattern, literal):
    assert required_literal(pattern) == literal


def test_caseless_s_is_never_a_literal_because_re2_folds_long_s():
    assert re2.search("(?i)kiss", "KIſS") is not None
    assert required_literal("(?i)kiss") is None
    assert required_literal("(?i)\u212aelvin") == "elvin"  # non-ASCII never counts
    assert required_literal("(?i)kelvin") == "kelvin"
    assert "kelvin" in "\u212aELVIN".lower()


PATTERNS = [
    r"(?i)\bkiss+\s*\d\b",
    r"(?i)pog(?:gers)?!",
    r"\b[A-Z]{2}Kek\b",
    r"abc\?",
    r"w{2,}hat",
    r"(?i)^hey\b.*\?$",
    r"x\.y\.z",
    r"\d{3}",
    r"a+b",
]
PIECES = ["kiss", "KIſS", "ſ", "pog", "POGGERS!", "ABKek", "abc?", "abc", "\ud800", "wwhat",
          "hey", "HEY you?", "x.y.z", "123", "aab", " ", "\u212a", "İ", "7"]  # fmt: skip

texts = st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=8).map("".join)


@settings(max_examples=500)
@given(texts)
def test_prefilter_finds_exactly_what_the_plain_set_finds(text):
    plain = MultiMatcher([(pattern, n) for n, pattern in enumerate(PATTERNS)])
    filtered = TextMatcher(
        commands={}, exact={}, keywords=[], patterns=[(p, n) for n, p in enumerate(PATTERNS)]
    )
    assert sorted(filtered.match(text)) == sorted(plain.match(text))


def test_lone_surrogate_is_seen_as_question_mark_by_re2_and_still_matches():
    matcher = TextMatcher(commands={}, exact={}, keywords=[], patterns=[(r"abc\?", 0)])
    assert matcher.match("ABC abc\ud800") == (0,)


def test_keyword_and_literal_share_the_automaton():
    matcher = TextMatcher(
        commands={"!hi": (0,)},
        exact={},
        keywords=[("based", True, 1)],
        patterns=[(r"\bbased\d", 2)],
    )
    assert sorted(matcher.match("based")) == [1]
    assert sorted(matcher.match("based7 Based")) == [1, 2]
    assert sorted(matcher.match("  !HI based7")) == [0, 2]
    assert matcher.match("nothing here") == ()


def test_remembered_answers_equal_fresh_ones_and_memory_is_bounded():
    def build() -> TextMatcher:
        return TextMatcher(
            commands={"!hi": (0,)},
            exact={},
            keywords=[("based", True, 1), ("pog", False, 2)],
            patterns=[(r"(?i)\bgg+\b", 3), (r"(?i)based\d", 1)],
        )

    lines = ["!hi there", "so based", "based7 gg", "POGGERS", "nothing", "GG", "based7 gg"]
    lines += [f"filler {n}" for n in range(3 * RECENT_TEXTS)] + lines
    remembering = build()
    for line in lines:
        assert remembering.match(line) == build().match(line)
        assert remembering.remembered <= 2 * RECENT_TEXTS
    assert remembering.match("based7 gg") == (1, 3)
    assert remembering.remembered >= RECENT_TEXTS
