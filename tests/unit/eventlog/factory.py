"""Events for the event log tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from streamsuites.events import Author, ChatMessage, Moderation

BASE = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def chat(
    n: int,
    *,
    creator: str = "alice",
    platform: str = "twitch",
    channel: str = "alice",
    stream_id: str | None = None,
    at: datetime | None = None,
) -> ChatMessage:
    """Chat message number `n`, `n` seconds after BASE unless `at` says otherwise."""
    occurred = at if at is not None else BASE + timedelta(seconds=n)
    return ChatMessage(
        event_id=f"{platform}:m{n}",
        creator_id=creator,
        platform=platform,
        channel=channel,
        occurred_at=occurred,
        received_at=occurred + timedelta(milliseconds=30),
        stream_id=stream_id,
        author=Author(id=f"u{n % 7}", login=f"user{n % 7}", roles=("subscriber",)),
        text=f"message {n} " + "x" * (n % 40),
    )


def ban(n: int, *, creator: str = "alice") -> Moderation:
    """A moderation event number `n`."""
    occurred = BASE + timedelta(seconds=n)
    return Moderation(
        event_id=f"twitch:ban{n}",
        creator_id=creator,
        platform="twitch",
        channel=creator,
        occurred_at=occurred,
        received_at=occurred,
        action="ban",
        target=Author(id="troll"),
    )
