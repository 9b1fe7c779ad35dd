"""Splitting a long chat message into parts a platform accepts.

Breaks fall on whitespace where possible, and never inside a user-perceived character: not
between a base and its combining marks, inside a ZWJ emoji sequence, between the two regional
indicators of a flag, or before a skin-tone or variation selector.
"""

from __future__ import annotations

import unicodedata

__all__ = ["split_text"]


def split_text(text: str, limit: int) -> list[str]:
    """Split `text` into non-empty parts of at most `limit` code points.

    Whitespace around the text and at each break is dropped; an empty or blank text gives no
    parts, which the caller must report rather than send.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    text = text.strip()
    parts: list[str] = []
    while text:
        cut = _cut_point(text, limit)
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return parts


def _cut_point(text: str, limit: int) -> int:
    """Return where the first part of `text` (stripped, non-empty) ends."""
    if len(text) <= limit:
        return len(text)
    for i in range(limit, 0, -1):
        if _is_break(text[i]):
            return i
    for i in range(limit, 0, -1):
        if not _joins(text, i):
            return i
    return limit


def _is_break(char: str) -> bool:
    return char.isspace() and char not in "\u00a0\u2007\u202f"


def _joins(text: str, i: int) -> bool:
    """Whether cutting `text` before index `i` would break a user-perceived character."""
    if text[i - 1] == "\u200d" or _is_extender(text[i]):
        return True
    return _is_regional(text[i]) and _regional_run(text, i) % 2 == 1


def _regional_run(text: str, end: int) -> int:
    """Count the regional indicators (flag halves) just before `end`."""
    start = end
    while start > 0 and _is_regional(text[start - 1]):
        start -= 1
    return end - start


def _is_extender(char: str) -> bool:
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Mc", "Me")
        or code == 0x200D
        or 0xFE00 <= code <= 0xFE0F
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F
        or 0xE0100 <= code <= 0xE01EF
    )


def _is_regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF
