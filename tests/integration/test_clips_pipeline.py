"""The clip pipeline end to end with real ffmpeg: a live HLS stream is captured and clipped."""

from __future__ import annotations

import json
import random
import re
import struct
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio

from streamsuites.clips import (
    Capture,
    CaptureSource,
    ClipRequest,
    ClipResult,
    ClipSettings,
    CutMethod,
    FFmpeg,
    SegmentBuffer,
    locate_ffmpeg,
    run_clip,
)
from streamsuites.clips.segments import covering
from streamsuites.clock import SystemClock
from streamsuites.emulators.hls import HlsEmulator
from tests.support import require_binary


@dataclass
class Live:
    ffmpeg: FFmpeg
    capture: Capture
    buffer: SegmentBuffer
    clock: SystemClock


@pytest_asyncio.fixture
async def live(tmp_path: Path) -> AsyncIterator[Live]:
    require_binary("ffmpeg", "ffmpeg")
    require_binary("ffprobe", "ffmpeg")
    ffmpeg = locate_ffmpeg()
    stream = HlsEmulator(ffmpeg, size="320x180")
    await stream.start()
    clock = SystemClock()
    buffer = SegmentBuffer(max_age=90.0, max_bytes=100 * 2**20)
    capture = Capture(
        source=CaptureSource(url=stream.url),
        directory=tmp_path / "buffer",
        buffer=buffer,
        ffmpeg=ffmpeg,
        clock=clock,
        rng=random.Random(1),
    )
    await capture.start()
    try:
        yield Live(ffmpeg, capture, buffer, clock)
    finally:
        await capture.close()
        await stream.close()


async def clip_now(
    live: Live,
    out_dir: Path,
    *,
    seconds: float,
    pre: float,
    post: float,
    settings: ClipSettings | None = None,
) -> tuple[list[str], ClipResult]:
    await live.capture.wait_for(lambda s: s.buffered_seconds >= seconds + pre + 1.0)
    steps: list[str] = []

    async def progress(step: str) -> None:
        steps.append(step)

    request = ClipRequest(
        creator_id="alice1",
        platform="twitch",
        requested_at=live.clock.time(),
        seconds=seconds,
        max_seconds=30.0,
        pre_roll=pre,
        post_roll=post,
        requested_by="ann",
        source_title="Emulated stream",
    )
    result = await run_clip(
        request,
        buffer=live.buffer,
        out_dir=out_dir,
        ffmpeg=live.ffmpeg,
        clock=live.clock,
        progress=progress,
        settings=settings,
    )
    return steps, result


async def streams(ffmpeg: FFmpeg, path: Path) -> list[str]:
    run = await ffmpeg.probe(["-show_entries", "stream=codec_name", "-of", "csv=p=0", str(path)])
    return sorted(run.stdout.split())


def top_level_atoms(path: Path) -> list[str]:
    data, atoms, at = path.read_bytes(), [], 0
    while at + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[at : at + 8])
        atoms.append(kind.decode())
        at += size if size >= 8 else len(data)
    return atoms


@pytest.mark.asyncio
async def test_clip_of_ten_seconds_is_a_real_mp4_of_the_requested_window(
    live: Live, tmp_path: Path
) -> None:
    steps, result = await clip_now(live, tmp_path / "clips", seconds=10.0, pre=1.0, post=1.0)
    assert steps == ["capturing", "encoding", "ready"]
    assert result.method is CutMethod.COPY  # the emulator has a keyframe every 0.5 s
    assert result.video_path.stat().st_size > 0
    assert await live.ffmpeg.duration(result.video_path) == pytest.approx(12.0, abs=0.5)
    assert await streams(live.ffmpeg, result.video_path) == ["aac", "h264"]
    atoms = top_level_atoms(result.video_path)
    assert atoms.index("moov") < atoms.index("mdat")  # +faststart
    assert result.thumbnail_path.read_bytes()[:2] == b"\xff\xd8"

    # The window is where the request put it, by the capture's segment timestamps.
    assert abs(result.actual.start - result.requested.start) <= 0.5
    assert result.actual.duration == pytest.approx(result.requested.duration)
    used = covering(live.buffer.segments, result.actual.start, result.actual.end)
    assert used[0].start <= result.actual.start + 1e-6
    assert used[-1].end >= result.actual.end - 0.05

    meta = json.loads(result.metadata_path.read_text())
    assert re.fullmatch(r"[A-Za-z0-9]{6}", meta["clip_id"])
    assert re.fullmatch(
        r"Emulated stream - \d\d/\d\d/\d\d clip by ann \[[A-Za-z0-9]{6}\]", meta["title"]
    )
    assert meta["requested_by"] == "ann"
    assert meta["method"] == "copy"
    assert sorted(p.name for p in (tmp_path / "clips").iterdir()) == sorted(
        f"{result.clip_id}.{ext}" for ext in ("jpg", "json", "mp4")
    )


@pytest.mark.asyncio
async def test_with_no_keyframe_tolerance_the_clip_is_reencoded_frame_exact(
    live: Live, tmp_path: Path
) -> None:
    steps, result = await clip_now(
        live,
        tmp_path / "clips",
        seconds=2.0,
        pre=0.5,
        post=0.5,
        settings=ClipSettings(keyframe_tolerance=0.0),
    )
    assert steps == ["capturing", "encoding", "ready"]
    assert result.method is CutMethod.REENCODE
    assert result.actual == result.requested
    assert await live.ffmpeg.duration(result.video_path) == pytest.approx(3.0, abs=0.1)
    assert await streams(live.ffmpeg, result.video_path) == ["aac", "h264"]
    assert result.thumbnail_path.read_bytes()[:2] == b"\xff\xd8"
