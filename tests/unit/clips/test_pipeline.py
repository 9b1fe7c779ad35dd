from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from streamsuites.clips.ffmpeg import FFmpeg
from streamsuites.clips.model import (
    ClipError,
    ClipRequest,
    ClipResult,
    ClipWindow,
    CutMethod,
    EventRange,
)
from streamsuites.clips.pipeline import (
    _Recording,
    clip_metadata,
    clip_window,
    existing_clip_ids,
    run_clip,
)
from streamsuites.clips.segments import SegmentBuffer
from streamsuites.testing import FakeClock

from .factory import T0, segment

BASE = ClipRequest(
    creator_id="alice1", platform="twitch", requested_at=T0 + 100.0, seconds=20.0,
    max_seconds=30.0, pre_roll=10.0, post_roll=5.0, requested_by="ann",
)  # fmt: skip


def request(**overrides) -> ClipRequest:
    return replace(BASE, **overrides)


def test_window_is_n_plus_pre_roll_before_and_post_roll_after() -> None:
    assert clip_window(request()) == ClipWindow(start=T0 + 70.0, end=T0 + 105.0)


def test_n_is_capped_by_the_tier() -> None:
    assert clip_window(request(seconds=500.0)).start == T0 + 100.0 - 30.0 - 10.0


def test_negative_values_do_not_invert_the_window() -> None:
    window = clip_window(request(seconds=-5.0, pre_roll=-1.0, post_roll=-1.0))
    assert window == ClipWindow(start=T0 + 100.0, end=T0 + 100.0)


def test_existing_ids_come_from_metadata_files(tmp_path: Path) -> None:
    (tmp_path / "Ab12Cd.json").write_text("{}")
    (tmp_path / "Ab12Cd.mp4").write_text("")
    (tmp_path / "Zz9Yy8.json").write_text("{}")
    assert existing_clip_ids(tmp_path) == {"Ab12Cd", "Zz9Yy8"}
    assert existing_clip_ids(tmp_path / "missing") == set()


def test_metadata_names_requester_times_and_event_range() -> None:
    result = ClipResult(
        clip_id="Ab12Cd",
        title="t",
        video_path=Path("/o/Ab12Cd.mp4"),
        thumbnail_path=Path("/o/Ab12Cd.jpg"),
        metadata_path=Path("/o/Ab12Cd.json"),
        requested=ClipWindow(start=T0, end=T0 + 12.0),
        actual=ClipWindow(start=T0 + 0.25, end=T0 + 12.25),
        duration_seconds=12.0041,
        method=CutMethod.COPY,
        events=EventRange(first_seq=10, last_seq=42),
    )
    meta = clip_metadata(request(stream_id="s-1"), result)
    assert meta["requested_by"] == "ann"
    assert meta["platform"] == "twitch"
    assert meta["stream_id"] == "s-1"
    assert meta["actual"] == {
        "start": "2027-01-15T08:00:00.250Z",
        "end": "2027-01-15T08:00:12.250Z",
    }
    assert meta["events"] == {"first_seq": 10, "last_seq": 42}
    assert meta["duration_seconds"] == 12.004
    assert meta["method"] == "copy"


@pytest.mark.asyncio
async def test_waiting_for_the_post_roll_times_out_with_a_reason() -> None:
    clock = FakeClock(start=T0)
    buffer = SegmentBuffer(max_age=60.0, max_bytes=10**9)
    buffer.add(segment(0), now=T0)
    with pytest.raises(ClipError, match="did not record the post-roll within 7s"):
        await _Recording(buffer, clock, timeout=7.0).until(T0 + 10.0)
    assert clock.monotonic() == pytest.approx(7.0)


@pytest.mark.asyncio
async def test_waiting_ends_when_a_segment_reaches_the_end() -> None:
    clock = FakeClock(start=T0, auto_advance=False)
    buffer = SegmentBuffer(max_age=60.0, max_bytes=10**9)
    waiting = asyncio.create_task(_Recording(buffer, clock, timeout=30.0).until(T0 + 3.0))
    buffer.add(segment(0), now=T0)  # ends at T0 + 2: not yet
    await asyncio.sleep(0)
    assert not waiting.done()
    buffer.add(segment(1), now=T0)  # ends at T0 + 4
    await asyncio.wait_for(waiting, 1.0)
    assert clock.monotonic() == 0.0


@pytest.mark.asyncio
async def test_run_clip_without_footage_fails_with_a_reason_and_writes_nothing(
    tmp_path: Path,
) -> None:
    clock = FakeClock(start=T0 + 100.0)
    steps: list[str] = []

    async def progress(step: str) -> None:
        steps.append(step)

    never_run = FFmpeg(ffmpeg=tmp_path / "ffmpeg", ffprobe=tmp_path / "ffprobe")
    with pytest.raises(ClipError, match="did not record the post-roll within 25s"):
        await run_clip(request(), buffer=SegmentBuffer(max_age=60.0, max_bytes=10**9),
                       out_dir=tmp_path / "clips", ffmpeg=never_run, clock=clock,
                       progress=progress)  # fmt: skip
    assert steps == ["capturing"]
    assert list((tmp_path / "clips").iterdir()) == []
