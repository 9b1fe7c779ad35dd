"""The clip job's decisions and records, without I/O: what a job asks, what its row shows.

A clip job is a row of the jobs table (kind ``clip``). Its payload comes from the
``enqueue_clip_job`` action (``ClipJobHandler``): ``platform``, ``channel``, ``event_id``,
``requested_at`` (the command's time) and ``request``, the trigger's payload, where
``duration_seconds`` is the default N, ``requested_by`` the clipper and ``args`` (or, as the
original triggers pass it, ``title``) the text after ``!clip``: ``[seconds] [title]``.

While the job runs, its progress stage is the clip's state (``capturing``, ``encoding``,
``ready``) and its detail carries the chosen ``clip_id``, so a retried attempt makes the same
clip rather than a second one. A succeeded job's result holds the clip (:func:`clip_result`);
:func:`clip_view` turns any clip job row into what clips.json shows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from streamsuites.clips.capture import CaptureState
from streamsuites.clips.export import ClipView
from streamsuites.clips.model import ClipResult, ClipState, ClipWindow, CutMethod, EventRange
from streamsuites.clips.publish import PublishOutcome
from streamsuites.jobs.model import JobStatus

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from streamsuites.clips.capture import CaptureStatus
    from streamsuites.clips.segments import Segment
    from streamsuites.jobs.model import JobRecord

__all__ = [
    "CLIP_KIND",
    "DEFAULT_SECONDS",
    "ClipAsk",
    "clip_ask",
    "clip_result",
    "clip_view",
    "coverage_refusal",
    "parse_clip_args",
    "result_from_metadata",
]

CLIP_KIND: Final = "clip"
DEFAULT_SECONDS: Final = 30.0
_LOCAL: Final = "local"


@dataclass(frozen=True, slots=True, kw_only=True)
class ClipAsk:
    """What one clip job asks for, read from its payload."""

    platform: str | None
    requested_at: float
    seconds: float
    title: str | None
    requested_by: str


def parse_clip_args(text: str) -> tuple[float | None, str | None]:
    """Split ``!clip``'s arguments ``[seconds] [title]``: ``"10 nice save"`` → (10.0, "nice save").

    The first word is the length when it is a positive number (``10`` or ``10s``); everything
    else is the title. None for what is not given.
    """
    words = text.split(maxsplit=1)
    if not words:
        return None, None
    seconds = _seconds(words[0])
    if seconds is None:
        return None, " ".join(text.split())
    rest = " ".join(words[1].split()) if len(words) > 1 else ""
    return seconds, rest or None


def _seconds(word: str) -> float | None:
    try:
        value = float(word.lower().removesuffix("s"))
    except ValueError:
        return None
    return value if math.isfinite(value) and value > 0 else None


def clip_ask(job: JobRecord) -> ClipAsk:
    """Return what `job` asks for; missing fields take the defaults (30 s, "anonymous")."""
    payload = job.payload
    request: Mapping[str, Any] = payload.get("request") or {}
    words = request.get("args", request.get("title"))
    seconds, title = parse_clip_args(words if isinstance(words, str) else "")
    default = request.get("duration_seconds", request.get("length"))
    if seconds is None:
        seconds = _positive(default) or DEFAULT_SECONDS
    requested_at = _number(payload.get("requested_at"))
    platform = payload.get("platform")
    by = request.get("requested_by")
    return ClipAsk(
        platform=platform if isinstance(platform, str) and platform else None,
        requested_at=job.created_at if requested_at is None else requested_at,
        seconds=seconds,
        title=title,
        requested_by=by.strip() if isinstance(by, str) and by.strip() else "anonymous",
    )


def _number(value: object) -> float | None:
    """Return a JSON number as a float; None for anything else (booleans included)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _positive(value: object) -> float | None:
    number = _number(value)
    return number if number is not None and 0 < number < math.inf else None


def coverage_refusal(
    window: ClipWindow, segments: Sequence[Segment], status: CaptureStatus
) -> str | None:
    """Return why the capture cannot cover `window`, or None when it may.

    A window that only starts before the buffer is allowed (the clip is shortened, and its
    metadata says so); one that ends before it, or a capture with nothing, is refused.
    """
    if status.state in (CaptureState.UNAVAILABLE, CaptureState.STOPPED):
        return status.reason or "the stream capture is stopped"
    if not segments:
        why = f" ({status.reason})" if status.reason else ""
        return f"nothing of the stream is buffered yet{why}"
    if window.end <= segments[0].start:
        return "that moment of the stream is no longer buffered"
    return None


def clip_result(
    clip: ClipResult,
    outcomes: Sequence[PublishOutcome],
    *,
    source_title: str,
    local_folder: Path,
    now: float,
) -> dict[str, Any]:
    """Return a succeeded clip job's result: the clip, where it went, and its state.

    `local_folder` is where the ``local`` target copies the files; when that copy failed, the
    clip is still where it was cut, and the paths say so.
    """
    local = next((o for o in outcomes if o.target == _LOCAL and o.ok), None)
    published = [o for o in outcomes if o.target != _LOCAL and o.ok]
    folder = local_folder if local is not None else clip.video_path.parent
    return {
        "clip_id": clip.clip_id,
        "title": clip.title,
        "state": str(ClipState.PUBLISHED if published else ClipState.READY),
        "source_title": source_title,
        "output_path": str(folder / clip.video_path.name),
        "thumbnail_path": str(folder / clip.thumbnail_path.name),
        "url": published[0].url if published else (local.url if local else None),
        "published_url": published[0].url if published else None,
        "published_at": now if published else None,
        "requested": _span(clip.requested),
        "window": _span(clip.actual),
        "duration_seconds": round(clip.duration_seconds, 3),
        "method": str(clip.method),
        "events": None if clip.events is None else _events(clip.events),
        "publish": [_outcome(o) for o in outcomes],
    }


def _span(window: ClipWindow) -> dict[str, float]:
    return {"start": window.start, "end": window.end}


def _events(events: EventRange) -> dict[str, int]:
    return {"first_seq": events.first_seq, "last_seq": events.last_seq}


def _outcome(outcome: PublishOutcome) -> dict[str, Any]:
    return {"target": outcome.target, "ok": outcome.ok, "url": outcome.url,
            "reason": outcome.reason}  # fmt: skip


def clip_view(job: JobRecord, *, source_title: str = "Livestream") -> ClipView:
    """Return what clips.json shows of clip job `job`, at whatever stage it is."""
    ask = clip_ask(job)
    result = job.result or {}
    detail = job.progress.detail if job.progress is not None else {}
    clip_id = result.get("clip_id") or detail.get("clip_id") or job.job_id
    return ClipView(
        clip_id=str(clip_id),
        creator_id=job.creator_id,
        state=_state(job),
        platform=ask.platform or "",
        requested_at=ask.requested_at,
        updated_at=job.updated_at,
        source_title=str(result.get("source_title") or source_title),
        clipper_username=ask.requested_by,
        clip_title=result.get("title"),
        window=_window(result.get("window")),
        duration_seconds=result.get("duration_seconds"),
        output_path=result.get("output_path"),
        thumbnail_path=result.get("thumbnail_path"),
        published_url=result.get("published_url"),
        published_at=result.get("published_at"),
        last_error=job.last_error if job.status in _ENDED_BADLY else None,
        events=_event_range(result.get("events")),
        publish=tuple(_publish(item) for item in result.get("publish") or ()),
    )


_ENDED_BADLY: Final = frozenset({JobStatus.FAILED, JobStatus.CANCELLED})
_RUNNING_STATES: Final = frozenset({ClipState.CAPTURING, ClipState.ENCODING, ClipState.READY})


def _state(job: JobRecord) -> ClipState:
    if job.status in _ENDED_BADLY:
        return ClipState.FAILED
    if job.status is JobStatus.SUCCEEDED:
        return ClipState((job.result or {}).get("state", ClipState.READY))
    stage = job.progress.stage if job.progress is not None else None
    if job.status is JobStatus.RUNNING and stage in _RUNNING_STATES:
        return ClipState(stage)
    return ClipState.CAPTURING if job.status is JobStatus.RUNNING else ClipState.QUEUED


def _window(span: object) -> ClipWindow | None:
    if not isinstance(span, dict):
        return None
    return ClipWindow(start=float(span["start"]), end=float(span["end"]))


def _event_range(events: object) -> EventRange | None:
    if not isinstance(events, dict):
        return None
    return EventRange(first_seq=int(events["first_seq"]), last_seq=int(events["last_seq"]))


def _publish(item: Mapping[str, Any]) -> PublishOutcome:
    return PublishOutcome(
        target=str(item["target"]), ok=bool(item["ok"]), url=item.get("url"),
        reason=item.get("reason"),
    )  # fmt: skip


def result_from_metadata(metadata: Mapping[str, Any], folder: Path) -> ClipResult:
    """Rebuild the ClipResult of a clip already on disk from its ``<clip_id>.json``.

    A job interrupted after its clip was cut (while publishing) resumes from here: the
    capture buffer it was cut from may be gone, the files are not.
    """
    return ClipResult(
        clip_id=str(metadata["clip_id"]),
        title=str(metadata["title"]),
        video_path=folder / str(metadata["video"]),
        thumbnail_path=folder / str(metadata["thumbnail"]),
        metadata_path=folder / f"{metadata['clip_id']}.json",
        requested=_iso_window(metadata["window"]),
        actual=_iso_window(metadata["actual"]),
        duration_seconds=float(metadata["duration_seconds"]),
        method=CutMethod(metadata["method"]),
        events=_event_range(metadata.get("events")),
    )


def _iso_window(span: Mapping[str, str]) -> ClipWindow:
    return ClipWindow(start=_epoch(span["start"]), end=_epoch(span["end"]))


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()
