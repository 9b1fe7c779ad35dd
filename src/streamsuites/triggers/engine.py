"""The trigger engine: a pure function from (event, triggers, state, now) to actions and state.

:meth:`TriggerEngine.evaluate` finds the candidate triggers of an event without looping over
all of them (:class:`~streamsuites.triggers.matcher.TextMatcher` for the text, an index by event
kind), then checks each candidate's platforms,
permission and cooldowns in trigger-id order and renders its actions into
:class:`~streamsuites.actions.descriptor.ActionDescriptor` values. It does no I/O besides
logging a trigger that raised; that trigger is reported in ``failures`` and the others still run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import msgspec

from streamsuites.actions.descriptor import ActionDescriptor, action_id_for
from streamsuites.events import event_kind
from streamsuites.triggers.cooldowns import EngineState
from streamsuites.triggers.model import author_permission
from streamsuites.triggers.values import EvalContext, placeholder_values, render_payload

if TYPE_CHECKING:
    from collections.abc import Sequence

    from streamsuites.events import Event
    from streamsuites.triggers.compile import CreatorTriggers, TriggerSet
    from streamsuites.triggers.model import ActionTemplate, Trigger

__all__ = ["EvalContext", "Evaluation", "TriggerEngine", "TriggerFailure"]

logger = logging.getLogger("streamsuites.triggers")

_SUBTYPE_FIELDS: Final = {
    "paid_support": "support_type",
    "membership": "membership_type",
    "moderation": "action",
    "stream_state": "state",
}
_REPLYABLE: Final = frozenset({"chat_message", "paid_support"})


@dataclass(frozen=True, slots=True)
class TriggerFailure:
    """A trigger raised while handling an event; the other triggers were still evaluated."""

    trigger_id: str
    event_id: str
    error: str


class Evaluation(msgspec.Struct, frozen=True):
    """What one event caused: actions to run, the next state, who fired and who failed.

    A frozen msgspec Struct rather than a frozen dataclass: every event builds one, and this is
    ~6x cheaper to construct (80 ns against 530 ns), a sixth of the whole no-match path.
    """

    descriptors: tuple[ActionDescriptor, ...]
    state: EngineState
    fired: tuple[str, ...] = ()
    failures: tuple[TriggerFailure, ...] = ()


class TriggerEngine:
    """Evaluates events against a compiled :class:`TriggerSet`; holds no mutable state.

    (It remembers the last "nothing fired" :class:`Evaluation` so that the common case, a
    message that fires nothing, returns it again instead of building an equal one.)
    """

    __slots__ = ("_creators", "_nothing", "trigger_set")

    def __init__(self, trigger_set: TriggerSet) -> None:
        self.trigger_set = trigger_set
        self._creators = trigger_set.creators
        self._nothing = Evaluation((), EngineState())

    def evaluate(
        self, event: Event, state: EngineState, now: float, context: EvalContext | None = None
    ) -> Evaluation:
        """Return the actions `event` fires at `now` and the state after them.

        Pass the event's ``occurred_at`` (epoch seconds) as `now` so that replaying a log gives
        the same cooldowns. Backfilled events and our own bot's messages fire nothing.
        """
        creator = self._creators.get(event.creator_id)
        if creator is not None and not event.backfill:
            # Written out in one function: this runs for every message, ~1 µs in all.
            kind = event_kind(event)
            text = event.text
            listeners = creator.by_kind.get(kind, ())
            if text and kind in creator.text_kinds:
                found = creator.text.match(text)
                if listeners and found:
                    candidates: Sequence[int] = sorted({*listeners, *found})
                else:
                    candidates = found or listeners
            else:
                candidates = listeners
            if candidates:
                ids = creator.trigger_ids
                candidates = state.ready_among(creator.creator_id, ids, candidates, now)
            if candidates and not _is_own(creator, event):
                run = _Run(creator, event, kind, context or EvalContext())
                return run.fire(candidates, state, now)
        nothing = self._nothing
        if nothing.state is not state:
            nothing = self._nothing = Evaluation((), state)
        return nothing


def _is_own(creator: CreatorTriggers, event: Event) -> bool:
    author = event.author
    if author is None or not creator.bot_logins:
        return False
    return author.login.lower() in creator.bot_logins.get(event.platform, ())


def _user_key(event: Event) -> str | None:
    return None if event.author is None else f"{event.platform}:{event.author.id}"


class _Run:
    """One evaluation of one event: the candidates in order, isolated from each other."""

    def __init__(
        self, creator: CreatorTriggers, event: Event, kind: str, context: EvalContext
    ) -> None:
        self.creator = creator
        self.event = event
        self.kind = kind
        self.subtype: str | None = getattr(event, _SUBTYPE_FIELDS.get(kind, ""), None)
        self.context = context
        self.descriptors: list[ActionDescriptor] = []
        self.fired: list[str] = []
        self.failures: list[TriggerFailure] = []

    def fire(self, candidates: Sequence[int], state: EngineState, now: float) -> Evaluation:
        for position in candidates:
            state = self._one(position, state, now)
        return Evaluation(tuple(self.descriptors), state, tuple(self.fired), tuple(self.failures))

    def _one(self, position: int, state: EngineState, now: float) -> EngineState:
        trigger = self.creator.triggers[position]
        try:
            if not self._admits(trigger):
                return state
            user = _user_key(self.event)
            if not state.is_ready(trigger, user, now):
                return state
            descriptors = self._render(position, trigger, state.count(trigger) + 1, now)
            state = state.fired(trigger, user, now)
        except Exception as exc:  # noqa: BLE001 - one bad trigger must not stop the others
            self._failed(trigger, exc)
            return state
        self.descriptors.extend(descriptors)
        self.fired.append(trigger.trigger_id)
        return state

    def _admits(self, trigger: Trigger) -> bool:
        event = self.event
        if trigger.platforms and event.platform not in trigger.platforms:
            return False
        if not trigger.accepts(self.kind, self.subtype):
            return False
        return not trigger.permission or author_permission(event.author) >= trigger.permission

    def _render(
        self, position: int, trigger: Trigger, count: int, now: float
    ) -> list[ActionDescriptor]:
        values = placeholder_values(
            self.event,
            trigger,
            count=count,
            now=now,
            context=self.context,
            creator_name=self.creator.display_name,
            names=self.creator.placeholders[position],
        )
        return [
            self._descriptor(trigger, index, action, values)
            for index, action in enumerate(trigger.actions)
        ]

    def _descriptor(
        self, trigger: Trigger, index: int, action: ActionTemplate, values: dict[str, str]
    ) -> ActionDescriptor:
        event = self.event
        platform = action.platform or event.platform
        payload = render_payload(action.payload, values)
        if action.action_type == "send_chat_message" and platform == event.platform:
            payload = self._reply_fields(payload)
        return ActionDescriptor(
            action_id=action_id_for(trigger.trigger_id, event.event_id, index),
            action_type=action.action_type,
            creator_id=event.creator_id,
            platform=platform,
            trigger_id=trigger.trigger_id,
            event_id=event.event_id,
            payload=payload,
            created_at=event.occurred_at,
        )

    def _reply_fields(self, payload: dict[str, object]) -> dict[str, object]:
        event = self.event
        fields: dict[str, object] = {"channel": event.channel}
        native = _native_id(event)
        if native is not None and self.kind in _REPLYABLE:
            fields["reply_to"] = native
        return {**fields, **payload}

    def _failed(self, trigger: Trigger, exc: Exception) -> None:
        logger.exception("trigger %s failed on event %s", trigger.trigger_id, self.event.event_id)
        self.failures.append(
            TriggerFailure(trigger.trigger_id, self.event.event_id, f"{type(exc).__name__}: {exc}")
        )


def _native_id(event: Event) -> str | None:
    """Return the platform's own message id, if the event id carries one (not a content hash)."""
    prefix = f"{event.platform}:"
    if not event.event_id.startswith(prefix) or event.event_id.startswith(f"{prefix}h:"):
        return None
    return event.event_id[len(prefix) :]
