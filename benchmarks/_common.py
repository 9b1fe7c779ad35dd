"""What the benchmarks share: where the corpus is, and pinning to one core."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["CORPUS", "pin_one_core"]

CORPUS = Path(__file__).resolve().parents[2] / "shared/corpora/twitch-irc/xqcow-channel.txt.gz"
"""5,000 real Twitch IRC lines, in ../shared/corpora beside the checkout."""


def pin_one_core(index: int = 0) -> str:
    """Pin this process to the `index`-th allowed CPU (wrapping) if the OS allows; say which."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned"
    cpus = sorted(os.sched_getaffinity(0))
    cpu = cpus[index % len(cpus)]
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"
