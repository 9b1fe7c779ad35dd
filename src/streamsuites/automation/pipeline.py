"""What the runtime does with each event besides storing it: triggers and interactive state.

:class:`Automation` is the executor's evaluator. For each event it follows the stream state
(for ``{uptime}``), lets the poll, tally and scoreboard reducers see it, and runs the trigger
engine with the event's own time, so replaying a log decides exactly what the live run decided.
It is also the sink of the interactive actions, and its whole state (cooldowns, counts, polls,
tallies, scores) is saved as named blobs with the executor's offset (:mod:`.store`).
"""

from __future__ import annotations

import json
from collections import deque
from typing import TYPE_CHECKING, Final

from streamsuites.actions.executor import Decisions
from streamsuites.events import StreamState
from streamsuites.interactive import InteractiveEngine
from streamsuites.interactive.signals import Outcome
from streamsuites.triggers import (
    EngineState,
    EvalContext,
    TriggerEngine,
    compile_triggers,
    decode_state,
    encode_state,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from streamsuites.actions.descriptor import ActionDescriptor
    from streamsuites.config.model import Config
    from streamsuites.events import Event

__all__ = ["APPLIED_LIMIT", "Automation"]

TRIGGERS: Final = "triggers"
STREAMS: Final = "streams"
APPLIED: Final = "applied_actions"
CREATOR_PREFIX: Final = "creator:"
APPLIED_LIMIT: Final = 10_000
"""Interactive action ids remembered, so one replayed after a crash is not applied twice.

A replay covers at most the events after the last checkpoint (one executor batch), far fewer.
"""


def _dump(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


class Automation:
    """Triggers plus polls, tallies and scoreboards, over one config, resumable from `saved`."""

    def __init__(self, config: Config, saved: Mapping[str, bytes] | None = None) -> None:
        saved = saved or {}
        self.engine = TriggerEngine(compile_triggers(config))
        self.state = decode_state(saved[TRIGGERS]) if TRIGGERS in saved else EngineState()
        self._online: dict[str, float] = json.loads(saved.get(STREAMS, b"{}"))
        self._applied = deque(json.loads(saved.get(APPLIED, b"[]")), maxlen=APPLIED_LIMIT)
        self._applied_ids = set(self._applied)
        self._last_at = 0.0
        interactive = {
            name.removeprefix(CREATOR_PREFIX): json.loads(blob)
            for name, blob in saved.items()
            if name.startswith(CREATOR_PREFIX)
        }
        self.interactive = InteractiveEngine.from_config(config, interactive)

    def __call__(self, event: Event, now: float) -> Decisions:
        """Decide what `event` fires; `now` is ignored in favour of the event's own time."""
        at = event.occurred_at.timestamp()
        self._last_at = max(self._last_at, at)
        self._follow_stream(event, at)
        self.interactive.apply_event(event)
        evaluation = self.engine.evaluate(event, self.state, at, self._context(event))
        self.state = evaluation.state
        return Decisions(evaluation.descriptors, len(evaluation.fired))

    def apply_action(self, descriptor: ActionDescriptor) -> Outcome:
        """Apply a poll, tally or score action once, however often it is handed in."""
        if descriptor.action_id in self._applied_ids:
            return Outcome.ok()
        outcome = self.interactive.apply_action(descriptor)
        if len(self._applied) == APPLIED_LIMIT:
            self._applied_ids.discard(self._applied[0])
        self._applied.append(descriptor.action_id)
        self._applied_ids.add(descriptor.action_id)
        return outcome

    def snapshot(self) -> dict[str, bytes]:
        """Return the whole state as named blobs for :class:`~.store.AutomationStore`."""
        blobs = {f"{CREATOR_PREFIX}{cid}": b for cid, b in self.interactive.snapshot().items()}
        blobs[TRIGGERS] = encode_state(self.state.pruned(self._last_at))
        blobs[STREAMS] = _dump(self._online)
        blobs[APPLIED] = _dump(list(self._applied))
        return blobs

    def _follow_stream(self, event: Event, at: float) -> None:
        if not isinstance(event, StreamState) or event.state == "raid":
            return
        key = f"{event.creator_id}/{event.platform}"
        if event.state == "online":
            self._online[key] = at
        else:
            self._online.pop(key, None)

    def _context(self, event: Event) -> EvalContext:
        return EvalContext(online_since=self._online.get(f"{event.creator_id}/{event.platform}"))
