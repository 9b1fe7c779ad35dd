"""The clip pipeline's values: what is asked, what was made, and how it fails.

A clip is asked for at one moment (`requested_at`, the chat command's time) and covers the
window ``[requested_at - seconds - pre_roll, requested_at + post_roll]`` of wall-clock time.
Everything here is plain frozen data, so the job queue can store a request and the exporters
can render a result without knowing ffmpeg.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from streamsuites.errors import JobError

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "ClipError",
    "ClipRequest",
    "ClipResult",
    "ClipState",
    "ClipWindow",
    "CutMethod",
    "EventRange",
]


class ClipState(StrEnum):
    """Where a clip is; the job queue stores it and clips.json shows it."""

    QUEUED = "queued"
    CAPTURING = "capturing"
    """Waiting for the post-roll to be recorded."""
    ENCODING = "encoding"
    READY = "ready"
    """The MP4, thumbnail and metadata exist on disk."""
    PUBLISHED = "published"
    """At least one publish target beyond the local folder accepted it."""
    FAILED = "failed"


class CutMethod(StrEnum):
    """How the MP4 was written."""

    COPY = "copy"
    """Stream copy: the window starts on a keyframe (shifted by at most the tolerance)."""
    REENCODE = "reencode"
    """H.264/AAC re-encode, because no keyframe was close enough to the window's start."""


class ClipError(JobError):
    """A clip could not be made; `reason` says why in words fit for chat and the dashboard."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True, slots=True, kw_only=True)
class ClipRequest:
    """One ``!clip`` (or dashboard/API) request, as the job queue stores it."""

    creator_id: str
    platform: str
    """The platform whose chat (or stream) the clip belongs to."""
    requested_at: float
    """Wall-clock epoch seconds of the command: the clip ends `post_roll` after it."""
    seconds: float
    """N: how much before the command the viewer asked for (capped by `max_seconds`)."""
    max_seconds: float
    """The tier's ``clip_max_duration_seconds``."""
    pre_roll: float
    """The tier's ``clip_pre_roll_seconds``: slack before the N seconds (chat lags the video)."""
    post_roll: float
    requested_by: str
    """The clipper's display name, used in the title."""
    source_title: str = "Livestream"
    stream_id: str | None = None
    """The platform's stream/broadcast id, when known."""
    clip_id: str | None = None
    """Set when the queue assigned an id at enqueue time; otherwise the pipeline picks one."""
    title: str | None = None
    """The optional ``!clip [seconds] [title]`` title: it replaces `source_title` in the rule."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ClipWindow:
    """A span of wall-clock time, epoch seconds."""

    start: float
    end: float

    @property
    def duration(self) -> float:
        """Seconds between start and end."""
        return self.end - self.start

    def shifted(self, by: float) -> ClipWindow:
        """Return the same span moved `by` seconds (negative: earlier)."""
        return ClipWindow(start=self.start + by, end=self.end + by)


@dataclass(frozen=True, slots=True, kw_only=True)
class EventRange:
    """The event-log seqs a clip's window covers, so the replay page can show its chat."""

    first_seq: int
    last_seq: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ClipResult:
    """A clip that exists on disk."""

    clip_id: str
    title: str
    video_path: Path
    thumbnail_path: Path
    metadata_path: Path
    requested: ClipWindow
    """The window the request asked for."""
    actual: ClipWindow
    """The window the MP4 holds, by the capture's segment timestamps."""
    duration_seconds: float
    """The MP4's duration as ffprobe reports it."""
    method: CutMethod
    events: EventRange | None = None
