"""``quotas.json``: API quota usage per platform, built without I/O.

Whoever tracks a quota hands :func:`build_quotas` a sequence of :class:`QuotaUsage`; the
YouTube quota planner (``connectors/youtube/quota.py``) is the first. ``reset_at`` must be the
*next* reset: :func:`next_midnight` computes it (the original wrote today's midnight, a time
already past).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Literal

from streamsuites.state.render import header, iso

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import tzinfo

__all__ = ["ChatInterval", "QuotaStatus", "QuotaUsage", "build_quotas", "next_midnight"]

QuotaStatus = Literal["ok", "buffer", "exhausted"]
"""``buffer``: usage has reached the safety buffer below the maximum; ``exhausted``: none left."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ChatInterval:
    """How often one chat on a quota is polled now."""

    chat_key: str
    interval_seconds: float | None
    """The wait before the chat's next poll; None before its first plan."""
    messages_per_second: float | None = None
    """The chat's smoothed message rate, once measured."""
    streaming_since: float | None = None
    """When the chat's stream started, as the planner counts it (epoch seconds)."""
    expected_seconds: float | None = None
    """How long the planner expects the stream to run in all (known or guessed)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class QuotaUsage:
    """One quota's usage in its current window."""

    platform: str
    scope: Literal["creator", "project"]
    scope_id: str
    """The creator id or the API project id the quota belongs to."""
    window: str
    """How often it resets, e.g. ``daily``."""
    used: int
    max: int
    remaining: int
    reset_at: float
    """Epoch seconds of the next reset, always in the future when built."""
    status: QuotaStatus
    forecast_used: int | None = None
    """Usage expected by ``reset_at`` at the current rate, if the tracker forecasts."""
    forecast_exhausted_at: float | None = None
    """When the quota will run out at the current rate, if before ``reset_at``."""
    reserve: int | None = None
    """Units kept back from polling for sends and discovery, if the tracker keeps a reserve."""
    chats: tuple[ChatInterval, ...] = ()
    """The chats drawing on this quota, with their current poll intervals."""


def build_quotas(quotas: Iterable[QuotaUsage], *, now: float) -> dict[str, Any]:
    """Return quotas.json, entries sorted by platform, scope and id."""
    ordered = sorted(quotas, key=lambda q: (q.platform, q.scope, q.scope_id, q.window))
    return {**header(now), "platforms": [_quota(q) for q in ordered]}


def _quota(quota: QuotaUsage) -> dict[str, Any]:
    return {
        "platform": quota.platform,
        "scope": quota.scope,
        "scope_id": quota.scope_id,
        "creator_id": quota.scope_id if quota.scope == "creator" else None,
        "window": quota.window,
        "used": quota.used,
        "max": quota.max,
        "remaining": quota.remaining,
        "reset_at": iso(quota.reset_at),
        "status": quota.status,
        "forecast_used": quota.forecast_used,
        "forecast_exhausted_at": iso(quota.forecast_exhausted_at),
        "reserve": quota.reserve,
        "chats": [_chat(chat) for chat in sorted(quota.chats, key=lambda c: c.chat_key)],
    }


def _chat(chat: ChatInterval) -> dict[str, Any]:
    return {
        "chat_key": chat.chat_key,
        "interval_seconds": _rounded(chat.interval_seconds, 3),
        "messages_per_second": _rounded(chat.messages_per_second, 3),
        "streaming_since": iso(chat.streaming_since),
        "expected_seconds": _rounded(chat.expected_seconds, 0),
    }


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def next_midnight(now: float, tz: tzinfo = UTC) -> float:
    """Return the epoch seconds of the first midnight in `tz` strictly after `now`."""
    local = datetime.fromtimestamp(now, tz=tz)
    tomorrow = datetime.combine(local.date() + timedelta(days=1), time(), tzinfo=tz)
    return tomorrow.timestamp()
