"""Builders of events, descriptors and creators for the interactive tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from streamsuites.actions.descriptor import ActionDescriptor
from streamsuites.config.model import Creator, Limits
from streamsuites.events import Author, ChatMessage, Membership, Money, PaidSupport, StreamState

T0 = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)  # a Wednesday, ISO week 10

MOD = Author(id="m1", login="mod", display_name="Mod", roles=("moderator",))
HOST = Author(id="b1", login="host", display_name="Host", roles=("broadcaster",))


def creator(tier: str = "gold", active: int = 3, options: int = 6, cid: str = "alice") -> Creator:
    limits = Limits(max_active_polls=active, max_poll_options=options)
    return Creator(
        creator_id=cid, display_name=cid, enabled=True, tier=tier, limits=limits, platforms={}
    )


def viewer(user_id: str, name: str | None = None) -> Author:
    return Author(id=user_id, login=user_id, display_name=name or user_id)


_counter = iter(range(10**9))


def chat(
    text: str,
    author: Author | None = None,
    *,
    platform: str = "twitch",
    at: datetime = T0,
    creator_id: str = "alice",
    event_id: str | None = None,
    backfill: bool = False,
) -> ChatMessage:
    return ChatMessage(
        event_id=event_id or f"{platform}:{next(_counter)}",
        creator_id=creator_id,
        platform=platform,
        channel="alice",
        occurred_at=at,
        received_at=at,
        author=author or viewer("u1"),
        text=text,
        backfill=backfill,
    )


def support(
    support_type: str,
    micros: int,
    currency: str,
    author: Author,
    *,
    platform: str = "youtube",
    at: datetime = T0,
) -> PaidSupport:
    return PaidSupport(
        event_id=f"{platform}:{next(_counter)}",
        creator_id="alice",
        platform=platform,
        channel="alice",
        occurred_at=at,
        received_at=at,
        author=author,
        amount=Money(amount_micros=micros, currency=currency),
        support_type=support_type,  # type: ignore[arg-type]
    )


def membership(
    membership_type: str,
    author: Author,
    *,
    platform: str = "twitch",
    gift_count: int | None = None,
    at: datetime = T0,
) -> Membership:
    return Membership(
        event_id=f"{platform}:{next(_counter)}",
        creator_id="alice",
        platform=platform,
        channel="alice",
        occurred_at=at,
        received_at=at,
        author=author,
        membership_type=membership_type,  # type: ignore[arg-type]
        gift_count=gift_count,
    )


def online(stream_id: str, at: datetime = T0) -> StreamState:
    return StreamState(
        event_id=f"twitch:{next(_counter)}",
        creator_id="alice",
        platform="twitch",
        channel="alice",
        occurred_at=at,
        received_at=at,
        state="online",
        stream_id=stream_id,
    )


def action(
    action_type: str,
    payload: dict[str, Any],
    *,
    at: datetime = T0,
    action_id: str | None = None,
    platform: str = "twitch",
    creator_id: str = "alice",
) -> ActionDescriptor:
    return ActionDescriptor(
        action_id=action_id or f"act_{next(_counter)}",
        action_type=action_type,
        creator_id=creator_id,
        platform=platform,
        trigger_id="t1",
        event_id="twitch:e",
        payload=payload,
        created_at=at,
    )


def later(**delta: float) -> datetime:
    return T0 + timedelta(**delta)
