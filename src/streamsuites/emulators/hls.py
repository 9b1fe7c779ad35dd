"""A live HLS stream made by ffmpeg, served over HTTP, for running the clip pipeline offline.

ffmpeg draws a test pattern (``testsrc2``) with the wall-clock time burned in (when the
DejaVu font is installed; otherwise the pattern's own frame counter is the visible clock) and a
440 Hz tone, encodes H.264/AAC in real time (``-re``) with a keyframe every half second, and
writes a rolling live playlist into a temporary folder. An aiohttp server serves that folder,
so the pipeline reads ``url`` exactly as it would read a platform's playlist::

    stream = HlsEmulator(locate_ffmpeg(), size="320x180")
    await stream.start()        # returns once the playlist lists its first segments
    ...capture stream.url...
    await stream.close()
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Final

from aiohttp import web

from streamsuites.emulators._http import serve_app
from streamsuites.errors import ComponentStateError

if TYPE_CHECKING:
    from streamsuites.clips.ffmpeg import FFmpeg

__all__ = ["CLOCK_FONT", "HlsEmulator", "hls_command"]

CLOCK_FONT: Final = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")
_PLAYLIST: Final = "stream.m3u8"


def _overlay(font: Path | None) -> list[str]:
    if font is None or not font.exists():
        return []
    # The clock shows local wall time and the stream time, so a frame tells when it was made.
    text = r"%{localtime\:%H\\\:%M\\\:%S} t=%{pts\:hms}"
    return ["-vf", f"drawtext=fontfile={font}:text='{text}':fontsize=h/10:fontcolor=white:"
            "box=1:boxcolor=black@0.6:x=8:y=8"]  # fmt: skip


def hls_command(
    ffmpeg: Path,
    out_dir: Path,
    *,
    size: str,
    rate: int,
    segment_seconds: float,
    font: Path | None = CLOCK_FONT,
) -> list[str]:
    """Return the argv of the ffmpeg that writes the live playlist into `out_dir`."""
    keyint = str(max(1, rate // 2))
    return [
        str(ffmpeg), "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
        "-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
        *_overlay(font),
        "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-pix_fmt", "yuv420p",
        "-g", keyint, "-keyint_min", keyint, "-sc_threshold", "0",
        "-c:a", "aac", "-b:a", "96k",
        "-f", "hls", "-hls_time", f"{segment_seconds:g}", "-hls_list_size", "8",
        "-hls_flags", "delete_segments+temp_file+independent_segments",
        str(out_dir / _PLAYLIST),
    ]  # fmt: skip


class HlsEmulator:
    """A live test stream on ``http://127.0.0.1:<port>/stream.m3u8``; see the module docstring."""

    def __init__(
        self,
        ffmpeg: FFmpeg,
        *,
        size: str = "320x180",
        rate: int = 30,
        segment_seconds: float = 1.0,
        host: str = "127.0.0.1",
    ) -> None:
        self._ffmpeg = ffmpeg
        self._size = size
        self._rate = rate
        self._segment_seconds = segment_seconds
        self._host = host
        self._dir: Path | None = None
        self._process: asyncio.subprocess.Process | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        """The playlist's URL."""
        if self._runner is None:
            raise ComponentStateError("the HLS emulator is not started")
        return f"http://{self._host}:{self.port}/{_PLAYLIST}"

    @property
    def pid(self) -> int | None:
        """The encoding ffmpeg's process id (for measuring it), None when stopped."""
        return self._process.pid if self._process is not None else None

    async def start(self, *, ready_timeout: float = 20.0) -> None:
        """Start encoding and serving; return once the playlist lists two segments."""
        if self._runner is not None:
            raise ComponentStateError("the HLS emulator is already started")
        self._dir = Path(tempfile.mkdtemp(prefix="streamsuites-hls-"))
        argv = hls_command(self._ffmpeg.ffmpeg, self._dir, size=self._size, rate=self._rate,
                           segment_seconds=self._segment_seconds)  # fmt: skip
        self._process = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
        )
        await self._serve(self._dir)
        try:
            await asyncio.wait_for(self._wait_for_segments(2), ready_timeout)
        except BaseException:
            await self.close()
            raise

    async def _serve(self, directory: Path) -> None:
        app = web.Application()
        app.router.add_static("/", directory)
        self._runner, self.port = await serve_app(app, self._host)

    async def _wait_for_segments(self, count: int) -> None:
        assert self._dir is not None and self._process is not None
        playlist = self._dir / _PLAYLIST
        while not playlist.exists() or playlist.read_text().count("#EXTINF") < count:
            if self._process.returncode is not None:
                raise RuntimeError(f"ffmpeg exited with code {self._process.returncode}")
            await asyncio.sleep(0.1)

    async def close(self) -> None:
        """Stop ffmpeg and the server and delete the folder; safe to call twice."""
        process, self._process = self._process, None
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
        if process is not None:
            await process.wait()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
        directory, self._dir = self._dir, None
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)
