"""The routing table: ``action_type`` → the handler that performs it.

Two kinds of handler, told apart by how their effect is made durable:

* a :class:`RowHandler` (chat messages, clip jobs) produces rows in the actions database;
  :meth:`~RowHandler.stage` does no I/O and returns the write, which the executor commits in the
  same transaction as the audit record;
* an :class:`EffectHandler` (webhooks, poll/tally/score reducers) acts outside the database; the
  executor claims the action (``pending``) before :meth:`~EffectHandler.perform` and finishes it
  after. ``idempotent`` says whether a claim interrupted by a crash may be performed again.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeAlias, runtime_checkable

from streamsuites.actions import outbox
from streamsuites.actions.audit import ActionResult
from streamsuites.actions.outbox import OutboundMessage
from streamsuites.jobs import store as job_store

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable, Container

    from streamsuites.actions.descriptor import ActionDescriptor
    from streamsuites.events import Event

__all__ = [
    "INTERACTIVE_TYPES",
    "UNSUPPORTED",
    "ActionContext",
    "ClipJobHandler",
    "EffectHandler",
    "Handler",
    "InteractiveHandler",
    "InteractiveOutcome",
    "InteractiveSink",
    "RowHandler",
    "SendChatHandler",
    "Staged",
    "build_handlers",
]

UNSUPPORTED: Final = "unsupported action_type"
INTERACTIVE_TYPES: Final = (
    "poll_open",
    "poll_close",
    "poll_vote",
    "tally_increment",
    "score_award",
)
"""The action types the poll/tally/score reducers apply."""
DEFAULT_OUTBOX_TTL: Final = 300.0


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionContext:
    """What a handler may know besides the descriptor."""

    event: Event | None
    """The event that fired the trigger; None when a claim is resumed after a restart."""
    now: float


@dataclass(frozen=True, slots=True)
class Staged:
    """A row handler's decision: the rows to write with the audit record, and its result."""

    result: ActionResult
    write: Callable[[sqlite3.Connection], object]
    """Adds the rows; its return value is ignored."""
    after_commit: Callable[[], None] | None = None
    """Called once the transaction committed (to wake the outbox dispatcher)."""


@runtime_checkable
class RowHandler(Protocol):
    """Performs an action by writing rows in the audit record's transaction."""

    def stage(self, descriptor: ActionDescriptor, context: ActionContext) -> Staged | ActionResult:
        """Return the rows to write, or the result (a failure) if there is nothing to write."""
        ...


class EffectHandler(Protocol):
    """Performs an action outside the database, between a claim and its finish."""

    @property
    def idempotent(self) -> bool:
        """Whether performing the same ``action_id`` twice has the effect of doing it once."""
        ...

    async def perform(self, descriptor: ActionDescriptor, context: ActionContext) -> ActionResult:
        """Perform the action; return how it ended (raising counts as a failure)."""
        ...


Handler: TypeAlias = RowHandler | EffectHandler


class InteractiveOutcome(Protocol):
    """What a reducer says about one action: applied, or refused with a reason."""

    @property
    def applied(self) -> bool:
        """Whether the action changed the state."""
        ...

    @property
    def reason(self) -> str | None:
        """Why it was refused."""
        ...


class InteractiveSink(Protocol):
    """The poll/tally/score reducers; they ignore an ``action_id`` they already applied."""

    def apply_action(self, descriptor: ActionDescriptor) -> InteractiveOutcome:
        """Apply one interactive action."""
        ...


class SendChatHandler:
    """Queues ``send_chat_message`` in the outbox.

    Payload: ``text`` (required), ``channel`` (default: the event's channel when the message
    goes to the event's platform, else the connector's own), ``reply_to`` (a message id).
    `connectors`, when given, holds the (creator, platform) pairs that have a connector; a
    message to any other fails at once instead of waiting for its time to live.
    `notify(creator_id, platform)` is called after the row is committed.
    """

    def __init__(
        self,
        *,
        ttl: float = DEFAULT_OUTBOX_TTL,
        notify: Callable[[str, str], None] | None = None,
        connectors: Container[tuple[str, str]] | None = None,
    ) -> None:
        self.ttl = ttl
        self._notify = notify
        self._connectors = connectors

    def stage(self, descriptor: ActionDescriptor, context: ActionContext) -> Staged | ActionResult:
        """Return the outbox row for `descriptor`, or why there is none."""
        text = descriptor.payload.get("text")
        if not isinstance(text, str) or not text.strip():
            return ActionResult.failed("payload.text is missing or blank")
        key = (descriptor.creator_id, descriptor.platform)
        if self._connectors is not None and key not in self._connectors:
            return ActionResult.failed(f"no {descriptor.platform} connector for {key[0]}")
        message = _message(descriptor, text, context.event)
        write = partial(outbox.insert_message, message=message, now=context.now, ttl=self.ttl)
        notify = None if self._notify is None else partial(self._notify, *key)
        return Staged(ActionResult.succeeded("queued"), write, notify)


def _message(descriptor: ActionDescriptor, text: str, event: Event | None) -> OutboundMessage:
    channel = descriptor.payload.get("channel")
    if not isinstance(channel, str):
        same_platform = event is not None and event.platform == descriptor.platform
        channel = event.channel if event is not None and same_platform else ""
    reply_to = descriptor.payload.get("reply_to")
    return OutboundMessage(
        action_id=descriptor.action_id,
        creator_id=descriptor.creator_id,
        platform=descriptor.platform,
        channel=channel,
        text=text,
        reply_to=reply_to if isinstance(reply_to, str) else None,
    )


class ClipJobHandler:
    """Queues ``enqueue_clip_job`` as a durable job (``job_id`` = ``action_id``).

    The job's payload keeps the action's payload under ``request`` with where it came from:
    the platform, trigger and event, the event's chat ``channel`` (so the job's reply goes
    back to the same chat) and ``requested_at``, the event's time, which is the moment the
    clip is cut around. `notify` (the job worker's) is called once the row is committed, so
    the clip starts at once rather than at the worker's next poll.
    """

    def __init__(self, *, kind: str = "clip", notify: Callable[[], None] | None = None) -> None:
        self.kind = kind
        self._notify = notify

    def stage(self, descriptor: ActionDescriptor, context: ActionContext) -> Staged | ActionResult:
        """Return the job row for `descriptor`."""
        payload: dict[str, Any] = {
            "platform": descriptor.platform,
            "trigger_id": descriptor.trigger_id,
            "event_id": descriptor.event_id,
            "requested_at": descriptor.created_at.timestamp(),
            "request": descriptor.payload,
        }
        event = context.event
        if event is not None and event.platform == descriptor.platform:
            payload["channel"] = event.channel
        write = partial(
            job_store.insert_job,
            job_id=descriptor.action_id,
            kind=self.kind,
            creator_id=descriptor.creator_id,
            payload=payload,
            now=context.now,
        )
        return Staged(ActionResult.succeeded("job queued"), write, self._notify)


class InteractiveHandler:
    """Hands poll, tally and score actions to the reducers; a refusal is a skip, not a failure.

    Idempotent: the reducers key what they apply by ``action_id``, so an action interrupted by
    a crash is applied again after the restart without counting twice.
    """

    idempotent: Final = True

    def __init__(self, sink: InteractiveSink) -> None:
        self._sink = sink

    async def perform(self, descriptor: ActionDescriptor, context: ActionContext) -> ActionResult:
        """Apply `descriptor` through the reducers."""
        outcome = self._sink.apply_action(descriptor)
        if outcome.applied:
            return ActionResult.succeeded()
        return ActionResult.skipped(outcome.reason or "refused")


def build_handlers(
    *,
    send_chat: SendChatHandler | None = None,
    clip_jobs: ClipJobHandler | None = None,
    interactive: InteractiveSink | None = None,
    webhook: EffectHandler | None = None,
) -> dict[str, Handler]:
    """Return the routing table; a type whose handler is not given fails as unsupported."""
    table: dict[str, Handler] = {
        "send_chat_message": send_chat or SendChatHandler(),
        "enqueue_clip_job": clip_jobs or ClipJobHandler(),
    }
    if interactive is not None:
        table.update(dict.fromkeys(INTERACTIVE_TYPES, InteractiveHandler(interactive)))
    if webhook is not None:
        table["http_webhook"] = webhook
    return table
