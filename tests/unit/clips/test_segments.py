from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from streamsuites.clips.segments import (
    ListEntry,
    SegmentBuffer,
    covering,
    gaps,
    parse_segment_list,
    plan_prune,
)

from .factory import T0, segment, segments


def test_segment_list_keeps_complete_lines_only() -> None:
    text = "r1-000000.ts,0.000000,2.000000\nr1-000001.ts,2.000000,4.0"
    assert parse_segment_list(text) == [ListEntry("r1-000000.ts", 0.0, 2.0)]


def test_segment_list_names_may_hold_commas_and_junk_lines_are_skipped() -> None:
    text = '"a,b-000000.ts",0.0,2.0\nnot a line\nx.ts,zero,2\nc.ts,2.0,3.966667\n'
    assert parse_segment_list(text) == [
        ListEntry("a,b-000000.ts", 0.0, 2.0),
        ListEntry("c.ts", 2.0, 3.966667),
    ]


def test_covering_includes_partial_overlaps_and_excludes_touching_segments() -> None:
    segs = segments(5)  # [T0, T0+10) in 2 s steps
    assert covering(segs, T0 + 3.0, T0 + 5.0) == segs[1:3]
    assert covering(segs, T0 + 2.0, T0 + 4.0) == [segs[1]]
    assert covering(segs, T0 + 10.0, T0 + 12.0) == []
    assert covering(segs, T0 - 5.0, T0 + 0.5) == [segs[0]]


def test_gaps_reports_holes_longer_than_the_tolerance() -> None:
    segs = [segment(0), segment(1), segment(9, start=T0 + 5.0)]
    assert gaps(segs, tolerance=0.5) == [(T0 + 4.0, T0 + 5.0)]
    assert gaps(segs, tolerance=1.0) == []


def test_prune_by_age_keeps_segments_that_end_inside_the_window() -> None:
    segs = segments(10)  # last ends at T0 + 20
    keep, drop = plan_prune(segs, now=T0 + 20.0, max_age=7.0, max_bytes=10**9)
    assert [s.start for s in keep] == [T0 + 12.0, T0 + 14.0, T0 + 16.0, T0 + 18.0]
    assert drop == segs[:6]


def test_prune_by_bytes_keeps_the_newest_that_fit() -> None:
    segs = segments(10, size=100)
    keep, drop = plan_prune(segs, now=T0 + 20.0, max_age=1000.0, max_bytes=350)
    assert keep == segs[-3:]
    assert len(drop) == 7


def test_prune_always_keeps_the_newest_segment() -> None:
    segs = segments(3, size=1000)
    keep, _ = plan_prune(segs, now=T0 + 1000.0, max_age=1.0, max_bytes=10)
    assert keep == segs[-1:]


def files(tmp_path: Path, count: int, size: int = 100):
    segs = segments(count, folder=tmp_path, size=size)
    for s in segs:
        s.path.write_bytes(b"x" * size)
    return segs


def test_buffer_deletes_pruned_files(tmp_path: Path) -> None:
    buffer = SegmentBuffer(max_age=60.0, max_bytes=300)
    segs = files(tmp_path, 5)
    for s in segs:
        buffer.add(s, now=s.end)
    assert buffer.segments == segs[-3:]
    assert buffer.used_bytes == 300
    assert sorted(p.name for p in tmp_path.iterdir()) == [s.path.name for s in segs[-3:]]


def test_held_segments_are_deleted_only_when_released(tmp_path: Path) -> None:
    buffer = SegmentBuffer(max_age=60.0, max_bytes=200)
    segs = files(tmp_path, 4)
    buffer.add(segs[0], now=segs[0].end)
    buffer.add(segs[1], now=segs[1].end)
    with buffer.hold(segs[:2]):
        buffer.add(segs[2], now=segs[2].end)
        buffer.add(segs[3], now=segs[3].end)
        assert buffer.segments == segs[2:]
        assert segs[0].path.exists() and segs[1].path.exists()
    assert not segs[0].path.exists() and not segs[1].path.exists()
    assert segs[3].path.exists()


def test_shift_moves_only_the_named_run() -> None:
    buffer = SegmentBuffer(max_age=1e9, max_bytes=10**9)
    a = segment(0, run="r0001")
    b = segment(1, run="r0002")
    buffer.add(a, now=T0)
    buffer.add(b, now=T0)
    buffer.shift("r0001", -0.25)
    assert [(s.run, s.start) for s in buffer.segments] == [("r0001", T0 - 0.25), ("r0002", T0 + 2)]


@pytest.mark.asyncio
async def test_changed_wakes_a_waiter_when_a_segment_arrives() -> None:
    buffer = SegmentBuffer(max_age=60.0, max_bytes=10**9)
    waiter = asyncio.create_task(buffer.changed())
    await asyncio.sleep(0)
    assert not waiter.done()
    buffer.add(segment(0), now=T0)
    await asyncio.wait_for(waiter, 1.0)
    assert buffer.latest_end() == T0 + 2.0
