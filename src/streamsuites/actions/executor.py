"""The action executor: reads the event log through its own offset and performs actions.

For each event after its committed offset: evaluate the triggers (the lead's evaluator), then
for each descriptor either skip it (the audit log has it finished), or perform it through its
handler and record the result. Once every descriptor of an event is recorded, the evaluator's
state is saved (``save_state``) and the offset is committed, so a restart resumes at the first
event not fully handled and the audit log keeps any action from running twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Protocol, TypeAlias

from streamsuites.actions.audit import ActionResult, ActionStatus, Timing
from streamsuites.actions.handlers import UNSUPPORTED, ActionContext, RowHandler
from streamsuites.waiting import wait_for_wake

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from streamsuites.actions.audit import AuditLog, AuditRecord
    from streamsuites.actions.descriptor import ActionDescriptor
    from streamsuites.actions.handlers import EffectHandler, Handler
    from streamsuites.clock import Clock
    from streamsuites.eventlog import EventLog, LoggedEvent
    from streamsuites.events import Event
    from streamsuites.state.runtime_state import RuntimeState

__all__ = ["INTERRUPTED", "ActionExecutor", "Decisions", "Evaluator", "SaveState"]

_log = logging.getLogger("streamsuites.actions")

INTERRUPTED: Final = "interrupted by restart"
DEFAULT_BATCH: Final = 200
DEFAULT_POLL_INTERVAL: Final = 1.0


@dataclass(frozen=True, slots=True)
class Decisions:
    """What the triggers decided for one event: the actions, and how many triggers fired."""

    descriptors: Sequence[ActionDescriptor] = ()
    fired: int = 0


class Evaluator(Protocol):
    """Runs the triggers on one event; pure, so replaying an event decides the same again."""

    def __call__(self, event: Event, now: float) -> Decisions:
        """Return the actions `event` fires at `now`."""
        ...


SaveState: TypeAlias = Callable[[int], Awaitable[None]]
"""``save_state(seq)``: persist the evaluator's state as of `seq`, before the offset moves."""


class ActionExecutor:
    """The consumer ``consumer`` of `log` that turns events into performed actions."""

    def __init__(
        self,
        log: EventLog,
        evaluator: Evaluator,
        audit: AuditLog,
        handlers: Mapping[str, Handler],
        state: RuntimeState,
        clock: Clock,
        *,
        consumer: str = "actions",
        save_state: SaveState | None = None,
        batch_size: int = DEFAULT_BATCH,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
    ) -> None:
        self.consumer = consumer
        self._log = log
        self._evaluate_event = evaluator
        self._audit = audit
        self._handlers = handlers
        self._state = state
        self._clock = clock
        self._save_state = save_state
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._offset: int | None = None
        self._wake = asyncio.Event()
        self._turn = asyncio.Lock()
        """Held while a batch or an operator's action runs, so the two never interleave."""

    def notify(self) -> None:
        """Wake the executor: events were appended."""
        self._wake.set()

    async def run(self) -> None:
        """Finish what a crash interrupted, then handle events as they come, until cancelled."""
        await self.recover()
        while True:
            if not await self.run_once():
                await wait_for_wake(self._wake, self._clock, self._poll_interval)

    async def recover(self) -> int:
        """Finish every claim a crash left ``pending``; return how many there were."""
        pending = await self._audit.pending()
        for record in pending:
            await self._resume(record, None)
        return len(pending)

    async def run_once(self) -> int:
        """Handle one batch of events after the offset; return how many were read."""
        async with self._turn:
            return await self._run_batch()

    async def perform(self, descriptor: ActionDescriptor) -> ActionResult:
        """Perform an action no event fired (an operator's, from the web API); return its result.

        It takes the same path as a trigger's action: the audit log (at most once per
        ``action_id``), the handler table and so the durable outbox. It runs between two batches,
        and the evaluator's state is saved at the committed offset afterwards, so a poll an
        operator opened survives a restart like one a chat command opened.
        """
        async with self._turn:
            await self._execute(descriptor, None)
            if self._save_state is not None:
                await self._save_state(await self._committed())
        record = await self._audit.get(descriptor.action_id)
        if record is None or record.status is ActionStatus.PENDING:
            return ActionResult.failed(INTERRUPTED)
        return ActionResult(record.status, record.reason)

    async def _committed(self) -> int:
        if self._offset is None:
            self._offset = await self._log.offset(self.consumer)
        return self._offset

    async def _run_batch(self) -> int:
        # One checkpoint per batch, not per firing event: a checkpoint is two durable commits,
        # and paying them between two firing events delays every reply behind it. A crash inside
        # the batch loses nothing: the events after the checkpoint are evaluated again from the
        # saved state, which gives the same descriptors with the same action ids, and the audit
        # log already holds every one that ran, so none runs twice (see `_replay`).
        batch = await self._log.read_after(await self._committed(), limit=self._batch_size)
        for logged in batch:
            await self._handle(logged)
        if batch:
            await self._checkpoint(batch[-1].seq)
        return len(batch)

    async def _handle(self, logged: LoggedEvent) -> None:
        """Perform the actions of one event."""
        event = logged.event
        decisions = self._decide(logged)
        if decisions.fired:
            counters = self._state.connector(event.creator_id, event.platform).counters
            counters.triggers += decisions.fired
        for descriptor in decisions.descriptors:
            await self._execute(descriptor, event)

    def _decide(self, logged: LoggedEvent) -> Decisions:
        if logged.event.backfill:
            return Decisions()
        try:
            return self._evaluate_event(logged.event, self._clock.time())
        except Exception as exc:  # noqa: BLE001 - one event's failure must not stop the rest
            event_id = logged.event.event_id
            _log.exception("evaluating event %s failed", event_id)
            message = f"triggers failed on {event_id}: {exc}"
            now = self._clock.time()
            self._state.record_error("runtime", type(exc).__name__, message, now, "actions")
            return Decisions()

    async def _checkpoint(self, seq: int) -> None:
        if self._save_state is not None:
            await self._save_state(seq)
        await self._log.commit(self.consumer, seq)
        self._offset = seq

    async def _execute(self, descriptor: ActionDescriptor, event: Event | None) -> None:
        record = await self._audit.get(descriptor.action_id)
        handler = self._handlers.get(descriptor.action_type)
        if record is not None:
            await self._replay(record, handler, event)
            return
        context = ActionContext(event=event, now=self._clock.time())
        if handler is None:
            reason = f"{UNSUPPORTED} {descriptor.action_type!r}"
            await self._record(descriptor, context, ActionResult.failed(reason))
        elif isinstance(handler, RowHandler):
            await self._stage(handler, descriptor, context)
        else:
            await self._perform(handler, descriptor, context)

    async def _record(
        self, descriptor: ActionDescriptor, context: ActionContext, result: ActionResult
    ) -> None:
        await self._audit.record(descriptor, result, self._timing(context.now))
        self._count(descriptor, result)

    async def _stage(
        self, handler: RowHandler, descriptor: ActionDescriptor, context: ActionContext
    ) -> None:
        try:
            staged = handler.stage(descriptor, context)
        except Exception as exc:  # noqa: BLE001 - a handler's bug fails its action only
            staged = _failure(descriptor, exc)
        if isinstance(staged, ActionResult):
            await self._record(descriptor, context, staged)
            return
        timing = self._timing(context.now)
        await self._audit.record(descriptor, staged.result, timing, staged.write)
        self._count(descriptor, staged.result)
        if staged.after_commit is not None:
            staged.after_commit()

    async def _perform(
        self, handler: EffectHandler, descriptor: ActionDescriptor, context: ActionContext
    ) -> None:
        await self._audit.claim(descriptor, context.now)
        result = await _attempt(handler, descriptor, context)
        await self._audit.finish(descriptor.action_id, result, self._timing(context.now))
        self._count(descriptor, result)

    async def _replay(
        self, record: AuditRecord, handler: Handler | None, event: Event | None
    ) -> None:
        """Meet an action again after a restart: finish its claim, or re-apply its state.

        An idempotent handler keeps its effect in state that is saved with the offset (the
        poll, tally and score reducers). After a crash that state is restored as of the last
        checkpoint, which may predate this action even though the audit has it finished, so it
        is applied again; the reducers ignore an action id they already hold.
        """
        if not record.finished:
            await self._resume(record, event)
        elif handler is not None and not isinstance(handler, RowHandler) and handler.idempotent:
            await _attempt(handler, record.descriptor, ActionContext(event=event, now=0.0))

    async def _resume(self, record: AuditRecord, event: Event | None) -> None:
        """Finish a claim left by a crash: again if its handler is idempotent, else failed."""
        descriptor = record.descriptor
        handler = self._handlers.get(descriptor.action_type)
        result = ActionResult.failed(INTERRUPTED)
        if handler is not None and not isinstance(handler, RowHandler) and handler.idempotent:
            context = ActionContext(event=event, now=self._clock.time())
            result = await _attempt(handler, descriptor, context)
        await self._audit.finish(descriptor.action_id, result, self._timing(record.started_at))
        self._count(descriptor, result)

    def _timing(self, started_at: float) -> Timing:
        now = self._clock.time()
        return Timing(started_at=started_at, finished_at=now, duration_ms=(now - started_at) * 1e3)

    def _count(self, descriptor: ActionDescriptor, result: ActionResult) -> None:
        counters = self._state.connector(descriptor.creator_id, descriptor.platform).counters
        if result.status is not ActionStatus.FAILED:
            counters.actions += 1
            return
        counters.actions_failed += 1
        _log.warning(
            "action %s (%s) failed: %s", descriptor.action_id, descriptor.action_type, result.reason
        )


async def _attempt(
    handler: EffectHandler, descriptor: ActionDescriptor, context: ActionContext
) -> ActionResult:
    try:
        return await handler.perform(descriptor, context)
    except Exception as exc:  # noqa: BLE001 - a handler's bug fails its action only
        return _failure(descriptor, exc)


def _failure(descriptor: ActionDescriptor, exc: Exception) -> ActionResult:
    _log.exception("handler for %s raised", descriptor.action_type, exc_info=exc)
    return ActionResult.failed(f"handler raised {type(exc).__name__}: {exc}")
