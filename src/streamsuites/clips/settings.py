"""Where clips come from and where they go, read from the config once (pure).

Two places configure clips:

- ``system.json`` ``clips``: runtime-wide settings. The original's section keeps its shape
  (``encoding.ffmpeg_path`` and ``encoding.concurrency`` are honoured;
  ``default_destination`` and ``export`` are accepted and ignored) and gains ``ffmpeg_path``,
  ``output_dir``, ``post_roll_seconds``, ``buffer_minutes``, ``buffer_max_megabytes``,
  ``segment_seconds`` and ``public_base_url``.
  ``system.jobs.clips: false`` turns the whole feature off.
- ``creators.json``, per platform: ``clip_source`` (an HLS URL, any URL ffmpeg reads, or a
  file path) and ``clip_source_growing: true`` for a recording still being written (OBS).
  A Twitch entry may add ``clip_helix_broadcaster_id`` with ``clip_helix_client_id_env`` to
  also ask Twitch for its own clip (the token is the entry's ``token_env``, which then needs the
  ``clips:edit`` scope); ``clip_helix_url`` aims that at another Helix (the emulator).

The tier gives the limits (``clip_max_duration_seconds``, ``clip_pre_roll_seconds``,
``max_concurrent_clip_jobs``, ``clip_min_cooldown_seconds``); see ``jobs.limits``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from streamsuites.clips.capture import CaptureSource

if TYPE_CHECKING:
    from streamsuites.config.model import Config, Creator, CreatorPlatform

__all__ = [
    "ClipSource",
    "ClipsSettings",
    "HelixSettings",
    "clip_sources",
    "clips_settings",
]

_MEGABYTE: Final = 1024 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class ClipsSettings:
    """The runtime-wide clip settings (system.json ``clips``)."""

    enabled: bool = True
    """``system.jobs.clips``; False: no captures and no clip job kind."""
    ffmpeg_path: str | None = None
    """The ffmpeg binary or its folder; None: look on PATH."""
    output_dir: Path = Path("data/clips")
    """Where finished clips are kept, as ``<output_dir>/<creator_id>/<clip_id>.mp4``."""
    post_roll_seconds: float = 5.0
    """Seconds after the command that the clip still covers."""
    buffer_minutes: float = 5.0
    """How much of each source the capture keeps on disk."""
    buffer_max_bytes: int = 1024 * _MEGABYTE
    """The most one capture's segments may take on disk, whatever their age."""
    segment_seconds: float = 2.0
    concurrency: int = 2
    """Clip jobs cut at once over all creators (the original's ``encoding.concurrency``)."""
    public_base_url: str | None = None
    """Where ``output_dir`` is served from, if anywhere: links in replies and the export."""

    @property
    def work_dir(self) -> Path:
        """Where clips are cut before they are published (emptied after each publish)."""
        return self.output_dir / ".work"


@dataclass(frozen=True, slots=True, kw_only=True)
class HelixSettings:
    """Where and as whom to ask Twitch for its own clip of the broadcast."""

    broadcaster_id: str
    client_id_env: str
    token_env: str
    base_url: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ClipSource:
    """One (creator, platform) whose stream is captured."""

    creator_id: str
    platform: str
    source: CaptureSource
    helix: HelixSettings | None = None

    @property
    def key(self) -> tuple[str, str]:
        """``(creator_id, platform)``."""
        return (self.creator_id, self.platform)


def clips_settings(config: Config, *, data_dir: Path) -> ClipsSettings:
    """Return the system-level clip settings; relative paths are under `data_dir`."""
    section: dict[str, Any] = dict(config.system.extra.get("clips") or {})
    encoding = section.get("encoding") or {}
    ffmpeg = section.get("ffmpeg_path") or encoding.get("ffmpeg_path")
    output = Path(section.get("output_dir", "clips"))
    megabytes = section.get("buffer_max_megabytes", 1024)
    return ClipsSettings(
        enabled=config.system.jobs.get("clips", True),
        ffmpeg_path=str(ffmpeg) if ffmpeg else None,
        output_dir=output if output.is_absolute() else data_dir / output,
        post_roll_seconds=float(section.get("post_roll_seconds", 5.0)),
        buffer_minutes=float(section.get("buffer_minutes", 5.0)),
        buffer_max_bytes=int(megabytes * _MEGABYTE),
        segment_seconds=float(section.get("segment_seconds", 2.0)),
        concurrency=max(1, int(encoding.get("concurrency", 2))),
        public_base_url=section.get("public_base_url") or None,
    )


def clip_sources(config: Config) -> list[ClipSource]:
    """Return every enabled creator's enabled platform that names a ``clip_source``."""
    return [
        source
        for creator in config.creators
        if creator.enabled
        for settings in creator.platforms.values()
        if (source := _source(creator, settings)) is not None
    ]


def _source(creator: Creator, settings: CreatorPlatform) -> ClipSource | None:
    url = settings.options.get("clip_source")
    if not settings.enabled or not isinstance(url, str) or not url.strip():
        return None
    growing = settings.options.get("clip_source_growing") is True
    return ClipSource(
        creator_id=creator.creator_id,
        platform=settings.platform,
        source=CaptureSource(url=url.strip(), growing_file=growing),
        helix=_helix(settings),
    )


def _helix(settings: CreatorPlatform) -> HelixSettings | None:
    broadcaster = settings.options.get("clip_helix_broadcaster_id")
    client_id_env = settings.secret_env.get("clip_helix_client_id")
    token_env = settings.secret_env.get("token")
    if settings.platform != "twitch" or not broadcaster or not client_id_env or not token_env:
        return None
    base_url = settings.options.get("clip_helix_url")
    return HelixSettings(
        broadcaster_id=str(broadcaster),
        client_id_env=client_id_env,
        token_env=token_env,
        base_url=base_url if isinstance(base_url, str) and base_url else None,
    )
