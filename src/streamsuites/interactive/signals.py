"""What the interactive reducers report: signals (things that happened) and outcomes.

A reducer answers an event with a list of :data:`Signal` values and a descriptor with an
:class:`Outcome`: applied, or refused with a reason a person can read. Signals are frozen
msgspec structs tagged by ``kind``, so they encode deterministically and are persisted as-is.
"""

from __future__ import annotations

import hashlib
from datetime import datetime  # noqa: TC003 - msgspec reads the annotations at runtime

import msgspec

__all__ = [
    "ChatLine",
    "Outcome",
    "PollClosed",
    "PollOpened",
    "Refused",
    "ScoreAwarded",
    "Signal",
    "TallyCounted",
    "VoteCast",
    "short_id",
]


class VoteCast(msgspec.Struct, frozen=True, kw_only=True, tag="poll_vote"):
    """A vote was counted (or changed, in ``last`` vote mode)."""

    vote_id: str
    """The chat event id or the descriptor's action id."""
    creator_id: str
    poll_id: str
    option_id: str
    voter_id: str
    """``<platform>:<author id>``: the same name on two platforms is two voters."""
    voter_name: str
    at: datetime
    changed: bool = False


class PollOpened(msgspec.Struct, frozen=True, kw_only=True, tag="poll_opened"):
    """A poll was opened."""

    creator_id: str
    poll_id: str
    question: str
    at: datetime | None
    """None for a config poll opened at start."""


class PollClosed(msgspec.Struct, frozen=True, kw_only=True, tag="poll_closed"):
    """A poll was closed."""

    creator_id: str
    poll_id: str
    at: datetime


class TallyCounted(msgspec.Struct, frozen=True, kw_only=True, tag="tally"):
    """A tally counter moved by `delta`."""

    event_id: str
    creator_id: str
    tally_id: str
    category_id: str | None
    option_id: str | None
    delta: int
    at: datetime


class ScoreAwarded(msgspec.Struct, frozen=True, kw_only=True, tag="score"):
    """A user's score on a scoreboard moved by `delta`."""

    event_id: str
    creator_id: str
    scoreboard_id: str
    user_id: str
    """``<platform>:<author id>``."""
    label: str
    delta: float
    at: datetime


class Refused(msgspec.Struct, frozen=True, kw_only=True, tag="refused"):
    """A chat command was understood but not carried out; `reason` says why."""

    creator_id: str
    source_id: str
    reason: str
    at: datetime


class ChatLine(msgspec.Struct, frozen=True, kw_only=True, tag="chat"):
    """One chat message as the chat_events.json signal file shows it."""

    event_id: str
    creator_id: str
    platform: str
    user_id: str
    username: str
    message: str
    at: datetime


Signal = VoteCast | PollOpened | PollClosed | TallyCounted | ScoreAwarded | Refused


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    """The result of applying one action descriptor (or one chat command)."""

    applied: bool
    reason: str | None = None
    signals: tuple[Signal, ...] = ()

    @classmethod
    def ok(cls, *signals: Signal) -> Outcome:
        """Return an applied outcome carrying `signals`."""
        return cls(applied=True, signals=signals)

    @classmethod
    def refused(cls, reason: str) -> Outcome:
        """Return a refused outcome."""
        return cls(applied=False, reason=reason)


def short_id(prefix: str, source: str) -> str:
    """Return a stable id such as ``poll_3f2a…`` derived from `source` (an event or action id)."""
    return f"{prefix}_{hashlib.sha256(source.encode()).hexdigest()[:16]}"
