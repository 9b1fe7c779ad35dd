"""The clip pipeline at 720p: `!clip` to `ready`, and the CPU one capture buffer costs.

Everything is real: ``HlsEmulator`` encodes a 1280x720 30 fps test stream (H.264 + AAC, a
keyframe every 0.5 s, 1 s HLS segments) and serves it over HTTP; ``Capture`` keeps the rolling
buffer (stream copy, 2 s segments) exactly as the runtime does.

* ready latency: --clips clips of 30 s (no pre-roll, --post-roll s of post-roll), made one after
  the other with ``run_clip``. Reported: seconds from the request to ``ready``, and from the end
  of the post-roll (the window's end, when the footage has happened) to ``ready``. The second is
  the target: under 5 s with stream copy.
* capture CPU: user + system CPU seconds of the capture's ffmpeg (from /proc/<pid>/stat) over
  --cpu-seconds of wall time, as a share of one core and as CPU seconds per hour of stream.
* naive peer, in the same run right after: an ffmpeg that re-encodes while it segments
  (libx264 veryfast + AAC, the obvious way to get cut points anywhere), measured the same way.

The emulator's encoder runs on the same two cores; its own CPU share is printed for context.
Linux only (/proc). Run: .venv/bin/python benchmarks/clips.py [--cpu-seconds 60] [--clips 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from streamsuites.clips import (
    Capture,
    CaptureSource,
    ClipRequest,
    ClipSettings,
    FFmpeg,
    FFmpegNotFound,
    SegmentBuffer,
    locate_ffmpeg,
    run_clip,
)
from streamsuites.clock import SystemClock
from streamsuites.emulators.hls import HlsEmulator

CLIP_SECONDS = 30.0
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process `pid` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


async def cpu_share(pid: int, seconds: float) -> float:
    """The share of one core `pid` used over the next `seconds` of wall time."""
    before, started = cpu_seconds(pid), time.monotonic()
    await asyncio.sleep(seconds)
    return (cpu_seconds(pid) - before) / (time.monotonic() - started)


@dataclass(frozen=True)
class ClipTiming:
    to_ready: float
    """Request to ``ready``."""
    after_post_roll: float
    """End of the window (the post-roll has happened) to ``ready``: the target."""
    waiting: float
    """End of the window to ``encoding``: the capture delivering the last segment."""
    making: float
    """``encoding`` to ``ready``: probing, cutting, thumbnail, metadata."""
    method: str


async def clip_timings(
    capture: Capture,
    ffmpeg: FFmpeg,
    out_dir: Path,
    *,
    count: int,
    post_roll: float,
    settings: ClipSettings,
) -> list[ClipTiming]:
    """Make `count` 30 s clips one after the other and time each."""
    clock = SystemClock()
    await capture.wait_for(lambda s: s.buffered_seconds >= CLIP_SECONDS + 3.0)
    timings = []
    for _ in range(count):
        steps: dict[str, float] = {}

        async def progress(step: str, steps: dict[str, float] = steps) -> None:
            steps[step] = clock.time()

        request = ClipRequest(creator_id="bench", platform="twitch", requested_at=clock.time(),
                              seconds=CLIP_SECONDS, max_seconds=CLIP_SECONDS, pre_roll=0.0,
                              post_roll=post_roll, requested_by="bench")  # fmt: skip
        result = await run_clip(request, buffer=capture.buffer, out_dir=out_dir, ffmpeg=ffmpeg,
                                clock=clock, progress=progress, settings=settings)  # fmt: skip
        ready, end = steps["ready"], result.requested.end
        timings.append(ClipTiming(
            to_ready=ready - request.requested_at, after_post_roll=ready - end,
            waiting=steps["encoding"] - end, making=ready - steps["encoding"],
            method=str(result.method),
        ))  # fmt: skip
    return timings


async def naive_share(ffmpeg: FFmpeg, url: str, folder: Path, seconds: float) -> float:
    """CPU share of an ffmpeg that re-encodes the stream while segmenting it."""
    argv = [
        str(ffmpeg.ffmpeg),
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-i",
        url,
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-c:a",
        "aac",
        "-f",
        "segment",
        "-segment_time",
        "2",
        str(folder / "naive-%06d.ts"),
    ]
    process = await asyncio.create_subprocess_exec(*argv, stdin=asyncio.subprocess.DEVNULL)
    try:
        await asyncio.sleep(3.0)  # past the start-up burst of the playlist's first segments
        return await cpu_share(process.pid, seconds)
    finally:
        process.terminate()
        await process.wait()


async def run(args: argparse.Namespace, ffmpeg: FFmpeg, work: Path) -> bool:
    stream = HlsEmulator(ffmpeg, size="1280x720", rate=30)
    await stream.start()
    capture = Capture(
        source=CaptureSource(url=stream.url),
        directory=work / "buffer",
        buffer=SegmentBuffer(max_age=120.0, max_bytes=2**30),
        ffmpeg=ffmpeg,
        clock=SystemClock(),
        rng=random.Random(1),
    )
    try:
        await capture.start()
        await capture.wait_for(lambda s: s.state == "running")
        assert capture.pid is not None and stream.pid is not None
        measuring = asyncio.gather(
            cpu_share(capture.pid, args.cpu_seconds), cpu_share(stream.pid, args.cpu_seconds)
        )
        clips = await clip_timings(
            capture,
            ffmpeg,
            work / "clips",
            count=args.clips,
            post_roll=args.post_roll,
            settings=ClipSettings(keyframe_tolerance=args.tolerance),
        )
        capture_share, encoder_share = await measuring
        status = capture.status
        await capture.close()
        naive = await naive_share(ffmpeg, stream.url, work, args.cpu_seconds)
    finally:
        await capture.close()
        await stream.close()
    return report(
        args,
        Measured(
            clips=clips,
            capture=capture_share,
            encoder=encoder_share,
            naive=naive,
            buffered_bytes=status.buffered_bytes,
            buffered_seconds=status.buffered_seconds,
        ),
    )


@dataclass(frozen=True)
class Measured:
    clips: list[ClipTiming]
    capture: float
    encoder: float
    naive: float
    buffered_bytes: int
    buffered_seconds: float


def report(args: argparse.Namespace, m: Measured) -> bool:
    """Print the figures; return whether both targets were met."""
    clips, capture_share, encoder_share, naive = m.clips, m.capture, m.encoder, m.naive
    buffered_bytes, buffered_s = m.buffered_bytes, m.buffered_seconds

    def median(values: list[float]) -> str:
        return f"median {statistics.median(values):.2f} s, max {max(values):.2f} s"

    methods = sorted({c.method for c in clips})
    print(f"clips: {len(clips)} x {CLIP_SECONDS:.0f} s at 1280x720, post-roll "
          f"{args.post_roll:g} s, methods {methods}")  # fmt: skip
    print(f"  request -> ready:        {median([c.to_ready for c in clips])}")
    print(f"  post-roll end -> ready:  {median([c.after_post_roll for c in clips])}"
          "   (target < 5 s)")  # fmt: skip
    print(f"    waiting for the segment holding the end: {median([c.waiting for c in clips])}")
    print(f"    probe + cut + thumbnail + metadata:      {median([c.making for c in clips])}")
    print(
        f"capture CPU over {args.cpu_seconds:g} s: {capture_share:.2%} of one core"
        f" = {capture_share * 3600:.0f} CPU-s per hour of stream   (target < 3%)"
    )
    print(
        f"naive re-encoding capture: {naive:.2%} of one core"
        f" = {naive * 3600:.0f} CPU-s per hour   ({naive / max(capture_share, 1e-9):.0f}x)"
    )
    print(
        f"context: the emulator's 720p encoder used {encoder_share:.2%} of one core;"
        f" buffer {buffered_s:.0f} s = {buffered_bytes / 2**20:.1f} MiB"
        f" ({buffered_bytes * 8 / max(buffered_s, 1e-9) / 1e6:.2f} Mbit/s)"
    )
    ok = max(c.after_post_roll for c in clips) < 5.0 and capture_share < 0.03
    print(
        "targets (post-roll end -> ready < 5 s, capture < 3% of a core):",
        "met" if ok else "NOT met",
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cpu-seconds", type=float, default=60.0)
    parser.add_argument("--clips", type=int, default=3)
    parser.add_argument("--post-roll", type=float, default=5.0)
    parser.add_argument(
        "--tolerance",
        type=float,
        default=ClipSettings().keyframe_tolerance,
        help="keyframe tolerance; 0 forces re-encoded, frame-exact clips",
    )
    args = parser.parse_args()
    if not Path("/proc/self/stat").exists():
        print("needs Linux /proc to measure CPU", file=sys.stderr)
        return 2
    try:
        ffmpeg = locate_ffmpeg()
    except FFmpegNotFound as exc:
        print(f"{exc.reason} ({exc.detail})", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="streamsuites-bench-clips-") as work:
        met = asyncio.run(run(args, ffmpeg, Path(work)))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
