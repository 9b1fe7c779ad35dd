"""Capped exponential backoff with full jitter, shared by everything that retries.

Connectors (through their supervisor), webhook deliveries and clip capture processes all wait
the same way after a failure: a delay drawn uniformly from ``[0, min(cap, base * 2**attempt)]``
("full jitter"), so many clients failing together do not retry together, and a connection that
stayed healthy for ``healthy_after`` seconds starts again from the smallest delay.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import random

__all__ = ["Backoff", "BackoffPolicy"]


@dataclass(frozen=True, slots=True, kw_only=True)
class BackoffPolicy:
    """How long to wait between attempts."""

    base: float = 1.0
    cap: float = 60.0
    healthy_after: float = 60.0
    """A connection that lasted this many seconds resets the backoff."""


class Backoff:
    """Capped exponential backoff with full jitter; `reset` after a healthy connection."""

    def __init__(self, policy: BackoffPolicy, rng: random.Random) -> None:
        self._policy = policy
        self._rng = rng
        self.attempt = 0

    def ceiling(self) -> float:
        """Return the largest delay the next attempt may draw."""
        # Cap the exponent too, so a connector failing for days never overflows a float.
        return min(self._policy.cap, self._policy.base * 2.0 ** min(self.attempt, 32))

    def next_delay(self) -> float:
        """Draw the next delay and count the attempt."""
        delay = self._rng.uniform(0, self.ceiling())
        self.attempt += 1
        return delay

    def reset(self) -> None:
        """Start again from the smallest ceiling."""
        self.attempt = 0
