"""``run_clip``: from a request to an MP4, a thumbnail and a metadata file on disk.

The steps, each reported through `progress`: ``capturing`` while the post-roll is still being
recorded, ``encoding`` while ffmpeg cuts, ``ready`` once every file is in place. Any failure
raises :class:`ClipError` with a reason and leaves no partial file behind: the outputs are
written under temporary names and renamed only when all three exist. The function does not
know the job queue; the queue calls it, stores the state, and decides about retries.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, TypeAlias

from streamsuites.clips.cut import CutPlan, cut_video, place_window, plan_cut, write_thumbnail
from streamsuites.clips.model import ClipError, ClipResult, ClipWindow, EventRange
from streamsuites.clips.segments import covering
from streamsuites.clips.titles import clip_title, new_clip_id
from streamsuites.clock import utc_from_timestamp
from streamsuites.state.exporters import write_json_atomic
from streamsuites.state.render import iso
from streamsuites.waiting import first_of

if TYPE_CHECKING:
    from pathlib import Path

    from streamsuites.clips.ffmpeg import FFmpeg
    from streamsuites.clips.model import ClipRequest
    from streamsuites.clips.segments import Segment, SegmentBuffer
    from streamsuites.clock import Clock
    from streamsuites.eventlog import EventFilter, EventLog

__all__ = [
    "ChatRange",
    "ClipSettings",
    "clip_metadata",
    "clip_window",
    "event_log_range",
    "existing_clip_ids",
    "run_clip",
]

ChatRange: TypeAlias = Callable[[float, float], Awaitable[EventRange | None]]
"""Maps a clip's wall-clock span to the event-log seqs it covers."""

_FAR_FUTURE: Final = 32503680000.0  # year 3000


@dataclass(frozen=True, slots=True, kw_only=True)
class ClipSettings:
    """How clips are cut; the defaults suit a 2 s-segment buffer of a platform's stream."""

    keyframe_tolerance: float = 1.0
    """Shift the window up to this many seconds onto a keyframe to allow a stream copy.

    1 s is half of the 2 s keyframe interval platforms use (Twitch), so a platform source's
    clips are always stream copies; the shift is small beside the pre-roll."""
    wait_slack: float = 20.0
    """How long past the post-roll to wait for the capture to deliver the last segment."""
    preset: str = "veryfast"
    """x264 preset for clips that must be re-encoded."""


def clip_window(request: ClipRequest) -> ClipWindow:
    """Return ``[t - N - pre_roll, t + post_roll]`` with N capped by the tier (pure)."""
    seconds = max(0.0, min(request.seconds, request.max_seconds))
    return ClipWindow(
        start=request.requested_at - seconds - max(0.0, request.pre_roll),
        end=request.requested_at + max(0.0, request.post_roll),
    )


def existing_clip_ids(out_dir: Path) -> set[str]:
    """Return the ids of the clips whose metadata is in `out_dir`."""
    return {path.stem for path in out_dir.glob("*.json")} if out_dir.is_dir() else set()


async def run_clip(
    request: ClipRequest,
    *,
    buffer: SegmentBuffer,
    out_dir: Path,
    ffmpeg: FFmpeg,
    clock: Clock,
    progress: Callable[[str], Awaitable[None]],
    settings: ClipSettings | None = None,
    chat_range: ChatRange | None = None,
    rng: random.Random | None = None,
) -> ClipResult:
    """Make the clip `request` asks for; raise ClipError (with a reason) if it cannot be made.

    `chat_range` maps the clip's wall-clock span to the event-log seqs it covers
    (:func:`event_log_range` builds one from an event log).
    """
    settings = settings or ClipSettings()
    out_dir.mkdir(parents=True, exist_ok=True)
    clip_id = request.clip_id or new_clip_id(existing_clip_ids(out_dir), rng or random.Random())
    window = clip_window(request)
    # The footage ends at window.end; allow the capture `wait_slack` to deliver it after that.
    timeout = max(0.0, window.end - clock.time()) + settings.wait_slack
    recording = _Recording(buffer, clock, timeout=timeout)
    job = _ClipJob(request, clip_id, out_dir, ffmpeg, settings)
    await progress("capturing")
    try:
        result = await job.make(window, recording, progress, chat_range)
    except OSError as exc:
        raise ClipError(f"could not write the clip: {exc}") from exc
    finally:
        job.remove_temporaries()
    await progress("ready")
    return result


class _Recording:
    """Waits for the capture to record up to a wall time, all waits sharing one deadline."""

    def __init__(self, buffer: SegmentBuffer, clock: Clock, *, timeout: float) -> None:
        self.buffer = buffer
        self._clock = clock
        self._timeout = timeout
        self._deadline = clock.monotonic() + timeout

    async def until(self, moment: float) -> None:
        """Return once the buffer reaches wall time `moment`; ClipError past the deadline."""
        while (self.buffer.latest_end() or float("-inf")) < moment:
            remaining = self._deadline - self._clock.monotonic()
            if remaining <= 0:
                raise ClipError(
                    f"the capture did not record the post-roll within {self._timeout:.0f}s"
                )
            await first_of(self.buffer.changed(), self._clock.sleep(min(remaining, 1.0)))


class _ClipJob:
    """One clip's files: made under temporary names, renamed together at the end."""

    def __init__(
        self,
        request: ClipRequest,
        clip_id: str,
        out_dir: Path,
        ffmpeg: FFmpeg,
        settings: ClipSettings,
    ) -> None:
        self.request = request
        self.clip_id = clip_id
        self.out_dir = out_dir
        self.ffmpeg = ffmpeg
        self.settings = settings
        self.video = out_dir / f"{clip_id}.mp4"
        self.thumbnail = out_dir / f"{clip_id}.jpg"
        self.metadata = out_dir / f"{clip_id}.json"
        self._temp_video = out_dir / f".{clip_id}.mp4.tmp"
        self._temp_thumbnail = out_dir / f".{clip_id}.jpg.tmp"

    async def make(
        self,
        window: ClipWindow,
        recording: _Recording,
        progress: Callable[[str], Awaitable[None]],
        chat_range: ChatRange | None,
    ) -> ClipResult:
        await recording.until(window.end)
        keyframes, copyable = await self._probe(window, recording.buffer)
        placed, _ = place_window(window, keyframes, tolerance=self.settings.keyframe_tolerance,
                                 copy_allowed=copyable)  # fmt: skip
        await recording.until(placed.end)  # a window moved onto a later keyframe ends later
        await progress("encoding")
        plan = await self._encode(window, recording.buffer, keyframes, copyable)
        events = await chat_range(plan.actual.start, plan.actual.end) if chat_range else None
        result = ClipResult(
            clip_id=self.clip_id, title=self._title(), video_path=self.video,
            thumbnail_path=self.thumbnail, metadata_path=self.metadata, requested=window,
            actual=plan.actual, duration_seconds=await self._finish(plan), method=plan.method,
            events=events,
        )  # fmt: skip
        self._commit(result)
        return result

    async def _probe(self, window: ClipWindow, buffer: SegmentBuffer) -> tuple[list[float], bool]:
        """Return the keyframes near the window's start, and whether a stream copy is possible."""
        segments = buffer.segments
        with buffer.hold(segments):
            return await asyncio.gather(
                self._keyframes(covering(segments, window.start, window.end)),
                self._copyable(segments),
            )

    async def _encode(
        self, window: ClipWindow, buffer: SegmentBuffer, keyframes: list[float], copyable: bool
    ) -> CutPlan:
        """Plan and cut; the segments stay on disk while ffmpeg reads them."""
        segments = buffer.segments
        with buffer.hold(segments):
            plan = plan_cut(window, segments, keyframes=keyframes, copy_allowed=copyable,
                            tolerance=self.settings.keyframe_tolerance)  # fmt: skip
            await cut_video(self.ffmpeg, plan, self._temp_video, workdir=self.out_dir,
                            preset=self.settings.preset)  # fmt: skip
        return plan

    async def _finish(self, plan: CutPlan) -> float:
        """Write the thumbnail while ffprobe reads the MP4's duration; return the duration."""
        duration, _ = await asyncio.gather(
            self.ffmpeg.duration(self._temp_video),
            write_thumbnail(
                self.ffmpeg, self._temp_video, self._temp_thumbnail, at=plan.duration / 2
            ),  # fmt: skip
        )
        return duration

    async def _keyframes(self, segments: list[Segment]) -> list[float]:
        """Return wall-clock keyframe times: every segment start, and those inside the first."""
        times = [s.start for s in segments]
        if segments:
            first = segments[0]
            times += [first.start + k for k in await self.ffmpeg.keyframes(first.path)]
        return sorted(set(times))

    async def _copyable(self, segments: list[Segment]) -> bool:
        """Return True when the source is H.264 video with AAC (or no) audio."""
        if not segments:
            return False
        run = await self.ffmpeg.probe(
            ["-show_entries", "stream=codec_type,codec_name", "-of", "csv=p=0"]
            + [str(segments[-1].path)]
        )
        codecs = {tuple(line.split(",")[:2]) for line in run.stdout.split()}
        video = {name for name, kind in codecs if kind == "video"}
        audio = {name for name, kind in codecs if kind == "audio"}
        return video == {"h264"} and audio <= {"aac"}

    def _title(self) -> str:
        source = self.request.title or self.request.source_title
        return clip_title(source, self.request.requested_by, self.clip_id,
                          at=self.request.requested_at)  # fmt: skip

    def _commit(self, result: ClipResult) -> None:
        self._temp_video.replace(self.video)
        self._temp_thumbnail.replace(self.thumbnail)
        write_json_atomic(self.metadata, clip_metadata(self.request, result))

    def remove_temporaries(self) -> None:
        for path in (self._temp_video, self._temp_thumbnail):
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)


def clip_metadata(request: ClipRequest, result: ClipResult) -> dict[str, Any]:
    """Return the ``<clip_id>.json`` written beside the MP4 (pure)."""
    return {
        "clip_id": result.clip_id,
        "title": result.title,
        "creator_id": request.creator_id,
        "platform": request.platform,
        "stream_id": request.stream_id,
        "requested_by": request.requested_by,
        "source_title": request.source_title,
        "requested_at": iso(request.requested_at),
        "requested_seconds": request.seconds,
        "window": _span(result.requested),
        "actual": _span(result.actual),
        "duration_seconds": round(result.duration_seconds, 3),
        "method": str(result.method),
        "video": result.video_path.name,
        "thumbnail": result.thumbnail_path.name,
        "events": _events(result.events),
    }


def _span(window: ClipWindow) -> dict[str, Any]:
    return {"start": iso(window.start), "end": iso(window.end)}


def _events(events: EventRange | None) -> dict[str, int] | None:
    if events is None:
        return None
    return {"first_seq": events.first_seq, "last_seq": events.last_seq}


def event_log_range(log: EventLog, where: EventFilter | None = None) -> ChatRange:
    """Return a `chat_range` that asks `log` for the seqs of events in a time span.

    The first seq is that of the first event at or after the start; the last is just before
    the first event at or after the end (or the log's newest). None when the span is empty.
    """

    async def lookup(start: float, end: float) -> EventRange | None:
        utc = utc_from_timestamp
        first = await log.between(utc(start), utc(end), where=where, limit=1)
        if not first:
            return None
        after = await log.between(utc(end), utc(_FAR_FUTURE), where=where, limit=1)
        last = after[0].seq - 1 if after else (await log.tail(1, where=where))[0].seq
        return EventRange(first_seq=first[0].seq, last_seq=max(first[0].seq, last))

    return lookup
