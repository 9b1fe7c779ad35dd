"""Descriptors, events, evaluators and senders for the action tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from streamsuites.actions.descriptor import ActionDescriptor, action_id_for
from streamsuites.actions.executor import Decisions
from streamsuites.actions.outbox import OutboundMessage, SendOutcome
from streamsuites.events import Author, ChatMessage

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from streamsuites.events import Event

BASE = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def chat(n: int, text: str, *, platform: str = "twitch", backfill: bool = False) -> ChatMessage:
    at = BASE + timedelta(seconds=n)
    return ChatMessage(
        event_id=f"{platform}:m{n}",
        creator_id="alice",
        platform=platform,
        channel="alice_chan",
        occurred_at=at,
        received_at=at,
        author=Author(id=f"u{n}", login=f"user{n}"),
        text=text,
        backfill=backfill,
    )


def descriptor(
    action_type: str = "send_chat_message",
    payload: Mapping[str, Any] | None = None,
    *,
    trigger_id: str = "t.hello",
    event_id: str = "twitch:m1",
    index: int = 0,
    platform: str = "twitch",
) -> ActionDescriptor:
    return ActionDescriptor(
        action_id=action_id_for(trigger_id, event_id, index),
        action_type=action_type,
        creator_id="alice",
        platform=platform,
        trigger_id=trigger_id,
        event_id=event_id,
        payload=dict(payload if payload is not None else {"text": "hi"}),
        created_at=BASE,
    )


@dataclass
class ScriptedEvaluator:
    """Fires trigger ``t.<command>`` on a message ``!<command>``, with the scripted actions."""

    script: Mapping[str, Sequence[tuple[str, Mapping[str, Any]]]]
    calls: list[str] = field(default_factory=list)

    def __call__(self, event: Event, now: float) -> Decisions:
        self.calls.append(event.event_id)
        command = event.text.removeprefix("!")
        actions = self.script.get(command)
        if not event.text.startswith("!") or actions is None:
            return Decisions()
        trigger_id = f"t.{command}"
        return Decisions(
            tuple(
                descriptor(
                    action_type,
                    payload,
                    trigger_id=trigger_id,
                    event_id=event.event_id,
                    index=i,
                    platform=event.platform,
                )
                for i, (action_type, payload) in enumerate(actions)
            ),
            fired=1,
        )


@dataclass
class FakeSender:
    """Records what it sends; answers with the queued outcomes, then ``delivered``."""

    outcomes: list[SendOutcome] = field(default_factory=list)
    sent: list[OutboundMessage] = field(default_factory=list)

    async def send(self, message: OutboundMessage) -> SendOutcome:
        self.sent.append(message)
        return self.outcomes.pop(0) if self.outcomes else SendOutcome.delivered()


@dataclass(frozen=True)
class Outcome:
    applied: bool
    reason: str | None = None


@dataclass
class FakeReducers:
    """Applies each action_id once, as the real reducers promise; refuses ``refuse`` types."""

    refuse: set[str] = field(default_factory=set)
    applied: list[str] = field(default_factory=list)
    calls: int = 0

    def apply_action(self, descriptor: ActionDescriptor) -> Outcome:
        self.calls += 1
        if descriptor.action_type in self.refuse:
            return Outcome(False, "poll is closed")
        if descriptor.action_id not in self.applied:
            self.applied.append(descriptor.action_id)
        return Outcome(True)
