"""One capture: a supervised ffmpeg that keeps the last minutes of a stream as segments.

Per (creator, source) one ffmpeg reads the source and writes it, stream-copied (no decoding,
so a few percent of a core at most), as ~2 s MPEG-TS segments plus a CSV list of their stream
times; see ``segments`` for how wall-clock times are derived. MPEG-TS is used because a
segment is readable the moment it is closed and segments concatenate without remuxing.

Sources: any URL ffmpeg reads (a platform's live HLS playlist, RTMP, SRT...), or a local
recording that is still growing (OBS writing MKV/FLV/TS), read with the file protocol's
``follow`` option so ffmpeg waits at the end of the file instead of stopping.

When ffmpeg exits, the capture waits and starts it again, with the connectors' backoff rules
(:class:`streamsuites.backoff.Backoff`: capped exponential with full jitter, reset after a run that
stayed up `healthy_after` seconds). A source that sends nothing for `stall_timeout` seconds is
treated as an exit. The status is honest: ``starting``, ``running`` once the first segment is
on disk, ``backoff`` with ffmpeg's own last words, ``unavailable`` when ffmpeg is missing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections import deque
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Final

from streamsuites.backoff import Backoff, BackoffPolicy
from streamsuites.clips.ffmpeg import FFMPEG_NOT_FOUND, tail
from streamsuites.clips.segments import Segment, parse_segment_list
from streamsuites.errors import ComponentStateError

if TYPE_CHECKING:
    import random
    from collections.abc import Callable

    from streamsuites.clips.ffmpeg import FFmpeg
    from streamsuites.clips.segments import ListEntry, SegmentBuffer
    from streamsuites.clock import Clock

__all__ = [
    "Capture",
    "CaptureSource",
    "CaptureState",
    "CaptureStatus",
    "capture_command",
    "parse_progress",
    "redact",
]

_log = logging.getLogger("streamsuites.clips")

_IO_TIMEOUT_US: Final = 15_000_000
_STDERR_LINES: Final = 20
# A URL's query, up to whitespace or a quote; a trailing colon is ffmpeg's "url: message".
_URL_QUERY: Final = re.compile(r"([a-z][a-z0-9+.-]*://[^\s?'\"]+)\?(?:[^\s'\"]*[^\s'\":])?", re.I)


class CaptureState(StrEnum):
    """What a capture is doing."""

    STARTING = "starting"
    RUNNING = "running"
    BACKOFF = "backoff"
    UNAVAILABLE = "unavailable"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True, kw_only=True)
class CaptureStatus:
    """The capture's health, for the snapshot."""

    state: CaptureState
    reason: str | None = None
    next_retry_at: float | None = None
    restarts: int = 0
    buffered_seconds: float = 0.0
    buffered_bytes: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class CaptureSource:
    """Where a capture reads from."""

    url: str
    """A URL ffmpeg can read, or a local path."""
    growing_file: bool = False
    """A local recording still being written: read it with ``-follow 1``."""


def capture_command(
    ffmpeg: Path, source: CaptureSource, *, directory: Path, run: str, segment_seconds: float
) -> list[str]:
    """Return the argv of one capture run writing ``<run>-NNNNNN.ts`` and ``<run>.csv``."""
    return [
        str(ffmpeg), "-hide_banner", "-nostdin", "-loglevel", "warning",
        *_input_args(source),
        "-map", "0:v:0", "-map", "0:a:0?", "-c", "copy",
        "-f", "segment", "-segment_time", f"{segment_seconds:g}", "-segment_format", "mpegts",
        "-segment_list", str(directory / f"{run}.csv"), "-segment_list_type", "csv",
        "-segment_list_size", "0",
        "-progress", "pipe:1", "-stats_period", "0.5",
        str(directory / f"{run}-%06d.ts"),
    ]  # fmt: skip


def _input_args(source: CaptureSource) -> list[str]:
    # rw_timeout makes a silent source an error instead of a hang; for a growing file it is
    # how long `follow` waits at the end of the file before giving up.
    timeout = ["-rw_timeout", str(_IO_TIMEOUT_US)]
    if source.growing_file:
        return ["-follow", "1", *timeout, "-i", f"file:{source.url}"]
    return [*timeout, "-i", source.url]


def redact(text: str) -> str:
    """Drop the query strings of URLs in `text`: platform playlist URLs carry access tokens."""
    return _URL_QUERY.sub(r"\1?…", text)


def parse_progress(line: str) -> float | None:
    """Return the stream time in seconds from an ``out_time_us=`` progress line, else None."""
    key, _, value = line.strip().partition("=")
    if key != "out_time_us":
        return None
    try:
        return int(value) / 1_000_000
    except ValueError:
        return None  # "N/A" before the first packet


class Capture:
    """Keeps `buffer` filled from `source` until closed; see the module docstring."""

    def __init__(
        self,
        *,
        source: CaptureSource,
        directory: Path,
        buffer: SegmentBuffer,
        ffmpeg: FFmpeg | None,
        clock: Clock,
        rng: random.Random,
        policy: BackoffPolicy | None = None,
        segment_seconds: float = 2.0,
        stall_timeout: float = 20.0,
    ) -> None:
        self.source = source
        self.directory = directory
        self.buffer = buffer
        self._ffmpeg = ffmpeg
        self._clock = clock
        self._policy = policy or BackoffPolicy(base=1.0, cap=60.0, healthy_after=60.0)
        self._backoff = Backoff(self._policy, rng)
        self._segment_seconds = segment_seconds
        self._stall_timeout = stall_timeout
        self._task: asyncio.Task[None] | None = None
        self._runs = 0
        self._state = CaptureState.STOPPED
        self._reason: str | None = None
        self._next_retry_at: float | None = None
        self._status_changed = asyncio.Event()
        self.pid: int | None = None
        """The running ffmpeg's process id, None between runs."""

    @property
    def status(self) -> CaptureStatus:
        """The capture's state now."""
        segments = self.buffer.segments
        return CaptureStatus(
            state=self._state,
            reason=self._reason,
            next_retry_at=self._next_retry_at,
            restarts=max(0, self._runs - 1),
            buffered_seconds=sum(s.duration for s in segments),
            buffered_bytes=self.buffer.used_bytes,
        )

    async def start(self) -> None:
        """Start capturing; with no ffmpeg, only report ``unavailable`` (never raise)."""
        if self._task is not None:
            raise ComponentStateError("capture already started")
        if self._ffmpeg is None:
            self._set(CaptureState.UNAVAILABLE, FFMPEG_NOT_FOUND)
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        _sweep(self.directory, "r*", keep=set())  # left by a runtime that crashed
        self._set(CaptureState.STARTING, None)
        self._task = asyncio.create_task(self._supervise(self._ffmpeg), name="clip-capture")

    async def close(self) -> None:
        """Stop ffmpeg and delete the buffered segments; safe to call twice."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.buffer.clear()
        if self._state is not CaptureState.UNAVAILABLE:
            self._set(CaptureState.STOPPED, None)

    async def join(self) -> None:
        """Wait until the capture stops for good (it only does when ffmpeg disappears)."""
        if self._task is not None:
            await asyncio.shield(self._task)

    async def wait_for(self, predicate: Callable[[CaptureStatus], bool]) -> CaptureStatus:
        """Wait until the status satisfies `predicate` (checked on every change); return it."""
        while not predicate(status := self.status):
            await self._status_changed.wait()
        return status

    async def _supervise(self, ffmpeg: FFmpeg) -> None:
        while True:
            started = self._clock.monotonic()
            reason = await self._one_run(ffmpeg)
            if reason is None:
                return
            if self._clock.monotonic() - started >= self._policy.healthy_after:
                self._backoff.reset()
            await self._back_off(reason)

    async def _back_off(self, reason: str) -> None:
        delay = self._backoff.next_delay()
        self._next_retry_at = self._clock.time() + delay
        self._set(CaptureState.BACKOFF, reason)
        _log.warning("capture of %s stopped (%s); restarting in %.1fs",
                     redact(self.source.url), reason, delay)  # fmt: skip
        await self._clock.sleep(delay)
        self._next_retry_at = None
        self._set(CaptureState.STARTING, None)

    async def _one_run(self, ffmpeg: FFmpeg) -> str | None:
        """Run ffmpeg once; return why it ended, or None when ffmpeg cannot be run at all."""
        self._runs += 1
        run = _RunReader(self, f"r{self._runs:04d}")
        argv = capture_command(
            ffmpeg.ffmpeg, self.source, directory=self.directory, run=run.name,
            segment_seconds=self._segment_seconds,
        )  # fmt: skip
        try:
            process = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
        except FileNotFoundError:
            self._set(CaptureState.UNAVAILABLE, FFMPEG_NOT_FOUND)
            return None
        self.pid = process.pid
        try:
            return await run.follow(process)
        finally:
            self.pid = None

    def _set(self, state: CaptureState, reason: str | None) -> None:
        self._state = state
        self._reason = reason
        self._changed()

    def _changed(self) -> None:
        self._status_changed.set()
        self._status_changed = asyncio.Event()

    def _segment_arrived(self, segment: Segment) -> None:
        self.buffer.add(segment, now=self._clock.time())
        if self._state is not CaptureState.RUNNING:
            self._set(CaptureState.RUNNING, None)
        else:
            self._changed()


class _RunReader:
    """Follows one ffmpeg run: its progress (for the anchor), its segment list, its stderr."""

    def __init__(self, capture: Capture, name: str) -> None:
        self._capture = capture
        self._clock = capture._clock
        self.name = name
        self._csv = capture.directory / f"{name}.csv"
        self._offset = 0
        self._listed: set[Path] = set()
        self._anchor: float | None = None
        self._stderr: deque[str] = deque(maxlen=_STDERR_LINES)

    async def follow(self, process: asyncio.subprocess.Process) -> str:
        """Read the run until ffmpeg exits (or stalls); return the reason it ended."""
        assert process.stdout is not None and process.stderr is not None
        errors = asyncio.create_task(self._read_stderr(process.stderr))
        try:
            stalled = await self._read_progress(process.stdout)
        finally:
            await _stop(process)
            await errors
            self._read_segments()
            self._csv.unlink(missing_ok=True)
            # A killed ffmpeg leaves its open segment behind, never listed: delete it.
            _sweep(self._capture.directory, f"{self.name}-*", keep=self._listed)
        if stalled:
            return f"no data from the source for {self._capture._stall_timeout:.0f}s"
        last = tail("\n".join(self._stderr)) if self._stderr else "no message"
        return redact(f"ffmpeg exited with code {process.returncode}: {last}")

    async def _read_progress(self, stdout: asyncio.StreamReader) -> bool:
        """Return True if the source stalled, False when ffmpeg closed its output."""
        while True:
            try:
                line = await asyncio.wait_for(stdout.readline(), self._capture._stall_timeout)
            except TimeoutError:
                return True
            if not line:
                return False
            self._progress(line.decode(errors="replace"))

    def _progress(self, line: str) -> None:
        stream_time = parse_progress(line)
        if stream_time is not None and stream_time > 0:
            self._observe(self._clock.time() - stream_time)
        elif line.startswith("progress="):
            self._read_segments()

    def _observe(self, anchor: float) -> None:
        # The smallest (wall - stream) seen is the least delayed report: the best anchor.
        if self._anchor is None or anchor < self._anchor:
            if self._anchor is not None:
                self._capture.buffer.shift(self.name, anchor - self._anchor)
            self._anchor = anchor

    def _read_segments(self) -> None:
        if self._anchor is None:
            return
        for entry in parse_segment_list(self._new_lines()):
            segment = self._segment(entry, self._anchor)
            self._listed.add(segment.path)
            self._capture._segment_arrived(segment)

    def _new_lines(self) -> str:
        """Return the complete lines ffmpeg appended to the list since the last read."""
        try:
            with self._csv.open("rb") as file:
                file.seek(self._offset)
                data = file.read()
        except FileNotFoundError:
            return ""
        complete = data[: data.rfind(b"\n") + 1]
        self._offset += len(complete)
        return complete.decode(errors="replace")

    def _segment(self, entry: ListEntry, anchor: float) -> Segment:
        path = self._capture.directory / Path(entry.name).name
        size = path.stat().st_size if path.exists() else 0
        return Segment(
            path=path, start=anchor + entry.start, end=anchor + entry.end, size=size, run=self.name
        )

    async def _read_stderr(self, stderr: asyncio.StreamReader) -> None:
        async for raw in stderr:
            line = raw.decode(errors="replace").rstrip()
            if line:
                self._stderr.append(line)
                _log.debug("ffmpeg: %s", line)


def _sweep(directory: Path, pattern: str, *, keep: set[Path]) -> None:
    """Delete the segment and list files matching `pattern` that are not in `keep`."""
    for path in [*directory.glob(f"{pattern}.ts"), *directory.glob(f"{pattern}.csv")]:
        if path not in keep:
            path.unlink(missing_ok=True)


async def _stop(process: asyncio.subprocess.Process) -> None:
    """End ffmpeg: ask politely (it then closes the open segment), kill after 5 s."""
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        try:
            await asyncio.wait_for(asyncio.shield(process.wait()), 5.0)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
    await process.wait()
