"""``clips.json`` and the public clips export, built without I/O.

``clips.json`` (the dashboard's) keeps the original system's fields (``clip_id``,
``creator_id``, ``state``, ``source_title``, ``clipper_username``, ``requested_at``,
``updated_at``, ``output_path``, ``published_url``, ``last_error``, ``destination``,
``clip_title``) and adds what the pipeline knows now: the platform and stream, the window the
clip covers, its duration and thumbnail, the event-log range for the replay page, and each
publish target's outcome. Times are ISO-8601 like every state file (the original's epoch
``updated_at`` is not kept: one format everywhere).

The public export (``exports/clips.json``) carries only what a viewer may see: no paths, no
errors, no requester beyond the name in the title. A file URL is given only under
`public_base_url`, and only once the clip is ready.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from streamsuites.clips.model import ClipState
from streamsuites.clips.publish import public_url
from streamsuites.state.render import header, iso

if TYPE_CHECKING:
    from collections.abc import Sequence

    from streamsuites.clips.model import ClipWindow, EventRange
    from streamsuites.clips.publish import PublishOutcome

__all__ = ["HISTORY_LIMIT", "ClipView", "build_clips", "build_public_clips"]

HISTORY_LIMIT = 200

_VIEWABLE = frozenset({ClipState.READY, ClipState.PUBLISHED})


@dataclass(frozen=True, slots=True, kw_only=True)
class ClipView:
    """What the exports show of one clip; the job queue builds one per clip it knows."""

    clip_id: str
    creator_id: str
    state: ClipState
    platform: str
    requested_at: float
    updated_at: float
    source_title: str = "Livestream"
    clipper_username: str = "anonymous"
    clip_title: str | None = None
    stream_id: str | None = None
    window: ClipWindow | None = None
    """The wall-clock span the MP4 holds, once cut."""
    duration_seconds: float | None = None
    output_path: str | None = None
    thumbnail_path: str | None = None
    published_url: str | None = None
    published_at: float | None = None
    last_error: str | None = None
    events: EventRange | None = None
    publish: Sequence[PublishOutcome] = field(default_factory=tuple)


def build_clips(
    clips: Sequence[ClipView], *, now: float, limit: int = HISTORY_LIMIT
) -> dict[str, Any]:
    """Return clips.json: the most recently updated `limit` clips, newest request first."""
    recent = sorted(clips, key=lambda c: (c.updated_at, c.clip_id))[-limit:] if limit > 0 else []
    ordered = sorted(recent, key=lambda c: (c.requested_at, c.clip_id), reverse=True)
    return {
        **header(now),
        "clips": [_clip(c) for c in ordered],
        "metrics": _metrics(clips),
    }


def _clip(clip: ClipView) -> dict[str, Any]:
    return {
        "clip_id": clip.clip_id,
        "creator_id": clip.creator_id,
        "state": str(clip.state),
        "source_title": clip.source_title,
        "clipper_username": clip.clipper_username,
        "requested_at": iso(clip.requested_at),
        "updated_at": iso(clip.updated_at),
        "output_path": clip.output_path,
        "thumbnail_path": clip.thumbnail_path,
        "published_url": clip.published_url,
        "published_at": iso(clip.published_at),
        "last_error": clip.last_error,
        "destination": {"platform": clip.platform, "stream_id": clip.stream_id},
        "clip_title": clip.clip_title,
        "window": _window(clip.window),
        "duration_seconds": clip.duration_seconds,
        "events": _events(clip.events),
        "publish": [_outcome(o) for o in clip.publish],
    }


def _window(window: ClipWindow | None) -> dict[str, Any] | None:
    if window is None:
        return None
    return {"start": iso(window.start), "end": iso(window.end)}


def _events(events: EventRange | None) -> dict[str, int] | None:
    if events is None:
        return None
    return {"first_seq": events.first_seq, "last_seq": events.last_seq}


def _outcome(outcome: PublishOutcome) -> dict[str, Any]:
    return {"target": outcome.target, "ok": outcome.ok, "url": outcome.url,
            "reason": outcome.reason}  # fmt: skip


def _metrics(clips: Sequence[ClipView]) -> dict[str, int]:
    states = Counter(c.state for c in clips)
    return {str(state): states[state] for state in ClipState}


def build_public_clips(
    clips: Sequence[ClipView],
    *,
    now: float,
    public_base_url: str | None = None,
    limit: int = HISTORY_LIMIT,
) -> dict[str, Any]:
    """Return the public clips export: what a viewer may see of recent clips."""
    recent = sorted(clips, key=lambda c: (c.requested_at, c.clip_id), reverse=True)[:limit]
    return {
        "meta": {
            "generated_at": iso(now),
            "source": "StreamSuites runtime",
            "visibility": "public",
            "scope": "clips",
        },  # fmt: skip
        "clips": [_public(c, public_base_url) for c in recent],
    }


def _public(clip: ClipView, base_url: str | None) -> dict[str, Any]:
    files = _public_urls(clip, base_url) if clip.state in _VIEWABLE else (None, None)
    return {
        "clip_id": clip.clip_id,
        "creator": clip.creator_id,
        "title": clip.clip_title,
        "state": str(clip.state),
        "requested_at": iso(clip.requested_at),
        "published_at": iso(clip.published_at),
        "duration_seconds": clip.duration_seconds,
        "url": clip.published_url or files[0],
        "thumbnail_url": files[1],
    }


def _public_urls(clip: ClipView, base_url: str | None) -> tuple[str | None, str | None]:
    if base_url is None:
        return None, None
    creator_id, clip_id = clip.creator_id, clip.clip_id
    return (
        public_url(base_url, creator_id, f"{clip_id}.mp4"),
        public_url(base_url, creator_id, f"{clip_id}.jpg"),
    )
