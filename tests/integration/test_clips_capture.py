"""The capture under supervision, with real ffmpeg: restarts, failing sources, missing ffmpeg."""

from __future__ import annotations

import os
import random
import signal
import socket
from pathlib import Path

import pytest

from streamsuites.clips import (
    FFMPEG_NOT_FOUND,
    Capture,
    CaptureSource,
    CaptureState,
    FFmpeg,
    FFmpegNotFound,
    SegmentBuffer,
    locate_ffmpeg,
)
from streamsuites.clock import SystemClock
from streamsuites.connectors.supervisor import BackoffPolicy
from streamsuites.emulators.hls import HlsEmulator
from tests.support import require_binary

QUICK = BackoffPolicy(base=0.2, cap=0.5, healthy_after=60.0)


def capture_of(url: str, ffmpeg: FFmpeg | None, folder: Path) -> Capture:
    return Capture(
        source=CaptureSource(url=url),
        directory=folder,
        buffer=SegmentBuffer(max_age=30.0, max_bytes=20 * 2**20),
        ffmpeg=ffmpeg,
        clock=SystemClock(),
        rng=random.Random(3),
        policy=QUICK,
    )


def refused_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/stream.m3u8"


@pytest.mark.asyncio
async def test_killed_ffmpeg_is_restarted_and_the_buffer_goes_on(tmp_path: Path) -> None:
    require_binary("ffmpeg", "ffmpeg")
    ffmpeg = locate_ffmpeg()
    stream = HlsEmulator(ffmpeg)
    await stream.start()
    capture = capture_of(stream.url, ffmpeg, tmp_path / "buffer")
    try:
        await capture.start()
        await capture.wait_for(lambda s: s.state is CaptureState.RUNNING)
        assert capture.pid is not None
        os.kill(capture.pid, signal.SIGKILL)
        status = await capture.wait_for(lambda s: s.state is CaptureState.BACKOFF)
        # Usually "code -9"; on a loaded machine the capture's stall guard may have stopped
        # that ffmpeg first (code 255). Either way it must say how ffmpeg ended, then restart.
        assert status.reason is not None and "ffmpeg exited with code" in status.reason
        assert status.next_retry_at is not None
        await capture.wait_for(lambda s: any(x.run == "r0002" for x in capture.buffer.segments))
        assert capture.status.state is CaptureState.RUNNING
        assert capture.status.restarts >= 1
        assert all(s.path.exists() for s in capture.buffer.segments)
    finally:
        await capture.close()
        await stream.close()
    stopped = capture.status
    assert stopped.state is CaptureState.STOPPED
    assert not list((tmp_path / "buffer").glob("*.ts"))


@pytest.mark.asyncio
async def test_unreachable_source_backs_off_with_ffmpegs_reason(tmp_path: Path) -> None:
    require_binary("ffmpeg", "ffmpeg")
    capture = capture_of(refused_url(), locate_ffmpeg(), tmp_path / "buffer")
    try:
        await capture.start()
        status = await capture.wait_for(lambda s: s.state is CaptureState.BACKOFF)
        assert status.reason is not None
        assert "Connection refused" in status.reason
        await capture.wait_for(lambda s: s.restarts >= 2)
    finally:
        await capture.close()
    assert capture.buffer.segments == []


@pytest.mark.asyncio
async def test_ffmpeg_at_a_missing_path_is_a_status_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(FFmpegNotFound) as caught:
        locate_ffmpeg(tmp_path / "no-such-dir" / "ffmpeg")
    assert str(caught.value) == FFMPEG_NOT_FOUND
    gone = FFmpeg(ffmpeg=tmp_path / "removed" / "ffmpeg", ffprobe=tmp_path / "removed" / "ffprobe")
    capture = capture_of("http://127.0.0.1:9/x.m3u8", gone, tmp_path / "buffer")
    await capture.start()
    status = await capture.wait_for(lambda s: s.state is CaptureState.UNAVAILABLE)
    assert status.reason == "clips unavailable: ffmpeg not found"
    await capture.join()
    await capture.close()
    assert capture.status.state is CaptureState.UNAVAILABLE
