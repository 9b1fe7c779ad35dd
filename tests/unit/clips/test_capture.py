from __future__ import annotations

import random
from pathlib import Path

import pytest

from streamsuites.clips.capture import (
    Capture,
    CaptureSource,
    CaptureState,
    capture_command,
    parse_progress,
    redact,
)
from streamsuites.clips.ffmpeg import FFMPEG_NOT_FOUND
from streamsuites.clips.segments import SegmentBuffer
from streamsuites.testing import FakeClock


def test_url_capture_stream_copies_into_segments_with_a_csv_list() -> None:
    argv = capture_command(
        Path("/usr/bin/ffmpeg"),
        CaptureSource(url="https://x/live.m3u8"),
        directory=Path("/buf"),
        run="r0003",
        segment_seconds=2.0,
    )
    assert argv[argv.index("-i") + 1] == "https://x/live.m3u8"
    assert argv[argv.index("-c") : argv.index("-c") + 2] == ["-c", "copy"]
    assert argv[argv.index("-segment_time") + 1] == "2"
    assert argv[argv.index("-segment_list") + 1] == "/buf/r0003.csv"
    assert argv[argv.index("-segment_list_type") + 1] == "csv"
    assert argv[argv.index("-progress") + 1] == "pipe:1"
    assert argv[-1] == "/buf/r0003-%06d.ts"
    assert "-follow" not in argv


def test_growing_file_is_followed_through_the_file_protocol() -> None:
    argv = capture_command(
        Path("ffmpeg"),
        CaptureSource(url="/rec/obs.mkv", growing_file=True),
        directory=Path("/buf"),
        run="r0001",
        segment_seconds=2.0,
    )
    assert argv[argv.index("-follow") + 1] == "1"
    assert argv[argv.index("-i") + 1] == "file:/rec/obs.mkv"
    assert argv.index("-follow") < argv.index("-i")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("out_time_us=3010667\n", 3.010667),
        ("out_time_us=N/A", None),
        ("out_time_ms=3010667", None),
        ("progress=continue", None),
    ],
)
def test_progress_lines(line: str, expected: float | None) -> None:
    assert parse_progress(line) == expected


@pytest.mark.asyncio
async def test_without_ffmpeg_the_capture_says_so_and_runs_nothing(tmp_path: Path) -> None:
    capture = Capture(
        source=CaptureSource(url="http://x"),
        directory=tmp_path / "buf",
        buffer=SegmentBuffer(max_age=60, max_bytes=10**6),
        ffmpeg=None,
        clock=FakeClock(),
        rng=random.Random(1),
    )
    await capture.start()
    status = capture.status
    assert status.state is CaptureState.UNAVAILABLE
    assert status.reason == FFMPEG_NOT_FOUND == "clips unavailable: ffmpeg not found"
    assert capture.pid is None
    assert not (tmp_path / "buf").exists()
    await capture.close()
    assert capture.status.state is CaptureState.UNAVAILABLE


def test_reasons_and_logs_never_carry_a_playlist_token() -> None:
    text = "https://usher.example/live.m3u8?sig=abc&token=SECRET: Server returned 403 Forbidden"
    assert redact(text) == "https://usher.example/live.m3u8?…: Server returned 403 Forbidden"
    assert redact("http://127.0.0.1:9/x.m3u8: Connection refused") == (
        "http://127.0.0.1:9/x.m3u8: Connection refused"
    )
