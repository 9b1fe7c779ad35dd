"""The interactive engine: routes events and descriptors to each creator's reducers.

One :class:`CreatorInteractive` per configured creator holds its :class:`PollBook`,
:class:`TallyBook` and :class:`ScoreBook` and the recent signals the signal files show (chat
lines, votes, tally and score events, each bounded by ``signal_limit``). Nothing here reads a
clock or does I/O: the same events and descriptors in the same order give the same state, and
:meth:`InteractiveEngine.snapshot` encodes it byte for byte the same.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final

import msgspec

from streamsuites.events import ChatMessage
from streamsuites.interactive._codec import from_json, to_json
from streamsuites.interactive.polls import PollBook
from streamsuites.interactive.scoreboards import ScoreBook
from streamsuites.interactive.signals import (
    ChatLine,
    Outcome,
    ScoreAwarded,
    Signal,
    TallyCounted,
    VoteCast,
)
from streamsuites.interactive.tallies import TallyBook

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from streamsuites.actions.descriptor import ActionDescriptor
    from streamsuites.config._interactive import InteractiveConfig, InteractiveSettings
    from streamsuites.config.model import Config, Creator
    from streamsuites.events import Event

__all__ = ["INTERACTIVE_ACTIONS", "CreatorInteractive", "InteractiveEngine", "Recent"]

INTERACTIVE_ACTIONS: Final = (
    "poll_open",
    "poll_close",
    "poll_vote",
    "tally_increment",
    "score_award",
)
"""The descriptor action types this package applies."""


class Recent(msgspec.Struct, kw_only=True):
    """The newest signals of one creator, oldest first, each list bounded."""

    chat: list[ChatLine] = msgspec.field(default_factory=list)
    votes: list[VoteCast] = msgspec.field(default_factory=list)
    tallies: list[TallyCounted] = msgspec.field(default_factory=list)
    scores: list[ScoreAwarded] = msgspec.field(default_factory=list)

    def record(self, signals: Iterable[Signal], limit: int) -> None:
        """Append the vote, tally and score signals, keeping the newest `limit` of each."""
        for signal in signals:
            if isinstance(signal, VoteCast):
                self.votes = [*self.votes, signal][-limit:]
            elif isinstance(signal, TallyCounted):
                self.tallies = [*self.tallies, signal][-limit:]
            elif isinstance(signal, ScoreAwarded):
                self.scores = [*self.scores, signal][-limit:]


class CreatorInteractive:
    """One creator's polls, tallies and scoreboards."""

    def __init__(
        self,
        creator: Creator,
        settings: InteractiveSettings,
        *,
        signal_limit: int = 200,
        state: Mapping[str, Any] | None = None,
    ) -> None:
        state = state or {}
        self.creator = creator
        self.signal_limit = signal_limit
        self.polls = PollBook(creator, settings.polls, state.get("polls"))
        self.tallies = TallyBook(creator.creator_id, settings.tallies, state.get("tallies"))
        self.scores = ScoreBook(creator.creator_id, settings.scoreboards, state.get("scores"))
        self.recent = from_json(state.get("recent"), Recent)

    def apply_event(self, event: Event) -> list[Signal]:
        """Apply one event of this creator; backfilled history changes nothing."""
        if event.backfill:
            return []
        if isinstance(event, ChatMessage) and event.author is not None:
            self.recent.chat = [*self.recent.chat, _chat_line(event)][-self.signal_limit :]
        signals = [*self.polls.apply_event(event), *self.scores.apply_event(event)]
        self.recent.record(signals, self.signal_limit)
        return signals

    def apply_action(self, descriptor: ActionDescriptor) -> Outcome:
        """Apply one interactive descriptor of this creator."""
        if descriptor.action_type.startswith("poll_"):
            outcome = self.polls.apply_action(descriptor)
        elif descriptor.action_type == "tally_increment":
            outcome = self.tallies.apply_action(descriptor)
        elif descriptor.action_type == "score_award":
            outcome = self.scores.apply_action(descriptor)
        else:
            return Outcome.refused(f"not an interactive action: {descriptor.action_type}")
        self.recent.record(outcome.signals, self.signal_limit)
        return outcome

    def to_json(self) -> dict[str, Any]:
        """Return the whole state as plain JSON values, deterministically ordered."""
        return {
            "polls": self.polls.to_json(),
            "tallies": self.tallies.to_json(),
            "scores": self.scores.to_json(),
            "recent": to_json(self.recent),
        }


def _chat_line(event: ChatMessage) -> ChatLine:
    assert event.author is not None  # checked by the caller
    return ChatLine(
        event_id=event.event_id,
        creator_id=event.creator_id,
        platform=event.platform,
        user_id=event.author.id,
        username=event.author.display_name or event.author.login or event.author.id,
        message=event.text,
        at=event.occurred_at,
    )


class InteractiveEngine:
    """Every creator's interactive reducers, keyed by creator id (sorted)."""

    def __init__(
        self,
        creators: Iterable[Creator],
        settings: InteractiveConfig,
        state: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        state = state or {}
        self.creators = {
            creator.creator_id: CreatorInteractive(
                creator,
                settings.for_creator(creator.creator_id),
                signal_limit=settings.signal_limit,
                state=state.get(creator.creator_id),
            )
            for creator in sorted(creators, key=lambda c: c.creator_id)
        }

    @classmethod
    def from_config(
        cls, config: Config, state: Mapping[str, Mapping[str, Any]] | None = None
    ) -> InteractiveEngine:
        """Build the engine for `config`'s creators, resuming from `state` if given."""
        return cls(config.creators, config.interactive, state)

    def apply_event(self, event: Event) -> list[Signal]:
        """Apply `event` to its creator's reducers (events of unknown creators change nothing)."""
        creator = self.creators.get(event.creator_id)
        return [] if creator is None else creator.apply_event(event)

    def apply_action(self, descriptor: ActionDescriptor) -> Outcome:
        """Apply an interactive descriptor to its creator's reducers."""
        creator = self.creators.get(descriptor.creator_id)
        if creator is None:
            return Outcome.refused(f"unknown creator {descriptor.creator_id!r}")
        return creator.apply_action(descriptor)

    def to_json(self) -> dict[str, dict[str, Any]]:
        """Return every creator's state as plain JSON values, by creator id."""
        return {creator_id: creator.to_json() for creator_id, creator in self.creators.items()}

    def snapshot(self) -> dict[str, bytes]:
        """Return each creator's state as canonical JSON bytes, for the automation store."""
        return {
            creator_id: json.dumps(state, sort_keys=True, separators=(",", ":")).encode()
            for creator_id, state in self.to_json().items()
        }

    def json_lines(self) -> list[str]:
        """Return the poll, tally and score state as JSON lines: per creator, one line each."""
        lines = []
        for creator_id, creator in self.creators.items():
            for kind, state in (
                ("polls", creator.polls.to_json()),
                ("tallies", creator.tallies.to_json()),
                ("scoreboards", creator.scores.to_json()),
            ):
                line = {"kind": kind, "creator_id": creator_id, "state": state}
                lines.append(json.dumps(line, sort_keys=True, separators=(",", ":")))
        return lines
