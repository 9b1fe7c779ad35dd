"""Finding ffmpeg and ffprobe, and running them as child processes.

ffmpeg runs as a subprocess, never as a library: a crash or a hang in a decoder stays in its
process, and a run that exceeds its deadline is killed. The binaries are taken from a
configured path or from PATH; when they are missing the clip feature reports
``clips unavailable: ffmpeg not found`` instead of failing later in a job.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from streamsuites.clips.model import ClipError

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "FFMPEG_NOT_FOUND",
    "FFmpeg",
    "FFmpegNotFound",
    "Run",
    "locate_ffmpeg",
    "relative_keyframes",
    "tail",
]

FFMPEG_NOT_FOUND: Final = "clips unavailable: ffmpeg not found"

_STDERR_TAIL: Final = 600


class FFmpegNotFound(ClipError):
    """ffmpeg or ffprobe is not installed where the config (or PATH) says."""

    def __init__(self, detail: str) -> None:
        super().__init__(FFMPEG_NOT_FOUND)
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Run:
    """What a finished ffmpeg/ffprobe run printed."""

    stdout: str
    stderr: str


def _resolve(name: str, configured: str | Path | None) -> Path:
    """Return the binary `name` at `configured` (a file or a folder), or on PATH."""
    if configured is None:
        found = shutil.which(name)
    else:
        path = Path(configured)
        found = shutil.which(path / name if path.is_dir() else path)
    if found is None:
        where = str(configured) if configured is not None else "PATH"
        raise FFmpegNotFound(f"{name} not found in {where}")
    return Path(found)


def locate_ffmpeg(ffmpeg: str | Path | None = None, ffprobe: str | Path | None = None) -> FFmpeg:
    """Return the binaries to use; raise :class:`FFmpegNotFound` when either is missing.

    `ffmpeg` may name the binary or its folder; ffprobe is looked for beside it unless given.
    """
    ffmpeg_path = _resolve("ffmpeg", ffmpeg)
    probe_hint = ffprobe if ffprobe is not None else (ffmpeg_path.parent if ffmpeg else None)
    return FFmpeg(ffmpeg=ffmpeg_path, ffprobe=_resolve("ffprobe", probe_hint))


@dataclass(frozen=True, slots=True)
class FFmpeg:
    """The ffmpeg and ffprobe binaries, and the few ways the pipeline runs them."""

    ffmpeg: Path
    ffprobe: Path

    async def run(self, args: Sequence[str], *, timeout: float = 120.0) -> Run:
        """Run ``ffmpeg ARGS``; raise ClipError with ffmpeg's last words if it fails."""
        base = [str(self.ffmpeg), "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
        return await _run([*base, *args], timeout=timeout)

    async def probe(self, args: Sequence[str], *, timeout: float = 30.0) -> Run:
        """Run ``ffprobe ARGS``; raise ClipError if it fails."""
        return await _run([str(self.ffprobe), "-v", "error", *args], timeout=timeout)

    async def duration(self, path: Path) -> float:
        """Return the container duration of `path` in seconds."""
        run = await self.probe(
            ["-show_entries", "format=duration", "-of", "default=nw=1:nk=1", str(path)]
        )
        try:
            return float(run.stdout.strip())
        except ValueError:
            raise ClipError(f"ffprobe gave no duration for {path.name}") from None

    async def keyframes(self, path: Path) -> list[float]:
        """Return the video keyframes of `path`, seconds from its first packet.

        Only packets are read (no decoding), so this costs milliseconds per segment.
        """
        run = await self.probe(
            ["-select_streams", "v:0", "-show_entries", "packet=pts_time,flags"]
            + ["-of", "csv=p=0", str(path)]
        )
        return relative_keyframes(run.stdout)


def relative_keyframes(packets_csv: str) -> list[float]:
    """Parse ffprobe's ``pts_time,flags`` lines into keyframe offsets from the first packet."""
    rows = [line.split(",") for line in packets_csv.splitlines() if line.count(",") >= 1]
    times = [(float(row[0]), "K" in row[1]) for row in rows if _is_number(row[0])]
    if not times:
        return []
    first = min(t for t, _ in times)
    return sorted(t - first for t, key in times if key)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


async def _run(argv: list[str], *, timeout: float) -> Run:
    try:
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
    except FileNotFoundError as exc:
        raise FFmpegNotFound(str(exc)) from exc
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        await _kill(process)
        raise ClipError(f"{Path(argv[0]).name} took longer than {timeout:.0f}s") from None
    except asyncio.CancelledError:
        await _kill(process)
        raise
    run = Run(stdout=out.decode(errors="replace"), stderr=err.decode(errors="replace"))
    if process.returncode != 0:
        raise ClipError(f"{Path(argv[0]).name} failed: {tail(run.stderr)}")
    return run


def tail(stderr: str) -> str:
    """Return the end of ffmpeg's stderr: where it says what went wrong."""
    text = " ".join(stderr.split())
    return text[-_STDERR_TAIL:] if text else "no message"


async def _kill(process: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError):
        process.kill()
    await process.wait()
