"""The clip pipeline: a rolling capture per stream, precise clips, thumbnails, publishing.

The parts, in the order a clip goes through them:

- ``capture``: a supervised ffmpeg keeps the last minutes of a source as 2 s segments;
- ``segments``: the buffer of those segments with their wall-clock times, bounded on disk;
- ``pipeline.run_clip``: waits for the post-roll, then ``cut`` writes the MP4 and thumbnail;
- ``titles``: clip ids and the title rule; ``publish``: local folder, Discord, Twitch Helix;
- ``export``: clips.json and the public clips export, built without I/O.

The job queue calls :func:`run_clip`; nothing here depends on the queue. See docs/clips.md.
"""

from streamsuites.clips.capture import Capture, CaptureSource, CaptureState, CaptureStatus
from streamsuites.clips.ffmpeg import FFMPEG_NOT_FOUND, FFmpeg, FFmpegNotFound, locate_ffmpeg
from streamsuites.clips.model import (
    ClipError,
    ClipRequest,
    ClipResult,
    ClipState,
    ClipWindow,
    CutMethod,
    EventRange,
)
from streamsuites.clips.pipeline import (
    ChatRange,
    ClipSettings,
    clip_window,
    event_log_range,
    run_clip,
)
from streamsuites.clips.segments import Segment, SegmentBuffer
from streamsuites.clips.titles import clip_title, new_clip_id

__all__ = [
    "FFMPEG_NOT_FOUND",
    "Capture",
    "CaptureSource",
    "CaptureState",
    "CaptureStatus",
    "ChatRange",
    "ClipError",
    "ClipRequest",
    "ClipResult",
    "ClipSettings",
    "ClipState",
    "ClipWindow",
    "CutMethod",
    "EventRange",
    "FFmpeg",
    "FFmpegNotFound",
    "Segment",
    "SegmentBuffer",
    "clip_title",
    "clip_window",
    "event_log_range",
    "locate_ffmpeg",
    "new_clip_id",
    "run_clip",
]
