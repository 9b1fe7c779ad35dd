"""The engine's memory between events: cooldowns and fire counts, as one immutable value.

:class:`EngineState` is data, not a service: :meth:`TriggerEngine.evaluate` takes one and returns
the next, and the executor persists it with :func:`encode_state`. Times are seconds on the
clock the caller passes as ``now``; pass each event's ``occurred_at`` so a replay of the log
reaches the same state. Per-user entries are dropped once expired, so the state stays bounded by
the users active within the longest cooldown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

import msgspec

if TYPE_CHECKING:
    from collections.abc import Sequence

    from streamsuites.triggers.model import Trigger

__all__ = ["EngineState", "decode_state", "encode_state"]


class EngineState(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Cooldowns and counts of every trigger, keyed by creator then trigger id.

    The mappings are never mutated after construction; :meth:`fired` copies what it changes.
    """

    ready_at: dict[str, dict[str, float]] = msgspec.field(default_factory=dict)
    """When each trigger may fire again (global cooldown)."""
    user_ready_at: dict[str, dict[str, dict[str, float]]] = msgspec.field(default_factory=dict)
    """When each user (``<platform>:<user id>``) may fire each trigger again."""
    counts: dict[str, dict[str, int]] = msgspec.field(default_factory=dict)
    """How many times each trigger has fired."""

    def is_ready(self, trigger: Trigger, user: str | None, now: float) -> bool:
        """Return whether `trigger` is off cooldown for everyone and for `user` at `now`."""
        creator, trigger_id = trigger.creator_id, trigger.trigger_id
        if self.ready_at.get(creator, {}).get(trigger_id, 0.0) > now:
            return False
        if user is None or not trigger.user_cooldown_seconds:
            return True
        return self.user_ready_at.get(creator, {}).get(trigger_id, {}).get(user, 0.0) <= now

    def ready_among(
        self, creator_id: str, ids: Sequence[str], candidates: Sequence[int], now: float
    ) -> Sequence[int]:
        """Return the `candidates` (indexes into `ids`) not on global cooldown at `now`.

        The cheap first cut of :meth:`is_ready`, for many candidates at once: in a busy chat
        most keyword hits are cooling down.
        """
        cooling = self.ready_at.get(creator_id)
        if not cooling:
            return candidates
        return [index for index in candidates if cooling.get(ids[index], 0.0) <= now]

    def count(self, trigger: Trigger) -> int:
        """Return how many times `trigger` has fired."""
        return self.counts.get(trigger.creator_id, {}).get(trigger.trigger_id, 0)

    def fired(self, trigger: Trigger, user: str | None, now: float) -> EngineState:
        """Return the state after `trigger` fired for `user` at `now`."""
        creator, trigger_id = trigger.creator_id, trigger.trigger_id
        counts = _set(self.counts, creator, trigger_id, self.count(trigger) + 1)
        ready_at = self.ready_at
        if trigger.cooldown_seconds:
            ready_at = _set(ready_at, creator, trigger_id, now + trigger.cooldown_seconds)
        users = self.user_ready_at
        if user is not None and trigger.user_cooldown_seconds:
            users = _set_user(users, trigger, user, now)
        return EngineState(ready_at=ready_at, user_ready_at=users, counts=counts)

    def pruned(self, now: float) -> EngineState:
        """Return the state without the cooldowns that have ended by `now`."""
        ready_at = _nonempty({c: _live(entries, now) for c, entries in self.ready_at.items()})
        users = _nonempty(
            {
                creator: _nonempty({t: _live(u, now) for t, u in by_trigger.items()})
                for creator, by_trigger in self.user_ready_at.items()
            }
        )
        return EngineState(ready_at=ready_at, user_ready_at=users, counts=self.counts)


_V = TypeVar("_V")


def _set(
    table: dict[str, dict[str, _V]], creator: str, key: str, value: _V
) -> dict[str, dict[str, _V]]:
    return {**table, creator: {**table.get(creator, {}), key: value}}


def _set_user(
    table: dict[str, dict[str, dict[str, float]]], trigger: Trigger, user: str, now: float
) -> dict[str, dict[str, dict[str, float]]]:
    creator, trigger_id = trigger.creator_id, trigger.trigger_id
    by_trigger = table.get(creator, {})
    users = _live(by_trigger.get(trigger_id, {}), now)
    users[user] = now + trigger.user_cooldown_seconds
    return {**table, creator: {**by_trigger, trigger_id: users}}


def _live(entries: dict[str, float], now: float) -> dict[str, float]:
    return {key: at for key, at in entries.items() if at > now}


def _nonempty(table: dict[str, dict[str, _V]]) -> dict[str, dict[str, _V]]:
    return {key: inner for key, inner in table.items() if inner}


_encoder = msgspec.json.Encoder(order="deterministic")
_decoder = msgspec.json.Decoder(EngineState)


def encode_state(state: EngineState) -> bytes:
    """Return the canonical JSON of `state` (sorted keys)."""
    return _encoder.encode(state)


def decode_state(data: bytes | str) -> EngineState:
    """Decode a state written by :func:`encode_state`."""
    state: EngineState = _decoder.decode(data)
    return state
