"""A connector that plays a script instead of talking to a platform, for tests and examples.

Each call of :meth:`ScriptedConnector.run` plays the next *session* of the script: a list of
steps such as "connect", "emit these events", "fail with this error". When the sessions run
out, the connector stays connected and quiet until it is cancelled. Messages the runtime sends
through it are kept in ``sent``, as a platform would show them in chat.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from streamsuites.actions.outbox import SendOutcome
from streamsuites.clock import SystemClock
from streamsuites.events import Author, ChatMessage, native_event_id

if TYPE_CHECKING:
    from collections.abc import Sequence

    from streamsuites.actions.outbox import OutboundMessage
    from streamsuites.clock import Clock
    from streamsuites.connectors.base import ConnectorLink
    from streamsuites.events import Event

__all__ = [
    "Connect",
    "Emit",
    "Fail",
    "Hang",
    "ScriptedConnector",
    "Step",
    "Wait",
    "chat_message",
    "chat_messages",
]


@dataclass(frozen=True, slots=True)
class Connect:
    """Report the handshake as done."""


@dataclass(frozen=True, slots=True)
class Emit:
    """Append these events through the link."""

    events: Sequence[Event]


@dataclass(frozen=True, slots=True)
class Fail:
    """End the session by raising `error`."""

    error: BaseException


@dataclass(frozen=True, slots=True)
class Wait:
    """Stay connected for `seconds` on the connector's clock, sending nothing."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Hang:
    """Stay in the session until cancelled, optionally sending keepalives every `keepalive` s."""

    keepalive: float | None = None


Step = Connect | Emit | Fail | Wait | Hang


@dataclass
class ScriptedConnector:
    """Plays `sessions` one per connection attempt; records what happened in `attempts`."""

    sessions: list[list[Step]]
    clock: Clock = field(default_factory=SystemClock)
    attempts: int = 0
    emitted: list[Event] = field(default_factory=list)
    sent: list[OutboundMessage] = field(default_factory=list)

    async def send(self, message: OutboundMessage) -> SendOutcome:
        """Deliver `message` (the outbox's Sender protocol)."""
        self.sent.append(message)
        return SendOutcome.delivered()

    async def run(self, link: ConnectorLink) -> None:
        """Play the next session of the script."""
        self.attempts += 1
        steps: list[Step] = self.sessions.pop(0) if self.sessions else [Connect(), Hang()]
        for step in steps:
            await self._play(step, link)

    async def _play(self, step: Step, link: ConnectorLink) -> None:
        match step:
            case Connect():
                link.connected()
            case Emit(events):
                await link.emit(events)
                self.emitted.extend(events)
            case Fail(error):
                raise error
            case Wait(seconds):
                await self.clock.sleep(seconds)
            case Hang(keepalive):
                await _hang(link, keepalive)


async def _hang(link: ConnectorLink, keepalive: float | None) -> None:
    if keepalive is None:
        await asyncio.Event().wait()
    while keepalive is not None:
        await asyncio.sleep(keepalive)
        link.frame_received()


_ids = itertools.count(1)


def chat_message(
    creator_id: str,
    platform: str,
    text: str,
    *,
    login: str = "viewer",
    roles: tuple[str, ...] = (),
    at: datetime | None = None,
    channel: str = "demo",
) -> ChatMessage:
    """Return one chat message from `login` with a fresh id, sent `at` (default: now)."""
    n = next(_ids)
    moment = at or datetime.now(UTC)
    return ChatMessage(
        event_id=native_event_id(platform, f"chat-{n}"),
        creator_id=creator_id,
        platform=platform,
        channel=channel,
        occurred_at=moment,
        received_at=moment,
        author=Author(id=f"{platform}-{login}", login=login, display_name=login, roles=roles),
        text=text,
    )


def chat_messages(
    creator_id: str, platform: str, count: int, *, channel: str = "demo", prefix: str = "msg"
) -> list[Event]:
    """Return `count` distinct chat messages with fresh ids, as a platform would deliver them."""
    now = datetime.now(UTC)
    messages: list[Event] = []
    for _ in range(count):
        n = next(_ids)
        messages.append(
            ChatMessage(
                event_id=native_event_id(platform, f"{prefix}-{n}"),
                creator_id=creator_id,
                platform=platform,
                channel=channel,
                occurred_at=now,
                received_at=now,
                author=Author(id=f"u{n % 7}", login=f"viewer{n % 7}"),
                text=f"{prefix} {n}",
            )
        )
    return messages
