"""Tallies: counters by category and option over a window, moved by ``tally_increment``.

Windows, all in UTC and all decided by the increment's time (the descriptor's ``created_at``):

- ``weekly``: the ISO week (Monday 00:00). An increment of a later week starts from zero; one of
  an earlier week is refused.
- ``monthly``: the calendar month, the same way.
- ``rolling``: the last N seconds. Increments are summed into buckets of 1/120 of the window (at
  least one second), and a bucket leaves the total once it lies wholly before ``now - N``; the
  state stays bounded however many increments arrive.
- ``custom``: fixed ``[start, end)``; increments outside it are refused.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import msgspec

from streamsuites.interactive._codec import from_json, to_json
from streamsuites.interactive.signals import Outcome, TallyCounted

if TYPE_CHECKING:
    from collections.abc import Mapping

    from streamsuites.actions.descriptor import ActionDescriptor
    from streamsuites.config._interactive import TallyDefinition

__all__ = [
    "ROLLING_BUCKETS",
    "Counts",
    "TallyBook",
    "TallyState",
    "window_bounds",
    "window_id",
]

ROLLING_BUCKETS = 120
"""A rolling window is counted in this many buckets: expiry is exact to 1/120 of the window."""

Counts = dict[str, dict[str, int]]
"""Counts by category id, then option id; ``""`` stands for "no category" / "no option"."""

_US = 1_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class TallyState(msgspec.Struct, kw_only=True):
    """What one tally remembers."""

    window_id: str | None = None
    """The current ``weekly``/``monthly`` window (``2026-W03``, ``2026-01``)."""
    counts: Counts = msgspec.field(default_factory=dict)
    """Totals of the current window (not used by ``rolling``)."""
    buckets: dict[int, Counts] = msgspec.field(default_factory=dict)
    """``rolling`` only: counts by bucket start, epoch microseconds."""
    last_updated_at: datetime | None = None


class _TallyBookState(msgspec.Struct, kw_only=True):
    tallies: dict[str, TallyState] = msgspec.field(default_factory=dict)


def window_id(aggregation: str, at: datetime) -> str | None:
    """Return the id of the weekly or monthly window holding `at`; None for other kinds."""
    if aggregation == "weekly":
        year, week, _ = at.astimezone(UTC).isocalendar()
        return f"{year}-W{week:02d}"
    if aggregation == "monthly":
        return at.astimezone(UTC).strftime("%Y-%m")
    return None


def window_bounds(
    definition: TallyDefinition, now: datetime
) -> tuple[datetime | None, datetime | None]:
    """Return the ``[start, end)`` of `definition`'s window as of `now` (None: unbounded)."""
    at = now.astimezone(UTC)
    midnight = at.replace(hour=0, minute=0, second=0, microsecond=0)
    if definition.aggregation_type == "weekly":
        start = midnight - timedelta(days=at.weekday())
        return start, start + timedelta(days=7)
    if definition.aggregation_type == "monthly":
        start = midnight.replace(day=1)
        return start, (start + timedelta(days=32)).replace(day=1)
    if definition.aggregation_type == "rolling":
        return now - timedelta(seconds=definition.window_seconds or 0), now
    return definition.start, definition.end


class TallyBook:
    """The configured tallies of one creator."""

    def __init__(
        self,
        creator_id: str,
        definitions: tuple[TallyDefinition, ...],
        state: Mapping[str, Any] | None = None,
    ) -> None:
        self.creator_id = creator_id
        self.definitions = {d.tally_id: d for d in definitions}
        restored = from_json(state, _TallyBookState).tallies
        self.state = {
            tally_id: restored.get(tally_id, TallyState()) for tally_id in self.definitions
        }

    def to_json(self) -> dict[str, Any]:
        """Return the state as plain JSON values, deterministically ordered."""
        return to_json(_TallyBookState(tallies=self.state))

    def totals(self, tally_id: str, now: datetime) -> Counts:
        """Return `tally_id`'s counts in the window current at `now` (empty if another window)."""
        definition, state = self.definitions[tally_id], self.state[tally_id]
        if definition.aggregation_type == "rolling":
            return _sum_buckets(state.buckets, _cutoff_us(definition, now), _width_us(definition))
        if state.window_id != window_id(definition.aggregation_type, now):
            return {}
        return state.counts

    def apply_action(self, descriptor: ActionDescriptor) -> Outcome:
        """Apply ``tally_increment``: payload ``{tally_id, category_id?, option_id?, delta=1}``."""
        if descriptor.action_type != "tally_increment":
            return Outcome.refused(f"not a tally action: {descriptor.action_type}")
        payload = descriptor.payload
        definition = self.definitions.get(str(payload.get("tally_id")))
        if definition is None:
            return Outcome.refused(f"no tally {payload.get('tally_id')!r} is configured")
        delta = payload.get("delta", 1)
        if isinstance(delta, bool) or not isinstance(delta, int):
            return Outcome.refused("delta must be an integer")
        category, option = _key(payload.get("category_id")), _key(payload.get("option_id"))
        refusal = _unknown_key(definition, category, option)
        if refusal is not None:
            return Outcome.refused(refusal)
        return self._count(definition, descriptor, (category, option, delta))

    def _count(
        self,
        definition: TallyDefinition,
        descriptor: ActionDescriptor,
        change: tuple[str, str, int],
    ) -> Outcome:
        at, state = descriptor.created_at, self.state[definition.tally_id]
        refusal = _place(definition, state, at)
        if refusal is not None:
            return Outcome.refused(refusal)
        category, option, delta = change
        counts = state.counts
        if definition.aggregation_type == "rolling":
            counts = state.buckets.setdefault(_bucket_us(definition, at), {})
        row = counts.setdefault(category, {})
        row[option] = row.get(option, 0) + delta
        state.last_updated_at = max(state.last_updated_at or at, at)
        counted = TallyCounted(
            event_id=descriptor.action_id,
            creator_id=self.creator_id,
            tally_id=definition.tally_id,
            category_id=category or None,
            option_id=option or None,
            delta=delta,
            at=at,
        )
        return Outcome.ok(counted)


def _place(definition: TallyDefinition, state: TallyState, at: datetime) -> str | None:
    """Move `state` to the window `at` falls in; return why not when it cannot count."""
    kind = definition.aggregation_type
    if kind == "custom":
        start, end = definition.start, definition.end
        inside = (start is None or start <= at) and (end is None or at < end)
        return None if inside else "outside the tally window"
    if kind == "rolling":
        cutoff = _cutoff_us(definition, max(state.last_updated_at or at, at))
        state.buckets = {
            b: c for b, c in state.buckets.items() if b + _width_us(definition) > cutoff
        }
        return None if _bucket_us(definition, at) + _width_us(definition) > cutoff else "expired"
    current = window_id(kind, at)
    if state.window_id is not None and current is not None and current < state.window_id:
        return f"outside the current window ({state.window_id})"
    if current != state.window_id:
        state.window_id, state.counts = current, {}
    return None


def _key(value: object) -> str:
    return "" if value is None else str(value)


def _unknown_key(definition: TallyDefinition, category: str, option: str) -> str | None:
    categories = {c.category_id: c for c in definition.categories}
    if category and categories and category not in categories:
        return f"no category {category!r} in tally {definition.tally_id!r}"
    options = categories[category].options if category in categories else definition.options
    if option and options and option not in {o.option_id for o in options}:
        return f"no option {option!r} in tally {definition.tally_id!r}"
    return None


def _width_us(definition: TallyDefinition) -> int:
    window_us = int((definition.window_seconds or 0) * _US)
    return max(_US, window_us // ROLLING_BUCKETS)


def _bucket_us(definition: TallyDefinition, at: datetime) -> int:
    micros = (at - _EPOCH) // timedelta(microseconds=1)
    width = _width_us(definition)
    return micros - micros % width


def _cutoff_us(definition: TallyDefinition, now: datetime) -> int:
    return (now - _EPOCH) // timedelta(microseconds=1) - int((definition.window_seconds or 0) * _US)


def _sum_buckets(buckets: dict[int, Counts], cutoff_us: int, width_us: int) -> Counts:
    """Sum the buckets that end after `cutoff_us`."""
    total: Counts = {}
    for start in sorted(buckets):
        if start + width_us <= cutoff_us:
            continue
        for category, row in buckets[start].items():
            target = total.setdefault(category, {})
            for option, count in row.items():
                target[option] = target.get(option, 0) + count
    return total
