"""What each YouTube Data API call costs, in quota units, and the project quota's daily window.

One table for everyone who counts: the connector charges the quota book before each call, the
planner plans with it, and the emulator charges its own ledger with it, so the three agree.

The numbers are Google's. ``liveChatMessages.*`` costs are the ones the discovery document
states (revision 20261104: list 5, insert 20, delete 20); older pages and third parties say 50
for insert, so the insert cost is an option (``insert_cost``) where the connector charges it.
Every other read used here costs 1, and ``search.list`` 100. A request that fails still costs
at least 1 unit, which is why failed calls are charged as well.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

__all__ = ["COSTS", "DAILY_UNITS", "QUOTA_TZ", "cost", "quota_day"]

COSTS: Final[dict[str, int]] = {
    "liveChatMessages.list": 5,
    "liveChatMessages.insert": 20,
    "liveChatMessages.delete": 20,
    "liveBroadcasts.list": 1,
    "videos.list": 1,
    "channels.list": 1,
    "playlistItems.list": 1,
    "search.list": 100,
}
"""Units per call, by API method name (``resource.method``)."""

DAILY_UNITS: Final = 10_000
"""A Google Cloud project's default YouTube Data API quota per day."""

QUOTA_TZ: Final = ZoneInfo("America/Los_Angeles")
"""The quota day starts at midnight Pacific time."""


def quota_day(now: float) -> str:
    """Return the quota day `now` falls in: the date in America/Los_Angeles, ISO formatted."""
    return datetime.fromtimestamp(now, tz=QUOTA_TZ).date().isoformat()


def cost(method: str) -> int:
    """Return the units `method` costs; KeyError names a method this table does not know."""
    try:
        return COSTS[method]
    except KeyError:
        raise KeyError(f"no quota cost known for YouTube method {method!r}") from None
