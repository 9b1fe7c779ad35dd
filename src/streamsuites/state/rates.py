"""``telemetry/rates.json``: how many messages, triggers and actions arrived recently.

:class:`RateTracker` keeps counter samples (one per snapshot) for five minutes and sums the
increases over a window. A counter that goes *down* was reset (a restart, a recreated
connector): its new value is counted as the increase since the reset, never a negative rate.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from streamsuites.state.render import header

if TYPE_CHECKING:
    from collections.abc import Mapping

    from streamsuites.state.runtime_state import Counters

__all__ = ["METRICS", "WINDOWS", "RateTracker", "build_rates"]

METRICS = ("messages", "triggers", "actions", "actions_failed")

WINDOWS: tuple[tuple[str, float], ...] = (("60s", 60.0), ("5m", 300.0))
"""Window label and length in seconds; the longest one bounds the history kept."""

Totals = dict[str, dict[str, int]]
"""metric → platform → count."""


@dataclass(frozen=True, slots=True)
class _Sample:
    at: float
    values: Mapping[str, Mapping[str, int]]
    """platform → metric → counter value."""


class RateTracker:
    """Counter samples over the longest window, and the increases within each window."""

    def __init__(self, history: float = WINDOWS[-1][1]) -> None:
        self._history = history
        self._samples: deque[_Sample] = deque()

    def sample(self, platform_counters: Mapping[str, Counters], now: float) -> None:
        """Record the counters at `now` and forget samples older than the history."""
        values = {
            platform: {m: int(getattr(counters, m)) for m in METRICS}
            for platform, counters in platform_counters.items()
        }
        self._samples.append(_Sample(now, values))
        while self._samples and self._samples[0].at < now - self._history:
            self._samples.popleft()

    def totals(self, window: float, now: float) -> Totals:
        """Return the increase of each metric per platform over the last `window` seconds."""
        inside = [s for s in self._samples if s.at >= now - window]
        platforms = sorted(self._samples[-1].values) if self._samples else []
        totals: Totals = {m: dict.fromkeys(platforms, 0) for m in METRICS}
        for before, after in zip(inside, inside[1:], strict=False):
            _accumulate(totals, before, after)
        return totals


def _accumulate(totals: Totals, before: _Sample, after: _Sample) -> None:
    for platform, values in after.values.items():
        previous = before.values.get(platform, {})
        for metric, value in values.items():
            if platform in totals[metric]:
                totals[metric][platform] += _increase(previous.get(metric, 0), value)


def _increase(previous: int, value: int) -> int:
    # A counter that went down started again from zero, so all of `value` is new.
    return value - previous if value >= previous else value


def build_rates(tracker: RateTracker, *, now: float) -> dict[str, Any]:
    """Return rates.json with the original's ``windows`` and the dashboard's ``metrics``."""
    per_window = [(label, seconds, tracker.totals(seconds, now)) for label, seconds in WINDOWS]
    metrics = [
        _metric(label, seconds, metric, platform, count)
        for label, seconds, totals in per_window
        for metric in METRICS
        for platform, count in totals[metric].items()
    ]
    return {
        **header(now),
        "window": ", ".join(label for label, _ in WINDOWS),
        "windows": [{"window": label, "metrics": totals} for label, _, totals in per_window],
        "metrics": metrics,
        "rates": {m["key"]: m["value"] for m in metrics},
    }


def _metric(label: str, seconds: float, metric: str, platform: str, count: int) -> dict[str, Any]:
    return {
        "key": f"{platform}.{metric}.{label}",
        "label": f"{platform} {metric.replace('_', ' ')} ({label})",
        "platform": platform,
        "metric": metric,
        "window": label,
        "value": count,
        "unit": f"per {label}",
        "per_minute": round(count * 60.0 / seconds, 2),
    }
