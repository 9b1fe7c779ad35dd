"""Turning buffered segments into one MP4: where to cut (pure), then ffmpeg.

Why the cut is exact without re-encoding most of the time: a stream-copied H.264 clip can only
start on a keyframe, but the window a viewer asks for is itself approximate (the pre-roll is
slack for chat lag). So when a keyframe lies within `tolerance` of the window's start, the
whole window is *shifted* onto it, keeping its length, and the MP4 is a stream copy: a second
of work for a 30 s clip, the picture untouched. The end needs no keyframe (a copy may stop on
any frame), so only the start decides. When no keyframe is that close (long GOPs, or a
tolerance of 0 for frame-exact clips), the clip is re-encoded to H.264/AAC from the exact
start. Re-encoding only the first GOP and copying the rest ("smart cut") would be cheaper, but
an MP4 holds one H.264 parameter set per track and the two halves would carry different ones,
which some players render as garbage; a whole re-encode is the safe choice.

Every keyframe is a segment boundary candidate: the segment muxer starts each segment on one,
and ffprobe lists the others inside the segment where the window starts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from streamsuites.clips.model import ClipError, ClipWindow, CutMethod
from streamsuites.clips.segments import covering, gaps

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from streamsuites.clips.ffmpeg import FFmpeg
    from streamsuites.clips.segments import Segment

__all__ = [
    "CutPlan",
    "concat_list",
    "cut_arguments",
    "cut_video",
    "nearest_keyframe",
    "place_window",
    "plan_cut",
    "write_thumbnail",
]

GAP_TOLERANCE: Final = 0.5
"""A hole between segments longer than this (a capture restart) makes the window unusable."""
_FRAME: Final = 0.05
"""Slack for timestamps that differ by rounding, about one frame."""
_SEEK_EPSILON: Final = 0.001


@dataclass(frozen=True, slots=True, kw_only=True)
class CutPlan:
    """What to hand ffmpeg: which segments, where in their concatenation, and how."""

    segments: tuple[Segment, ...]
    offset: float
    """Seconds from the first segment's start to the clip's start."""
    actual: ClipWindow
    method: CutMethod

    @property
    def duration(self) -> float:
        """The clip's length in seconds."""
        return self.actual.duration


def nearest_keyframe(keyframes: Sequence[float], at: float) -> float | None:
    """Return the keyframe time closest to `at` (the earlier one on a tie), or None."""
    return min(keyframes, key=lambda k: (abs(k - at), k), default=None)


def plan_cut(
    window: ClipWindow,
    segments: Sequence[Segment],
    *,
    keyframes: Sequence[float],
    tolerance: float,
    copy_allowed: bool = True,
) -> CutPlan:
    """Decide how to cut `window` from `segments` (oldest first); raise ClipError if impossible.

    `keyframes` are wall-clock times; `copy_allowed` is False when the source codecs are not
    H.264/AAC. A window that starts before the buffer does is clipped to the buffer's start
    (the result's `actual` says so); one the buffer does not reach the end of is refused.
    """
    actual, method = place_window(window, keyframes, tolerance=tolerance, copy_allowed=copy_allowed)
    used = covering(segments, actual.start, actual.end)
    _check_coverage(used, actual)
    if used[0].start > actual.start:
        actual = ClipWindow(start=used[0].start, end=actual.end)
    return CutPlan(
        segments=tuple(used),
        offset=actual.start - used[0].start,
        actual=actual,
        method=method,
    )


def place_window(
    window: ClipWindow, keyframes: Sequence[float], *, tolerance: float, copy_allowed: bool
) -> tuple[ClipWindow, CutMethod]:
    """Return the window moved onto a keyframe within `tolerance` (a copy), or as is."""
    keyframe = nearest_keyframe(keyframes, window.start)
    if copy_allowed and keyframe is not None and abs(keyframe - window.start) <= tolerance:
        return window.shifted(keyframe - window.start), CutMethod.COPY
    return window, CutMethod.REENCODE


def _check_coverage(used: Sequence[Segment], window: ClipWindow) -> None:
    if not used:
        raise ClipError("the capture buffer holds nothing of the requested time")
    if used[-1].end < window.end - _FRAME:
        raise ClipError(f"the capture buffer ends {window.end - used[-1].end:.1f}s too early")
    holes = gaps(used, tolerance=GAP_TOLERANCE)
    if holes:
        start, end = holes[0]
        raise ClipError(f"the capture has a {end - start:.1f}s gap inside the clip's time")


def concat_list(segments: Sequence[Segment]) -> str:
    """Return the concat demuxer's list file naming `segments` in order, by absolute path.

    ffmpeg reads a relative name in the list from the list's own folder, not from where it runs,
    so a data dir given as a relative path (``build/demo/data``) would name files that are not
    there.
    """
    lines = ["ffconcat version 1.0"]
    for segment in segments:
        escaped = str(segment.path.absolute()).replace("'", "'\\''")
        lines.append(f"file '{escaped}'")
    return "\n".join(lines) + "\n"


def cut_arguments(plan: CutPlan, list_path: Path, output: Path, *, preset: str) -> list[str]:
    """Return ffmpeg's arguments that write `plan` to `output` as a +faststart MP4."""
    # -ss before -i seeks in the input: with a copy it lands on the keyframe at or before the
    # time (hence the epsilon past our keyframe), with a re-encode it is frame-exact.
    seek = plan.offset + (_SEEK_EPSILON if plan.method is CutMethod.COPY else 0.0)
    head = ["-f", "concat", "-safe", "0", "-ss", f"{seek:.3f}", "-i", str(list_path)]
    body = ["-t", f"{plan.duration:.3f}", "-map", "0:v:0", "-map", "0:a:0?"]
    codecs = (
        ["-c", "copy"]
        if plan.method is CutMethod.COPY
        else ["-c:v", "libx264", "-preset", preset, "-crf", "20", "-pix_fmt", "yuv420p"]
        + ["-c:a", "aac", "-b:a", "160k"]
    )
    return [*head, *body, *codecs, "-movflags", "+faststart", "-f", "mp4", str(output)]


async def cut_video(
    ffmpeg: FFmpeg, plan: CutPlan, output: Path, *, workdir: Path, preset: str = "veryfast"
) -> None:
    """Write `plan` to `output`; raise ClipError when ffmpeg fails."""
    list_path = workdir / f".{output.stem}.ffconcat"
    list_path.write_text(concat_list(plan.segments))
    try:
        timeout = 60.0 + 4 * plan.duration
        await ffmpeg.run(cut_arguments(plan, list_path, output, preset=preset), timeout=timeout)
    finally:
        list_path.unlink(missing_ok=True)


async def write_thumbnail(ffmpeg: FFmpeg, video: Path, output: Path, *, at: float) -> None:
    """Write one JPEG frame of `video`, `at` seconds in, to `output`."""
    seek = f"{max(0.0, at):.3f}" if math.isfinite(at) else "0"
    await ffmpeg.run(
        ["-ss", seek, "-i", str(video), "-frames:v", "1", "-q:v", "3"]
        + ["-update", "1", "-f", "image2", str(output)],
        timeout=30.0,
    )
