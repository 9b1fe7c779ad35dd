from __future__ import annotations

from pathlib import Path

from streamsuites.clips.segments import Segment

T0 = 1_800_000_000.0


def segment(
    index: int,
    *,
    length: float = 2.0,
    size: int = 100,
    folder: Path = Path("/seg"),
    start: float | None = None,
    run: str = "r0001",
) -> Segment:
    begin = T0 + index * length if start is None else start
    return Segment(
        path=folder / f"{run}-{index:06d}.ts", start=begin, end=begin + length, size=size, run=run
    )


def segments(count: int, **kwargs) -> list[Segment]:
    return [segment(i, **kwargs) for i in range(count)]
