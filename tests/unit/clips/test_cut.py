from __future__ import annotations

from pathlib import Path

import pytest

from streamsuites.clips.cut import concat_list, cut_arguments, nearest_keyframe, plan_cut
from streamsuites.clips.model import ClipError, ClipWindow, CutMethod

from .factory import T0, segment, segments

SEGS = segments(10)  # [T0, T0 + 20) in 2 s segments
STARTS = [s.start for s in SEGS]


def window(start: float, end: float) -> ClipWindow:
    return ClipWindow(start=T0 + start, end=T0 + end)


def test_nearest_keyframe_prefers_the_earlier_on_a_tie() -> None:
    assert nearest_keyframe([1.0, 3.0], 2.0) == 1.0
    assert nearest_keyframe([1.0, 3.0], 2.5) == 3.0
    assert nearest_keyframe([], 2.0) is None


def test_window_near_a_keyframe_is_shifted_onto_it_and_copied() -> None:
    plan = plan_cut(window(4.3, 10.3), SEGS, keyframes=STARTS, tolerance=0.5)
    assert plan.method is CutMethod.COPY
    assert plan.actual == window(4.0, 10.0)
    assert plan.duration == pytest.approx(6.0)
    assert plan.segments == tuple(SEGS[2:5])
    assert plan.offset == pytest.approx(0.0)


def test_shift_may_go_later_and_keeps_the_length() -> None:
    plan = plan_cut(window(3.8, 7.1), SEGS, keyframes=STARTS, tolerance=0.5)
    assert plan.method is CutMethod.COPY
    assert plan.actual == window(4.0, 7.3)


def test_window_far_from_keyframes_is_reencoded_exactly() -> None:
    plan = plan_cut(window(5.0, 9.0), SEGS, keyframes=STARTS, tolerance=0.5)
    assert plan.method is CutMethod.REENCODE
    assert plan.actual == window(5.0, 9.0)
    assert plan.segments == tuple(SEGS[2:5])
    assert plan.offset == pytest.approx(1.0)


def test_interior_keyframes_count() -> None:
    plan = plan_cut(window(5.0, 9.0), SEGS, keyframes=[*STARTS, T0 + 5.1], tolerance=0.5)
    assert plan.method is CutMethod.COPY
    assert plan.offset == pytest.approx(1.1)


def test_zero_tolerance_copies_only_on_an_exact_keyframe() -> None:
    assert plan_cut(window(4.0, 6.0), SEGS, keyframes=STARTS, tolerance=0.0).method is (
        CutMethod.COPY
    )
    assert plan_cut(window(4.01, 6.0), SEGS, keyframes=STARTS, tolerance=0.0).method is (
        CutMethod.REENCODE
    )


def test_sources_that_are_not_h264_aac_are_reencoded() -> None:
    plan = plan_cut(window(4.0, 6.0), SEGS, keyframes=STARTS, tolerance=0.5, copy_allowed=False)
    assert plan.method is CutMethod.REENCODE


def test_window_before_the_buffer_starts_at_the_buffer() -> None:
    plan = plan_cut(window(-5.0, 3.0), SEGS, keyframes=STARTS, tolerance=0.5)
    assert plan.actual == window(0.0, 3.0)
    assert plan.offset == 0.0


def test_window_past_the_buffer_end_is_refused() -> None:
    with pytest.raises(ClipError, match="ends 3.0s too early"):
        plan_cut(window(15.0, 23.0), SEGS, keyframes=STARTS, tolerance=0.5)


def test_window_outside_the_buffer_is_refused() -> None:
    with pytest.raises(ClipError, match="holds nothing"):
        plan_cut(window(100.0, 110.0), SEGS, keyframes=STARTS, tolerance=0.5)


def test_a_gap_inside_the_window_is_refused() -> None:
    holed = [*SEGS[:3], *[segment(i, start=T0 + 2 * i + 3.0) for i in range(3, 6)]]
    with pytest.raises(ClipError, match="3.0s gap"):
        plan_cut(window(1.0, 12.0), holed, keyframes=[], tolerance=0.5)


def test_concat_list_names_segments_by_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    seg = segment(0, folder=Path("data/capture"))
    assert concat_list([seg]) == (
        f"ffconcat version 1.0\nfile '{tmp_path}/data/capture/r0001-000000.ts'\n"
    )


def test_concat_list_quotes_paths() -> None:
    seg = segment(0, folder=Path("/tmp/it's here"))
    assert concat_list([seg]) == (
        "ffconcat version 1.0\nfile '/tmp/it'\\''s here/r0001-000000.ts'\n"
    )


def test_copy_arguments_seek_past_the_keyframe_and_stream_copy() -> None:
    plan = plan_cut(window(4.3, 10.3), SEGS, keyframes=STARTS, tolerance=0.5)
    args = cut_arguments(plan, Path("l.ffconcat"), Path("o.mp4"), preset="veryfast")
    assert args[args.index("-ss") + 1] == "0.001"
    assert args[args.index("-t") + 1] == "6.000"
    assert args[args.index("-c") : args.index("-c") + 2] == ["-c", "copy"]
    assert "+faststart" in args
    assert args.index("-ss") < args.index("-i")


def test_reencode_arguments_use_h264_and_aac() -> None:
    plan = plan_cut(window(5.0, 9.0), SEGS, keyframes=STARTS, tolerance=0.5)
    args = cut_arguments(plan, Path("l.ffconcat"), Path("o.mp4"), preset="veryfast")
    assert args[args.index("-c:v") + 1] == "libx264"
    assert args[args.index("-c:a") + 1] == "aac"
    assert args[args.index("-ss") + 1] == "1.000"
