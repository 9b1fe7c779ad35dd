"""Twitch ingest, part 1: parse + translate real IRC lines, against miniirc's parser alone.

Lines: ../shared/corpora/twitch-irc/xqcow-channel.txt.gz (5,000 real #xqcow lines), repeated
to --lines. Ours: ``translate(parse_line(line), ...)`` into normalized events. Reference:
miniirc's ``ircv3_message_parser`` (parse only, no events) on the same lines. Both are timed
in the same process, pinned to one CPU; the median of --runs runs is reported.

Parts 2 and 3 (through a socket, against the Twitch emulator) come with the emulator.

Run: .venv/bin/python benchmarks/twitch_ingest.py [--lines 200000] [--runs 5]
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from streamsuites.connectors.twitch.protocol import parse_line
from streamsuites.connectors.twitch.translate import translate

CORPUS = Path(__file__).resolve().parents[2] / "shared/corpora/twitch-irc/xqcow-channel.txt.gz"
TARGET = 2.5


def pin_one_core() -> str:
    """Pin this process to one CPU if the OS allows; say which."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned"
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def load_lines(count: int) -> list[str]:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as file:
        corpus = file.read().splitlines()
    return (corpus * (count // len(corpus) + 1))[:count]


def time_loop(lines: list[str], work: Callable[[str], Any], runs: int) -> float:
    """Return the median lines/s of `work` over `lines`."""
    rates = []
    for _ in range(runs):
        start = time.perf_counter()
        for line in lines:
            work(line)
        rates.append(len(lines) / (time.perf_counter() - start))
    return statistics.median(rates)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    try:
        import miniirc  # type: ignore[import-untyped]  # no stubs
    except ImportError:
        print("miniirc is not installed: .venv/bin/pip install miniirc", file=sys.stderr)
        return 2
    if not CORPUS.is_file():
        print(f"corpus not found at {CORPUS}", file=sys.stderr)
        return 2
    print(pin_one_core(), f"Python {sys.version.split()[0]}, miniirc {miniirc.__version__}")
    lines = load_lines(args.lines)
    now = datetime.now(UTC)

    def ours(line: str) -> object:
        return translate(parse_line(line), creator_id="xqc", received_at=now)

    rates = {
        "ours: parse_line + translate": time_loop(lines, ours, args.runs),
        "ours: parse_line only": time_loop(lines, parse_line, args.runs),
        "miniirc: ircv3_message_parser only": time_loop(
            lines, miniirc.ircv3_message_parser, args.runs
        ),
    }
    for name, rate in rates.items():
        print(f"{name:38} {rate:12,.0f} lines/s  {1e6 / rate:6.2f} µs/line")
    ratio = rates["ours: parse_line + translate"] / rates["miniirc: ircv3_message_parser only"]
    parse_ratio = rates["ours: parse_line only"] / rates["miniirc: ircv3_message_parser only"]
    verdict = "meets" if ratio >= TARGET else "misses"
    print(f"parse+translate / miniirc parse = {ratio:.2f}x ({verdict} the {TARGET}x target)")
    print(f"parse only / miniirc parse = {parse_ratio:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
