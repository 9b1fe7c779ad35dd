"""The clip feature inside the runtime: one capture per source, the ``clip`` job kind, exports.

The runtime builds one :class:`ClipService` from the config. It finds ffmpeg once: when it is
missing, every capture reports ``clips unavailable: ffmpeg not found`` and every clip job is
refused with that reason; nothing crashes. With ``system.jobs.clips`` off nothing is captured
and clip jobs are refused as turned off, so a ``!clip`` still gets its answer. Each
(creator, platform) with a ``clip_source`` gets a :class:`Capture` that the runtime runs as a
named child task (:meth:`ClipService.run_capture`).

A clip job (:meth:`ClipService.run_job`) reads the request, finds the creator's capture for
the platform the command came from (or the creator's only one), refuses what the buffer
cannot cover, cuts the clip with :func:`run_clip` (its stages become the job's progress),
publishes it (the local folder always, Discord when ``STREAMSUITES_DISCORD_CLIP_WEBHOOK_URL``
is set, Twitch Helix when the creator's entry configures it) and answers the chat with the
title and a link. A job that is run again after a crash while publishing finds the clip it
already cut (same ``clip_id``, kept in its progress) and publishes that, so a clip is made
once. clips.json and the public export are built from the clip jobs' rows
(:meth:`ClipService.documents`); the captures' health goes into the snapshot
(:meth:`ClipService.status`).
"""

from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Final, TypeAlias

from streamsuites.clips.capture import Capture, CaptureState, redact
from streamsuites.clips.export import HISTORY_LIMIT, build_clips, build_public_clips
from streamsuites.clips.ffmpeg import FFMPEG_NOT_FOUND, FFmpegNotFound, locate_ffmpeg
from streamsuites.clips.job import (
    CLIP_KIND,
    clip_ask,
    clip_result,
    clip_view,
    coverage_refusal,
    result_from_metadata,
)
from streamsuites.clips.model import ClipError, ClipRequest, ClipState
from streamsuites.clips.pipeline import clip_window, event_log_range, existing_clip_ids, run_clip
from streamsuites.clips.publish import (
    TWITCH_HELIX_URL,
    DiscordWebhook,
    LocalFolder,
    PublishTarget,
    TwitchCreateClip,
    public_link,
    publish_clip,
)
from streamsuites.clips.segments import SegmentBuffer
from streamsuites.clips.settings import clip_sources, clips_settings
from streamsuites.clips.titles import new_clip_id
from streamsuites.eventlog import EventFilter
from streamsuites.jobs.limits import TierLimits
from streamsuites.jobs.model import JobKind, JobOutcome, RetryPolicy
from streamsuites.jobs.store import list_jobs
from streamsuites.state.render import iso

if TYPE_CHECKING:
    import random
    from collections.abc import Awaitable, Callable
    from pathlib import Path

    from streamsuites.clips.ffmpeg import FFmpeg
    from streamsuites.clips.job import ClipAsk
    from streamsuites.clips.model import ClipResult
    from streamsuites.clips.pipeline import ChatRange
    from streamsuites.clips.settings import ClipSource, ClipsSettings
    from streamsuites.clock import Clock
    from streamsuites.config.model import Config
    from streamsuites.eventlog import EventLog
    from streamsuites.jobs.model import JobContext, JobRecord
    from streamsuites.jobs.store import SqlRunner

__all__ = ["CLIPS_FILE", "CLIPS_OFF", "NOT_SET_UP", "PUBLIC_CLIPS_FILE", "ClipService"]

_log = logging.getLogger("streamsuites.clips")

CLIPS_FILE: Final = "clips.json"
PUBLIC_CLIPS_FILE: Final = "exports/clips.json"
NOT_SET_UP: Final = "clips are not set up for this stream"
CLIPS_OFF: Final = "clips are turned off (system.jobs.clips)"
_JOB_TIMEOUT: Final = 600.0
_Progress: TypeAlias = "Callable[[str], Awaitable[None]]"
_Found: TypeAlias = "tuple[ClipSource, Capture, FFmpeg]"
"""What a job cuts from: the source, its capture, and the ffmpeg that was found."""


class ClipService:
    """Captures, the clip job and the clip exports of one runtime; see the module docstring."""

    def __init__(
        self,
        config: Config,
        settings: ClipsSettings,
        *,
        db: SqlRunner,
        log: EventLog | None,
        clock: Clock,
        rng: random.Random,
        capture_root: Path,
        ffmpeg: FFmpeg | None,
    ) -> None:
        self.settings = settings
        self.ffmpeg = ffmpeg
        self.sources = clip_sources(config) if settings.enabled else []
        self._config, self._db, self._log = config, db, log
        self._clock, self._rng = clock, rng
        self._limits = TierLimits.of(config.creators)
        self.captures = {s.key: self._capture(s, capture_root) for s in self.sources}
        """One capture per source, by ``(creator_id, platform)``."""

    @classmethod
    def from_config(
        cls,
        config: Config,
        *,
        data_dir: Path,
        db: SqlRunner,
        log: EventLog | None,
        clock: Clock,
        rng: random.Random,
    ) -> ClipService:
        """Return the service `config` asks for, with ffmpeg found (or not) once."""
        settings = clips_settings(config, data_dir=data_dir)
        ffmpeg = _find_ffmpeg(settings.ffmpeg_path) if settings.enabled else None
        return cls(
            config, settings, db=db, log=log, clock=clock, rng=rng,
            capture_root=data_dir / "capture", ffmpeg=ffmpeg,
        )  # fmt: skip

    @property
    def unavailable(self) -> str | None:
        """Why no clip can be made at all (off, or no ffmpeg); None when clips work."""
        if not self.settings.enabled:
            return CLIPS_OFF
        return FFMPEG_NOT_FOUND if self.ffmpeg is None else None

    def _capture(self, source: ClipSource, root: Path) -> Capture:
        settings = self.settings
        buffer = SegmentBuffer(
            max_age=settings.buffer_minutes * 60, max_bytes=settings.buffer_max_bytes
        )
        return Capture(
            source=source.source, directory=root / f"{source.creator_id}-{source.platform}",
            buffer=buffer, ffmpeg=self.ffmpeg, clock=self._clock, rng=self._rng,
            segment_seconds=settings.segment_seconds,
        )  # fmt: skip

    async def run_capture(self, key: tuple[str, str]) -> None:
        """Run the capture of `key` until cancelled (or until ffmpeg disappears); then close it."""
        capture = self.captures[key]
        await capture.start()
        try:
            await capture.join()
        finally:
            await capture.close()

    def job_kind(self) -> JobKind:
        """Return the ``clip`` job kind, with the tier's limits and cooldowns."""
        return JobKind(
            name=CLIP_KIND,
            handler=self.run_job,
            timeout=_JOB_TIMEOUT,
            max_attempts=2,
            retry=RetryPolicy(base=5.0, cap=30.0),
            concurrency=self.settings.concurrency,
            creator_limit=self._limits.max_concurrent_clip_jobs,
            creator_cooldown=self._limits.clip_cooldown,
        )

    async def run_job(self, ctx: JobContext) -> JobOutcome:
        """Make, publish and announce the clip one job asks for."""
        job = ctx.job
        ask = clip_ask(job)
        found = self._find(job.creator_id, ask.platform)
        if isinstance(found, str):
            return JobOutcome.refused(found, reply=f"No clip: {found}")
        clip_id = self._clip_id(job)

        async def progress(stage: str) -> None:
            await ctx.progress(stage, clip_id=clip_id)

        clip = self._already_made(job.creator_id, clip_id)
        if clip is not None:
            await progress(str(ClipState.READY))
        else:
            made = await self._cut(self._request(job, ask, found[0], clip_id), found, progress)
            if isinstance(made, JobOutcome):
                return made
            clip = made
        return await self._publish(ctx, clip, found[0], progress)

    async def _cut(
        self, request: ClipRequest, found: _Found, progress: _Progress
    ) -> ClipResult | JobOutcome:
        """Cut the clip from the capture; the refusal or failure when it cannot be."""
        _, capture, ffmpeg = found
        window, segments = clip_window(request), capture.buffer.segments
        refusal = coverage_refusal(window, segments, capture.status)
        if refusal is not None:
            return JobOutcome.refused(refusal, reply=f"No clip: {refusal}")
        try:
            return await run_clip(
                request, buffer=capture.buffer, out_dir=self._work_dir(request.creator_id),
                ffmpeg=ffmpeg, clock=self._clock, progress=progress,
                chat_range=self._chat_range(request.creator_id),
            )  # fmt: skip
        except ClipError as exc:
            return JobOutcome.failed(exc.reason, reply=f"Sorry, the clip failed: {exc.reason}")

    def _find(self, creator_id: str, platform: str | None) -> _Found | str:
        """Return the source, capture and ffmpeg a job uses, or why there is none."""
        if self.unavailable is not None or self.ffmpeg is None:
            return self.unavailable or FFMPEG_NOT_FOUND
        mine = [s for s in self.sources if s.creator_id == creator_id]
        chosen = [s for s in mine if s.platform == platform] or (mine if len(mine) == 1 else [])
        if not chosen:
            return NOT_SET_UP
        return chosen[0], self.captures[chosen[0].key], self.ffmpeg

    def _clip_id(self, job: JobRecord) -> str:
        """Return the id an earlier attempt chose (kept in its progress), or a new unique one."""
        earlier = job.progress.detail.get("clip_id") if job.progress is not None else None
        if isinstance(earlier, str) and earlier:
            return earlier
        taken = existing_clip_ids(self._work_dir(job.creator_id))
        taken |= existing_clip_ids(self._local_dir(job.creator_id))
        return new_clip_id(taken, self._rng)

    def _already_made(self, creator_id: str, clip_id: str) -> ClipResult | None:
        """Return the clip `clip_id` if an interrupted attempt left it complete on disk."""
        for folder in (self._work_dir(creator_id), self._local_dir(creator_id)):
            files = [folder / f"{clip_id}{suffix}" for suffix in (".json", ".mp4", ".jpg")]
            if all(path.is_file() for path in files):
                with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                    return result_from_metadata(json.loads(files[0].read_text()), folder)
        return None

    def _request(
        self, job: JobRecord, ask: ClipAsk, source: ClipSource, clip_id: str
    ) -> ClipRequest:
        limits = self._limits.limits(job.creator_id)
        return ClipRequest(
            creator_id=job.creator_id, platform=source.platform, requested_at=ask.requested_at,
            seconds=ask.seconds, max_seconds=limits.clip_max_duration_seconds,
            pre_roll=limits.clip_pre_roll_seconds, post_roll=self.settings.post_roll_seconds,
            requested_by=ask.requested_by, source_title=self._source_title(job.creator_id),
            clip_id=clip_id, title=ask.title,
        )  # fmt: skip

    def _chat_range(self, creator_id: str) -> ChatRange | None:
        if self._log is None:
            return None
        return event_log_range(self._log, EventFilter(creator_id=creator_id))

    async def _publish(
        self, ctx: JobContext, clip: ClipResult, source: ClipSource, progress: _Progress
    ) -> JobOutcome:
        creator_id = source.creator_id
        outcomes = await publish_clip(clip, self._targets(source), creator_id=creator_id)
        for failed in (o for o in outcomes if not o.ok):
            _log.warning("clip %s: publishing to %s failed: %s",
                         clip.clip_id, failed.target, failed.reason)  # fmt: skip
        result = clip_result(
            clip, outcomes, source_title=self._source_title(creator_id),
            local_folder=self._local_dir(creator_id), now=ctx.now(),
        )  # fmt: skip
        if result["state"] == ClipState.PUBLISHED:
            await progress(str(ClipState.PUBLISHED))
        if any(o.target == LocalFolder.name and o.ok for o in outcomes):
            self._remove_cut(clip, creator_id)
        link = result["url"] or result["output_path"]
        return JobOutcome.succeeded(result, reply=f"Clip ready: {clip.title} {link}")

    def _targets(self, source: ClipSource) -> list[PublishTarget]:
        targets: list[PublishTarget] = [
            LocalFolder(self.settings.output_dir, public_base_url=self.settings.public_base_url)
        ]
        # Past Discord's upload limit a clip is posted as its public link, when it has one.
        link = public_link(self.settings.public_base_url, source.creator_id)
        discord = DiscordWebhook.from_env(self._config.environ, link=link)
        if discord is not None:
            targets.append(discord)
        helix = self._helix(source)
        if helix is not None:
            targets.append(helix)
        return targets

    def _helix(self, source: ClipSource) -> TwitchCreateClip | None:
        helix = source.helix
        if helix is None:
            return None
        client_id = self._config.secret(helix.client_id_env)
        token = self._config.secret(helix.token_env)
        if client_id is None or token is None:
            _log.warning("twitch clips for %s: %s or %s is not set",
                         source.creator_id, helix.client_id_env, helix.token_env)  # fmt: skip
            return None
        return TwitchCreateClip(
            broadcaster_id=helix.broadcaster_id, client_id=client_id,
            token=token.removeprefix("oauth:"), base_url=helix.base_url or TWITCH_HELIX_URL,
        )  # fmt: skip

    def _remove_cut(self, clip: ClipResult, creator_id: str) -> None:
        """Delete the cut files once the local folder holds their copies (one copy on disk)."""
        if clip.video_path.parent != self._work_dir(creator_id):
            return
        for path in (clip.video_path, clip.thumbnail_path, clip.metadata_path):
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)

    def _work_dir(self, creator_id: str) -> Path:
        return self.settings.work_dir / creator_id

    def _local_dir(self, creator_id: str) -> Path:
        return self.settings.output_dir / creator_id

    def _source_title(self, creator_id: str) -> str:
        creator = self._config.creator(creator_id)
        return creator.display_name if creator is not None else "Livestream"

    async def documents(self, now: float) -> dict[str, object]:
        """Return clips.json and the public clips export, built from the clip jobs' rows."""
        jobs = await self._db.read(lambda conn: list_jobs(conn, HISTORY_LIMIT, kind=CLIP_KIND))
        views = [clip_view(job, source_title=self._source_title(job.creator_id)) for job in jobs]
        base_url = self.settings.public_base_url
        return {
            CLIPS_FILE: build_clips(views, now=now),
            PUBLIC_CLIPS_FILE: build_public_clips(views, now=now, public_base_url=base_url),
        }

    def status(self, now: float) -> dict[str, Any]:
        """Return the snapshot's ``clips`` block: is ffmpeg there, and each capture's health."""
        return {
            "clips": {
                "available": self.unavailable is None,
                "reason": self.unavailable,
                "captures": [self._capture_status(source) for source in self.sources],
            }
        }

    def _capture_status(self, source: ClipSource) -> dict[str, Any]:
        status = self.captures[source.key].status
        if self.ffmpeg is None:
            # Said from the first snapshot on, before the capture task has even started.
            status = replace(status, state=CaptureState.UNAVAILABLE, reason=FFMPEG_NOT_FOUND)
        return {
            "creator_id": source.creator_id,
            "platform": source.platform,
            "source": redact(source.source.url),
            "state": str(status.state),
            "reason": status.reason,
            "next_retry_at": iso(status.next_retry_at),
            "restarts": status.restarts,
            "buffered_seconds": round(status.buffered_seconds, 1),
            "buffered_bytes": status.buffered_bytes,
        }


def _find_ffmpeg(configured: str | None) -> FFmpeg | None:
    try:
        return locate_ffmpeg(configured)
    except FFmpegNotFound as exc:
        _log.warning("%s (%s)", FFMPEG_NOT_FOUND, exc.detail)
        return None
