"""The rolling buffer: short segments on disk, each with its wall-clock start and end.

How a segment's wall-clock time is known: ffmpeg's segment muxer appends one CSV line per
finished segment, ``name,start,end``, where start and end are the stream's own timestamps
(seconds, exact to the packet). That gives every segment's position on the stream's timeline
with no error at all. One number is left: the wall-clock time of stream time 0 (the *anchor*).
The capture learns it from ffmpeg's progress reports (``out_time_us`` every half second): each
report is read at wall time ``w`` for stream time ``o``, so ``w - o`` is the anchor plus the
report's delay. The smallest ``w - o`` seen is the best estimate, and the error is the delay of
that one report: in practice tens of milliseconds once the input runs in real time.

Why not strftime file names: they give the time a file was opened to the whole second only,
and the opening time is when ffmpeg got the first packet, not the packet's own time.

The times are those at which the capture *received* the picture. A live source is itself a few
seconds behind the camera, and a viewer typing ``!clip`` is behind too; the tier's pre-roll
exists to absorb both.

The buffer keeps segments younger than `max_age` seconds and at most `max_bytes` in all, and
never deletes a segment a clip is still reading (see :meth:`SegmentBuffer.hold`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Coroutine, Iterator, Sequence
    from pathlib import Path

__all__ = [
    "ListEntry",
    "Segment",
    "SegmentBuffer",
    "covering",
    "gaps",
    "parse_segment_list",
    "plan_prune",
]

_log = logging.getLogger("streamsuites.clips")


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One line of ffmpeg's CSV segment list: times on the stream's own timeline."""

    name: str
    start: float
    end: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Segment:
    """A finished segment file and the wall-clock span it holds."""

    path: Path
    start: float
    end: float
    size: int
    run: str = ""
    """Which ffmpeg run wrote it: segments of one run share one wall-clock anchor."""

    @property
    def duration(self) -> float:
        """Seconds of stream in the file."""
        return self.end - self.start


def parse_segment_list(text: str) -> list[ListEntry]:
    """Parse complete lines of a CSV segment list; a partly written last line is left out."""
    complete = text[: text.rfind("\n") + 1]
    entries = []
    for line in complete.splitlines():
        entry = _parse_line(line)
        if entry is not None:
            entries.append(entry)
    return entries


def _parse_line(line: str) -> ListEntry | None:
    # The name comes first and may itself contain commas (ffmpeg then quotes it), so the
    # two times are taken from the right.
    parts = line.rsplit(",", 2)
    if len(parts) != 3:
        return None
    name, start, end = parts
    try:
        return ListEntry(name=name.strip('"'), start=float(start), end=float(end))
    except ValueError:
        return None


def covering(segments: Sequence[Segment], start: float, end: float) -> list[Segment]:
    """Return the segments that overlap ``[start, end)``, in time order."""
    return [s for s in segments if s.end > start and s.start < end]


def gaps(segments: Sequence[Segment], *, tolerance: float) -> list[tuple[float, float]]:
    """Return the holes longer than `tolerance` between consecutive segments."""
    return [
        (a.end, b.start)
        for a, b in zip(segments, segments[1:], strict=False)
        if b.start - a.end > tolerance
    ]


def plan_prune(
    segments: Sequence[Segment], *, now: float, max_age: float, max_bytes: int
) -> tuple[list[Segment], list[Segment]]:
    """Split `segments` (oldest first) into (keep, drop) by age, then by total size.

    A segment is dropped when it ended more than `max_age` seconds before `now`, or when the
    newer segments alone already use `max_bytes`. The newest segment is always kept.
    """
    keep: list[Segment] = []
    used = 0
    for segment in reversed(segments):
        too_old = segment.end < now - max_age
        too_big = used + segment.size > max_bytes
        if keep and (too_old or too_big):
            break
        keep.append(segment)
        used += segment.size
    keep.reverse()
    return keep, list(segments[: len(segments) - len(keep)])


class SegmentBuffer:
    """The segments of one capture, oldest first; pruned as new ones arrive.

    The capture calls :meth:`add`; clip runs wait with :meth:`changed` and keep segments with
    :meth:`hold`.
    """

    def __init__(self, *, max_age: float, max_bytes: int) -> None:
        self.max_age = max_age
        self.max_bytes = max_bytes
        self._segments: list[Segment] = []
        self._held: dict[Path, int] = {}
        self._orphans: set[Path] = set()
        self._changed = asyncio.Event()

    @property
    def segments(self) -> list[Segment]:
        """The segments on disk now, oldest first."""
        return list(self._segments)

    @property
    def used_bytes(self) -> int:
        """Bytes the buffer's segments take on disk."""
        return sum(s.size for s in self._segments)

    def latest_end(self) -> float | None:
        """Return the wall-clock end of the newest segment, or None when empty."""
        return self._segments[-1].end if self._segments else None

    def add(self, segment: Segment, *, now: float) -> None:
        """Append a finished segment, delete what is now too old or too much, wake waiters."""
        if self._segments and segment.start < self._segments[-1].start:
            _log.warning("segment %s is older than the buffer's newest; kept", segment.path)
        self._segments.append(segment)
        self._segments.sort(key=lambda s: s.start)
        self.prune(now=now)
        self._changed.set()
        self._changed = asyncio.Event()

    def prune(self, *, now: float) -> list[Segment]:
        """Drop segments beyond the bounds; files held by a clip are deleted when released."""
        keep, drop = plan_prune(
            self._segments, now=now, max_age=self.max_age, max_bytes=self.max_bytes
        )
        self._segments = keep
        for segment in drop:
            self._discard(segment.path)
        return drop

    def shift(self, run: str, by: float) -> None:
        """Move the segments of `run` by `by` seconds, when their anchor got more precise."""
        self._segments = [
            replace(s, start=s.start + by, end=s.end + by) if s.run == run else s
            for s in self._segments
        ]
        self._segments.sort(key=lambda s: s.start)

    def changed(self) -> Coroutine[Any, Any, bool]:
        """Return an awaitable that completes when the next segment is added.

        The event is taken at the call, not at the first await, so no segment added in
        between is missed.
        """
        return self._changed.wait()

    @contextlib.contextmanager
    def hold(self, segments: Sequence[Segment]) -> Iterator[None]:
        """Keep the files of `segments` on disk while a clip reads them."""
        for segment in segments:
            self._held[segment.path] = self._held.get(segment.path, 0) + 1
        try:
            yield
        finally:
            for segment in segments:
                self._release(segment.path)

    def _release(self, path: Path) -> None:
        count = self._held.pop(path) - 1
        if count:
            self._held[path] = count
        elif path in self._orphans:
            self._orphans.discard(path)
            _unlink(path)

    def _discard(self, path: Path) -> None:
        if path in self._held:
            self._orphans.add(path)
        else:
            _unlink(path)

    def clear(self) -> None:
        """Delete every segment not held (when the capture stops for good)."""
        for segment in self._segments:
            self._discard(segment.path)
        self._segments = []


def _unlink(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        _log.warning("could not delete segment %s: %s", path, exc)
