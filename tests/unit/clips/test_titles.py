from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from streamsuites.clips.titles import CLIP_ID_ALPHABET, MAX_TITLE_LENGTH, clip_title, new_clip_id

AT = datetime(2026, 3, 7, 23, 30, tzinfo=UTC).timestamp()
TAIL = " - 03/07/26 clip by "


def test_short_title_follows_the_original_rule() -> None:
    assert clip_title("Speedrun night", "ann", "Ab12Cd", at=AT) == (
        "Speedrun night - 03/07/26 clip by ann [Ab12Cd]"
    )


def test_date_is_utc() -> None:
    late_evening_utc = datetime(2026, 12, 31, 23, 59, tzinfo=UTC).timestamp()
    assert "12/31/26" in clip_title("x", "ann", "Ab12Cd", at=late_evening_utc)


def test_long_source_title_is_shortened_first() -> None:
    title = clip_title("S" * 300, "a_very_patient_viewer", "Ab12Cd", at=AT)
    assert len(title) == MAX_TITLE_LENGTH
    assert title.endswith("… - 03/07/26 clip by a_very_patient_viewer [Ab12Cd]")
    assert title.startswith("SSS")


def test_clipper_is_shortened_once_the_source_title_is_gone() -> None:
    title = clip_title("Speedrun night", "c" * 300, "Ab12Cd", at=AT)
    assert len(title) == MAX_TITLE_LENGTH
    assert title.startswith("03/07/26 clip by ccc")
    assert title.endswith("c… [Ab12Cd]")


@pytest.mark.parametrize("limit", [40, 60, 119, 120])
def test_date_clip_by_and_id_are_never_cut(limit: int) -> None:
    title = clip_title("T" * 500, "u" * 500, "Zz9Yy8", at=AT, limit=limit)
    assert len(title) <= limit
    assert "03/07/26 clip by " in title
    assert title.endswith(" [Zz9Yy8]")


def test_exactly_at_the_limit_nothing_is_cut() -> None:
    fixed = len(f"{TAIL}ann [Ab12Cd]")
    source = "s" * (MAX_TITLE_LENGTH - fixed)
    assert clip_title(source, "ann", "Ab12Cd", at=AT) == f"{source}{TAIL}ann [Ab12Cd]"


def test_unicode_counts_code_points_and_never_leaves_a_dangling_joiner() -> None:
    family = "👨\u200d👩\u200d👧"  # five code points
    source = "Ünïcödé 配信 " + family * 40
    title = clip_title(source, "ユーザー", "Ab12Cd", at=AT)
    assert len(title) == MAX_TITLE_LENGTH
    kept = title.split("… - ")[0]
    assert kept[-1] not in "\u200d\ufe0f"
    assert title.endswith(" - 03/07/26 clip by ユーザー [Ab12Cd]")


def test_whitespace_is_normalised_and_blanks_get_defaults() -> None:
    assert clip_title("  big \n  play ", "  ", "Ab12Cd", at=AT) == (
        "big play - 03/07/26 clip by anonymous [Ab12Cd]"
    )
    assert clip_title("", "ann", "Ab12Cd", at=AT).startswith("Livestream - ")


def test_clip_ids_are_six_alphanumerics() -> None:
    clip_id = new_clip_id(set(), random.Random(4))
    assert len(clip_id) == 6
    assert set(clip_id) <= set(CLIP_ID_ALPHABET)


def test_clip_id_skips_ids_already_taken() -> None:
    first = new_clip_id(set(), random.Random(7))
    again = new_clip_id({first}, random.Random(7))
    assert again != first
    assert len(again) == 6


def test_many_ids_are_unique_among_existing() -> None:
    rng = random.Random(1)
    taken: set[str] = set()
    for _ in range(2000):
        taken.add(new_clip_id(taken, rng))
    assert len(taken) == 2000
