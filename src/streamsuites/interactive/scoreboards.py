"""Scoreboards: per-user scores from chat activity, support events and ``score_award``.

Points per event come from the scoreboard's :class:`~streamsuites.config.ScorePoints`:

- a chat message: ``message``;
- bits: ``bits_per_100`` per 100 bits (amount in ``BITS`` micros);
- a Super Chat or Super Sticker: ``superchat_per_usd`` per currency unit; a rant:
  ``rant_per_usd`` per unit. Amounts in another currency count by their own unit (10 EUR is 10
  units): no exchange rates are applied, so scores stay reproducible;
- a new sub, resub or milestone: ``member`` on YouTube, ``sub`` elsewhere; a gift:
  ``gift_sub`` for each gifted sub, to the gifter (the recipients' ``gift_received`` scores 0).

A user is ``<platform>:<author id>``. Each scoreboard counts one period at a time: the period id
comes from the event's time (``2026-01-18``, ``2026-W03``, ``2026-01``), or for ``stream`` from
the last ``online`` stream state. When the period moves on, the finished one is kept as
``previous`` with its ``finalized_at``; an event of an earlier period is ignored.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import msgspec

from streamsuites.events import ChatMessage, Membership, PaidSupport, StreamState
from streamsuites.interactive._codec import from_json, to_json
from streamsuites.interactive.signals import Outcome, ScoreAwarded, Signal

if TYPE_CHECKING:
    from collections.abc import Mapping

    from streamsuites.actions.descriptor import ActionDescriptor
    from streamsuites.config._interactive import ScoreboardDefinition, ScorePoints
    from streamsuites.events import Event

__all__ = [
    "ScoreBook",
    "ScoreEntry",
    "ScoreboardState",
    "Standing",
    "period_id",
    "points_for",
    "ranked",
]

_MICROS = 1_000_000


class ScoreEntry(msgspec.Struct, kw_only=True):
    """One user's score in one period."""

    user_id: str
    label: str
    score: float = 0.0
    first_event_at: datetime | None = None
    last_event_at: datetime | None = None


class Standing(msgspec.Struct, kw_only=True):
    """The scores of one period."""

    period_id: str
    started_at: datetime | None = None
    finalized_at: datetime | None = None
    entries: dict[str, ScoreEntry] = msgspec.field(default_factory=dict)


class ScoreboardState(msgspec.Struct, kw_only=True):
    """What one scoreboard remembers: this period and the one before."""

    current: Standing | None = None
    previous: Standing | None = None


class _ScoreBookState(msgspec.Struct, kw_only=True):
    boards: dict[str, ScoreboardState] = msgspec.field(default_factory=dict)
    stream_marker: str | None = None
    """Id of the stream now live (``stream_id`` or event id of the last ``online``)."""


def points_for(event: Event, points: ScorePoints) -> float:
    """Return the points `event` is worth under `points` (0 for events that do not score)."""
    if isinstance(event, ChatMessage):
        return points.message
    if isinstance(event, PaidSupport):
        return _support_points(event, points)
    if isinstance(event, Membership):
        return _membership_points(event, points)
    return 0.0


def _support_points(event: PaidSupport, points: ScorePoints) -> float:
    if event.amount is None:
        return 0.0
    units = event.amount.amount_micros / _MICROS
    if event.support_type == "bits":
        return units / 100 * points.bits_per_100
    if event.support_type in ("superchat", "supersticker"):
        return units * points.superchat_per_usd
    if event.support_type == "rant":
        return units * points.rant_per_usd
    return 0.0


def _membership_points(event: Membership, points: ScorePoints) -> float:
    if event.membership_type in ("gift", "gift_bundle"):
        return (event.gift_count or 1) * points.gift_sub
    if event.membership_type == "gift_received":
        return 0.0
    return points.member if event.platform == "youtube" else points.sub


def period_id(kind: str, at: datetime, stream_marker: str | None) -> str:
    """Return the id of the `kind` period holding `at` (UTC)."""
    moment = at.astimezone(UTC)
    if kind == "daily":
        return moment.strftime("%Y-%m-%d")
    if kind == "weekly":
        year, week, _ = moment.isocalendar()
        return f"{year}-W{week:02d}"
    if kind == "monthly":
        return moment.strftime("%Y-%m")
    if kind == "stream":
        return stream_marker or "no-stream"
    return "all_time"


def ranked(standing: Standing) -> list[ScoreEntry]:
    """Return the entries by score (highest first), then user id: the same order every time."""
    return sorted(standing.entries.values(), key=lambda entry: (-entry.score, entry.user_id))


class ScoreBook:
    """The configured scoreboards of one creator."""

    def __init__(
        self,
        creator_id: str,
        definitions: tuple[ScoreboardDefinition, ...],
        state: Mapping[str, Any] | None = None,
    ) -> None:
        self.creator_id = creator_id
        self.definitions = {d.scoreboard_id: d for d in definitions}
        self._state = from_json(state, _ScoreBookState)
        for board_id in self.definitions:
            self._state.boards.setdefault(board_id, ScoreboardState())

    @property
    def boards(self) -> dict[str, ScoreboardState]:
        """The state of each configured scoreboard."""
        return {board_id: self._state.boards[board_id] for board_id in self.definitions}

    def to_json(self) -> dict[str, Any]:
        """Return the state as plain JSON values, deterministically ordered."""
        return to_json(self._state)

    def apply_event(self, event: Event) -> list[Signal]:
        """Score `event` on every scoreboard it is worth points on."""
        if isinstance(event, StreamState) and event.state == "online":
            self._state.stream_marker = event.stream_id or event.event_id
        if event.author is None or not self.definitions:
            return []
        user_id = f"{event.platform}:{event.author.id}"
        label = event.author.display_name or event.author.login or event.author.id
        awards: list[Signal] = []
        for definition in self.definitions.values():
            delta = points_for(event, definition.points)
            if delta:
                award = self._award(
                    definition, (user_id, label), delta, event.event_id, event.occurred_at
                )
                awards.extend(award.signals)
        return awards

    def apply_action(self, descriptor: ActionDescriptor) -> Outcome:
        """Apply a ``score_award`` descriptor.

        Payload: ``{scoreboard_id, user_id|login, platform?, display_name?, points}``.

        The user is ``<platform>:<user_id or login>``, the platform the descriptor's by default.
        """
        if descriptor.action_type != "score_award":
            return Outcome.refused(f"not a score action: {descriptor.action_type}")
        payload = descriptor.payload
        definition = self.definitions.get(str(payload.get("scoreboard_id")))
        if definition is None:
            return Outcome.refused(f"no scoreboard {payload.get('scoreboard_id')!r} is configured")
        user = payload.get("user_id") or payload.get("login")
        points = payload.get("points")
        if not user or isinstance(points, bool) or not isinstance(points, int | float):
            return Outcome.refused("score_award needs user_id (or login) and numeric points")
        platform = payload.get("platform") or descriptor.platform
        label = str(payload.get("display_name") or payload.get("login") or user)
        who = (f"{platform}:{user}", label)
        return self._award(
            definition, who, float(points), descriptor.action_id, descriptor.created_at
        )

    def _award(
        self,
        definition: ScoreboardDefinition,
        who: tuple[str, str],
        delta: float,
        source_id: str,
        at: datetime,
    ) -> Outcome:
        standing = self._standing(definition, at)
        if standing is None:
            return Outcome.refused("the event belongs to a finished period")
        user_id, label = who
        entry = standing.entries.setdefault(
            user_id, ScoreEntry(user_id=user_id, label=label, first_event_at=at)
        )
        entry.label, entry.score = label, round(entry.score + delta, 6)
        entry.last_event_at = max(entry.last_event_at or at, at)
        award = ScoreAwarded(
            event_id=source_id,
            creator_id=self.creator_id,
            scoreboard_id=definition.scoreboard_id,
            user_id=user_id,
            label=label,
            delta=round(delta, 6),
            at=at,
        )
        return Outcome.ok(award)

    def _standing(self, definition: ScoreboardDefinition, at: datetime) -> Standing | None:
        """Return the standing `at` counts in, starting a new period if it moved on."""
        board = self._state.boards[definition.scoreboard_id]
        period = period_id(definition.period_kind, at, self._state.stream_marker)
        current = board.current
        if current is not None and current.period_id == period:
            return current
        ordered = definition.period_kind in ("daily", "weekly", "monthly")
        if current is not None and ordered and period < current.period_id:
            return None
        if current is not None:
            current.finalized_at = at
            board.previous = current
        board.current = Standing(period_id=period, started_at=at)
        return board.current
