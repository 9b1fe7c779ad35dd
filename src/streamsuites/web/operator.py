"""Operator actions from the web API, turned into action descriptors the executor performs.

An operator's message, poll open/close or manual trigger run becomes an
:class:`~streamsuites.actions.descriptor.ActionDescriptor` and goes through
:meth:`ActionExecutor.perform <streamsuites.actions.executor.ActionExecutor.perform>`: the same
audit log, handler table and durable outbox as a trigger's reply, so it is performed at most
once and a message is delivered even across a reconnect. The descriptor builders are pure.

An action's id comes from the request's ``Idempotency-Key`` when given, so a client that
retries after a timeout does not send twice; otherwise from a fresh random key.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from streamsuites.actions.audit import ActionStatus
from streamsuites.actions.descriptor import ActionDescriptor, action_id_for
from streamsuites.clock import utc_from_timestamp
from streamsuites.events import SystemEvent
from streamsuites.triggers.values import EvalContext, placeholder_values, render_payload
from streamsuites.web.errors import ApiError

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Collection
    from datetime import datetime

    from streamsuites.actions.audit import ActionResult
    from streamsuites.clock import Clock
    from streamsuites.config.model import Config
    from streamsuites.triggers import Trigger, TriggerSet

__all__ = [
    "MAX_MESSAGE",
    "OPERATOR_TRIGGER",
    "Operator",
    "Performed",
    "message_descriptor",
    "operator_action_id",
    "poll_descriptor",
    "trigger_descriptors",
]

OPERATOR_TRIGGER: Final = "operator"
"""The ``trigger_id`` of every action an operator asked for directly."""
MAX_MESSAGE: Final = 500
"""Longest chat message an operator may send (Twitch's limit; the others allow at least this)."""


def operator_action_id(kind: str, key: str) -> str:
    """Return the action id of an operator request: the same `key` gives the same id."""
    digest = hashlib.sha256(f"{kind}\x1f{key}".encode()).hexdigest()
    return f"op_{digest[:32]}"


def message_descriptor(
    *, creator_id: str, platform: str, text: str, channel: str | None, key: str, at: datetime
) -> ActionDescriptor:
    """Return the ``send_chat_message`` of an operator's message."""
    payload: dict[str, Any] = {"text": text}
    if channel:
        payload["channel"] = channel
    return _descriptor("send_chat_message", creator_id, platform, payload, key, at)


def poll_descriptor(
    *, action_type: str, poll_id: str, creator_id: str, platform: str, key: str, at: datetime
) -> ActionDescriptor:
    """Return the ``poll_open`` or ``poll_close`` of an operator's request."""
    payload = {"poll_id": poll_id}
    return _descriptor(action_type, creator_id, platform, payload, key, at)


def _descriptor(
    action_type: str, creator_id: str, platform: str, payload: dict[str, Any], key: str,
    at: datetime,
) -> ActionDescriptor:  # fmt: skip
    return ActionDescriptor(
        action_id=operator_action_id(action_type, key),
        action_type=action_type,
        creator_id=creator_id,
        platform=platform,
        trigger_id=OPERATOR_TRIGGER,
        event_id=f"{OPERATOR_TRIGGER}:{key}",
        payload=payload,
        created_at=at,
    )


def trigger_descriptors(
    trigger: Trigger, *, creator_name: str, platform: str, key: str, at: datetime
) -> list[ActionDescriptor]:
    """Return a trigger's actions as a manual run renders them (no chat message behind it).

    The run stands on a system event of `platform` with no author and no text, so ``{user}``
    and ``{message}`` render empty; cooldowns do not apply to an operator.
    """
    event = SystemEvent(
        event_id=f"{OPERATOR_TRIGGER}:{key}", creator_id=trigger.creator_id, platform=platform,
        channel="", occurred_at=at, received_at=at, code="operator_run",
    )  # fmt: skip
    values = placeholder_values(
        event,
        trigger,
        count=1,
        now=at.timestamp(),
        context=EvalContext(),
        creator_name=creator_name,
    )
    return [
        ActionDescriptor(
            action_id=action_id_for(trigger.trigger_id, event.event_id, index),
            action_type=action.action_type,
            creator_id=trigger.creator_id,
            platform=action.platform or platform,
            trigger_id=trigger.trigger_id,
            event_id=event.event_id,
            payload=render_payload(action.payload, values),
            created_at=at,
        )
        for index, action in enumerate(trigger.actions)
    ]


@dataclass(frozen=True, slots=True)
class Performed:
    """One action an operator request caused, and how it ended."""

    descriptor: ActionDescriptor
    result: ActionResult

    @property
    def failed(self) -> bool:
        """Whether the action failed."""
        return self.result.status is ActionStatus.FAILED

    def to_json(self) -> dict[str, Any]:
        """Return the API's view of it."""
        return {
            "action_id": self.descriptor.action_id,
            "action_type": self.descriptor.action_type,
            "platform": self.descriptor.platform,
            "status": self.result.status.value,
            "reason": self.result.reason,
        }


class Operator:
    """Validates operator requests against the config and performs them through the executor.

    `perform` is the executor's entry point; `connectors` holds the (creator, platform) pairs
    with a running outbox, the only places a message can go.
    """

    def __init__(
        self,
        *,
        perform: Callable[[ActionDescriptor], Awaitable[ActionResult]],
        config: Config,
        triggers: TriggerSet,
        connectors: Collection[tuple[str, str]],
        clock: Clock,
    ) -> None:
        self._perform, self._config, self._triggers = perform, config, triggers
        self._connectors, self._clock = connectors, clock

    async def send_message(
        self, creator_id: str, platform: str, text: str, channel: str | None, key: str
    ) -> Performed:
        """Queue a chat message as the creator on `platform`."""
        self._require_creator(creator_id)
        if (creator_id, platform) not in self._connectors:
            raise ApiError.bad("platform", f"{creator_id} has no running {platform} connector")
        descriptor = message_descriptor(
            creator_id=creator_id, platform=platform, text=text, channel=channel, key=key,
            at=self._now(),
        )  # fmt: skip
        return Performed(descriptor, await self._perform(descriptor))

    async def poll(
        self, action_type: str, poll_id: str, creator_id: str, platform: str | None, key: str
    ) -> Performed:
        """Open or close `poll_id` of `creator_id`."""
        platform = self._platform_of(creator_id, platform)
        descriptor = poll_descriptor(
            action_type=action_type, poll_id=poll_id, creator_id=creator_id, platform=platform,
            key=key, at=self._now(),
        )  # fmt: skip
        return Performed(descriptor, await self._perform(descriptor))

    async def run_trigger(
        self, trigger_id: str, creator_id: str, platform: str | None, key: str
    ) -> list[Performed]:
        """Perform every action of `trigger_id` once, as if it had fired on `platform`."""
        trigger = self._trigger(trigger_id, creator_id)
        if platform is None and len(trigger.platforms) == 1:
            platform = next(iter(trigger.platforms))
        platform = self._platform_of(creator_id, platform)
        name = self._config.creator(creator_id)
        descriptors = trigger_descriptors(
            trigger, creator_name=name.display_name if name else creator_id, platform=platform,
            key=key, at=self._now(),
        )  # fmt: skip
        return [Performed(d, await self._perform(d)) for d in descriptors]

    def _now(self) -> datetime:
        return utc_from_timestamp(self._clock.time())

    def _require_creator(self, creator_id: str) -> None:
        if self._config.creator(creator_id) is None:
            raise ApiError(404, "not_found", f"no creator {creator_id!r}", parameter="creator_id")

    def _platform_of(self, creator_id: str, platform: str | None) -> str:
        """Return `platform` if the creator has it, else the creator's first platform."""
        self._require_creator(creator_id)
        creator = self._config.creator(creator_id)
        names = sorted(creator.platforms) if creator else []
        if platform is None and names:
            return names[0]
        if platform is None or platform not in names:
            raise ApiError.bad("platform", f"{creator_id} has no platform {platform!r}")
        return platform

    def _trigger(self, trigger_id: str, creator_id: str) -> Trigger:
        self._require_creator(creator_id)
        creator = self._triggers.creators.get(creator_id)
        found = [t for t in (creator.triggers if creator else ()) if t.trigger_id == trigger_id]
        if not found:
            raise ApiError(404, "not_found", f"{creator_id} has no enabled trigger {trigger_id!r}")
        return found[0]
