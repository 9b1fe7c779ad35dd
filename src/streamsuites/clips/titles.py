"""Clip ids and titles, as the original system made them (pure).

The title rule: ``"<source title> - MM/DD/YY clip by <clipper> [<clip_id>]"``, at most 120
characters. When too long, the source title is shortened first, then the clipper's name; the
date, ``clip by`` and the id are never cut, so a title always says when, who and which clip.
A shortened part ends with ``…``. Length counts code points (what platforms count), and a cut
never leaves a dangling joiner or variation selector from a split emoji sequence
(a base character kept without its accent is the accepted loss).
"""

from __future__ import annotations

import string
from typing import TYPE_CHECKING, Final

from streamsuites.clock import utc_from_timestamp

if TYPE_CHECKING:
    import random
    from collections.abc import Container

__all__ = ["CLIP_ID_ALPHABET", "MAX_TITLE_LENGTH", "clip_title", "new_clip_id"]

CLIP_ID_ALPHABET: Final = string.ascii_letters + string.digits
CLIP_ID_LENGTH: Final = 6
MAX_TITLE_LENGTH: Final = 120

_ELLIPSIS: Final = "…"
_JOINERS: Final = frozenset("\u200d\ufe0e\ufe0f")


def new_clip_id(existing: Container[str], rng: random.Random) -> str:
    """Return 6 characters of [A-Za-z0-9] that are not in `existing`."""
    while True:
        candidate = "".join(rng.choice(CLIP_ID_ALPHABET) for _ in range(CLIP_ID_LENGTH))
        if candidate not in existing:
            return candidate


def clip_title(
    source_title: str,
    clipper: str,
    clip_id: str,
    *,
    at: float,
    limit: int = MAX_TITLE_LENGTH,
) -> str:
    """Return the clip's title for a clip made at epoch `at` (the date is UTC)."""
    source = " ".join(source_title.split()) or "Livestream"
    who = " ".join(clipper.split()) or "anonymous"
    date = utc_from_timestamp(at).strftime("%m/%d/%y")
    fixed = len(f"{date} clip by  [{clip_id}]")
    separator = len(" - ")
    source = _shorten(source, max(0, limit - fixed - separator - len(who)))
    used_by_source = len(source) + separator if source else 0
    who = _shorten(who, max(0, limit - fixed - used_by_source))
    prefix = f"{source} - " if source else ""
    return f"{prefix}{date} clip by {who} [{clip_id}]"


def _shorten(text: str, room: int) -> str:
    """Return `text` cut to `room` code points, ending with an ellipsis when cut."""
    if len(text) <= room:
        return text
    if room <= len(_ELLIPSIS):
        return ""
    kept = _clean_cut(text[: room - len(_ELLIPSIS)])
    return kept + _ELLIPSIS if kept else ""


def _clean_cut(text: str) -> str:
    """Drop what a cut left dangling: spaces, zero-width joiners, variation selectors."""
    while text and (text[-1].isspace() or text[-1] in _JOINERS):
        text = text[:-1]
    return text
