"""Polls: a pure reducer over chat events and poll descriptors, one per creator.

Chat commands (configurable names)::

    !poll open Question | Option A | Option B [| ...]   moderator or broadcaster
    !poll open <poll_id>                                  opens a poll defined in interactive.json
    !poll close [<poll_id>]                               the newest open poll by default
    !vote N                                               1-based, into the newest open poll
    Option A                                              a message equal to a label (any case)

A voter is ``(platform, author id)``, so votes from every platform of the creator count together
and the same display name on two platforms is two voters. ``poll_open``, ``poll_close`` and
``poll_vote`` descriptors go through the same rules. Times come from the event's
``occurred_at`` (or the descriptor's ``created_at``); ids from event and action ids.
"""

from __future__ import annotations

from datetime import datetime  # noqa: TC003 - msgspec reads the annotations at runtime
from typing import TYPE_CHECKING, Any, Literal

import msgspec

from streamsuites.config._interactive import PollSettings
from streamsuites.events import ChatMessage
from streamsuites.interactive._codec import from_json, to_json
from streamsuites.interactive.signals import (
    Outcome,
    PollClosed,
    PollOpened,
    Refused,
    Signal,
    VoteCast,
    short_id,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from streamsuites.actions.descriptor import ActionDescriptor
    from streamsuites.config.model import Creator
    from streamsuites.events import Event

__all__ = ["MAX_CLOSED_POLLS", "Poll", "PollBook", "PollBookState", "PollOption"]

MAX_CLOSED_POLLS = 20
"""Closed polls kept per creator (the newest); older ones leave the state and the exports."""

_MODERATORS = ("broadcaster", "moderator")


class PollOption(msgspec.Struct, kw_only=True):
    """One answer; `option_id` is its 1-based number as a string, what ``!vote N`` takes."""

    option_id: str
    label: str


class Poll(msgspec.Struct, kw_only=True):
    """One poll and its votes, keyed by voter (``<platform>:<author id>``)."""

    poll_id: str
    creator_id: str
    question: str
    options: list[PollOption]
    state: Literal["open", "closed"] = "open"
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    updated_at: datetime | None = None
    votes: dict[str, str] = msgspec.field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """Return the votes per option id, every option present."""
        counts = {option.option_id: 0 for option in self.options}
        for option_id in self.votes.values():
            counts[option_id] += 1
        return counts

    def option_by_label(self, text: str) -> PollOption | None:
        """Return the option whose label equals `text`, ignoring case and outer spaces."""
        folded = text.strip().casefold()
        return next((o for o in self.options if o.label.casefold() == folded), None)


class PollBookState(msgspec.Struct, kw_only=True):
    """Everything a :class:`PollBook` remembers; polls in the order they were opened."""

    polls: list[Poll] = msgspec.field(default_factory=list)
    seeded: bool = False
    """Whether config polls with ``auto_open`` were opened already (only once, not per restart)."""


class _Vote(msgspec.Struct, frozen=True, kw_only=True):
    vote_id: str
    voter_id: str
    voter_name: str
    at: datetime


class PollBook:
    """The polls of one creator: chat commands, descriptors and the tier limits."""

    def __init__(
        self,
        creator: Creator,
        settings: PollSettings | None,
        state: Mapping[str, Any] | None = None,
    ) -> None:
        self.creator = creator
        self.chat_enabled = settings is not None
        self.settings = settings or PollSettings()
        self.state = from_json(state, PollBookState)
        if not self.state.seeded:
            self._seed()

    @property
    def polls(self) -> list[Poll]:
        """Every poll kept, in opening order."""
        return self.state.polls

    def open_polls(self) -> list[Poll]:
        """Return the open polls, newest first."""
        return [poll for poll in reversed(self.state.polls) if poll.state == "open"]

    def find(self, poll_id: str) -> Poll | None:
        """Return the poll with `poll_id`, if kept."""
        return next((poll for poll in self.state.polls if poll.poll_id == poll_id), None)

    def to_json(self) -> dict[str, Any]:
        """Return the state as plain JSON values, deterministically ordered."""
        return to_json(self.state)

    # -- events --------------------------------------------------------------------------

    def apply_event(self, event: Event) -> list[Signal]:
        """Apply a chat message: a poll command, a vote command or a keyword vote."""
        if not self.chat_enabled or not isinstance(event, ChatMessage) or event.author is None:
            return []
        head, _, rest = event.text.strip().partition(" ")
        command = head.casefold()
        if command == self.settings.poll_command.casefold():
            return self._explain(event, self._poll_command(event, rest.strip()))
        if command in {name.casefold() for name in self.settings.vote_commands}:
            return self._explain(event, self._vote_command(event, rest.strip()))
        if self.settings.keyword_voting:
            return list(self._keyword_vote(event).signals)
        return []

    def _explain(self, event: ChatMessage, outcome: Outcome) -> list[Signal]:
        if outcome.applied or outcome.reason is None:
            return list(outcome.signals)
        refused = Refused(
            creator_id=self.creator.creator_id,
            source_id=event.event_id,
            reason=outcome.reason,
            at=event.occurred_at,
        )
        return [refused]

    def _poll_command(self, event: ChatMessage, args: str) -> Outcome:
        assert event.author is not None  # checked by apply_event
        if not any(event.author.has_role(role) for role in _MODERATORS):
            return Outcome.refused(f"only moderators can use {self.settings.poll_command}")
        verb, _, rest = args.partition(" ")
        verb, rest = verb.casefold(), rest.strip()
        if verb == "open" and "|" in rest:
            question, *labels = (part.strip() for part in rest.split("|"))
            poll_id = short_id("poll", event.event_id)
            return self.open(
                poll_id, question, [label for label in labels if label], event.occurred_at
            )
        if verb == "open" and rest:
            return self.open_defined(rest, event.occurred_at)
        if verb == "close":
            return self.close(rest or None, event.occurred_at)
        usage = f"usage: {self.settings.poll_command} open Question | A | B, or close"
        return Outcome.refused(usage)

    def _vote_command(self, event: ChatMessage, args: str) -> Outcome:
        poll = next(iter(self.open_polls()), None)
        if poll is None:
            return Outcome.refused("no poll is open")
        if not args.isdecimal() or not 1 <= int(args) <= len(poll.options):
            return Outcome.refused(f"vote with a number from 1 to {len(poll.options)}")
        return self._cast(poll, poll.options[int(args) - 1], self._chat_vote(event))

    def _keyword_vote(self, event: ChatMessage) -> Outcome:
        for poll in self.open_polls():
            option = poll.option_by_label(event.text)
            if option is not None:
                return self._cast(poll, option, self._chat_vote(event))
        return Outcome.refused("not a vote")

    @staticmethod
    def _chat_vote(event: ChatMessage) -> _Vote:
        assert event.author is not None  # checked by apply_event
        author = event.author
        return _Vote(
            vote_id=event.event_id,
            voter_id=f"{event.platform}:{author.id}",
            voter_name=author.display_name or author.login or author.id,
            at=event.occurred_at,
        )

    # -- operations shared by chat and descriptors ----------------------------------------

    def open(self, poll_id: str, question: str, labels: list[str], at: datetime | None) -> Outcome:
        """Open a poll within the tier's ``max_active_polls`` and ``max_poll_options``.

        `at` is None only for config polls opened when the runtime starts.
        """
        refusal = self._open_refusal(poll_id, question, labels)
        if refusal is not None:
            return Outcome.refused(refusal)
        options = [PollOption(option_id=str(n), label=label) for n, label in enumerate(labels, 1)]
        poll = Poll(
            poll_id=poll_id,
            creator_id=self.creator.creator_id,
            question=question,
            options=options,
            opened_at=at,
            updated_at=at,
        )
        self.state.polls = [p for p in self.state.polls if p.poll_id != poll_id] + [poll]
        self._trim()
        opened = PollOpened(
            creator_id=self.creator.creator_id, poll_id=poll_id, question=question, at=at
        )
        return Outcome.ok(opened)

    def open_defined(self, poll_id: str, at: datetime) -> Outcome:
        """Open the poll `poll_id` defined in interactive.json (reopening starts a new count)."""
        definition = next((d for d in self.settings.definitions if d.poll_id == poll_id), None)
        if definition is None:
            return Outcome.refused(f"no poll {poll_id!r} is defined")
        return self.open(poll_id, definition.question, list(definition.options), at)

    def close(self, poll_id: str | None, at: datetime) -> Outcome:
        """Close `poll_id`, or the newest open poll when None."""
        opened = self.open_polls()
        poll = next((p for p in opened if poll_id in (None, p.poll_id)), None)
        if poll is None:
            return Outcome.refused(
                "no poll is open" if poll_id is None else f"poll {poll_id!r} is not open"
            )
        poll.state, poll.closed_at, poll.updated_at = "closed", at, at
        self._trim()
        return Outcome.ok(
            PollClosed(creator_id=self.creator.creator_id, poll_id=poll.poll_id, at=at)
        )

    def _open_refusal(self, poll_id: str, question: str, labels: list[str]) -> str | None:
        limits, tier = self.creator.limits, self.creator.tier
        existing = self.find(poll_id)
        if existing is not None and existing.state == "open":
            return f"poll {poll_id!r} is already open"
        if not question:
            return "a poll needs a question"
        if len(labels) < 2:
            return "a poll needs at least 2 options"
        if len({label.casefold() for label in labels}) < len(labels):
            return "poll options must differ"
        if len(labels) > limits.max_poll_options:
            return f"too many options: tier {tier} allows {limits.max_poll_options} options"
        if len(self.open_polls()) >= limits.max_active_polls:
            noun = "poll" if limits.max_active_polls == 1 else "polls"
            return f"poll limit reached: tier {tier} allows {limits.max_active_polls} active {noun}"
        return None

    def _cast(self, poll: Poll, option: PollOption, vote: _Vote) -> Outcome:
        previous = poll.votes.get(vote.voter_id)
        if previous == option.option_id:
            return Outcome.refused("vote unchanged")
        if previous is not None and self.settings.vote_mode == "first":
            return Outcome.refused("already voted; the first vote stands")
        poll.votes[vote.voter_id] = option.option_id
        poll.updated_at = vote.at
        cast = VoteCast(
            vote_id=vote.vote_id,
            creator_id=self.creator.creator_id,
            poll_id=poll.poll_id,
            option_id=option.option_id,
            voter_id=vote.voter_id,
            voter_name=vote.voter_name,
            at=vote.at,
            changed=previous is not None,
        )
        return Outcome.ok(cast)

    def _trim(self) -> None:
        closed = [p for p in self.state.polls if p.state == "closed"]
        drop = {id(p) for p in closed[: max(0, len(closed) - MAX_CLOSED_POLLS)]}
        self.state.polls = [p for p in self.state.polls if id(p) not in drop]

    def _seed(self) -> None:
        self.state.seeded = True
        for definition in self.settings.definitions:
            if definition.auto_open:
                self.open(definition.poll_id, definition.question, list(definition.options), None)

    # -- descriptors -----------------------------------------------------------------------

    def apply_action(self, descriptor: ActionDescriptor) -> Outcome:
        """Apply a ``poll_open``, ``poll_close`` or ``poll_vote`` descriptor."""
        payload, at = descriptor.payload, descriptor.created_at
        if descriptor.action_type == "poll_open":
            return self._open_action(descriptor)
        if descriptor.action_type == "poll_close":
            return self.close(_text(payload.get("poll_id")), at)
        if descriptor.action_type == "poll_vote":
            return self._vote_action(descriptor)
        return Outcome.refused(f"not a poll action: {descriptor.action_type}")

    def _open_action(self, descriptor: ActionDescriptor) -> Outcome:
        payload = descriptor.payload
        poll_id = _text(payload.get("poll_id"))
        question = _text(payload.get("question"))
        if question is None:
            if poll_id is None:
                return Outcome.refused("poll_open needs a question and options, or a poll_id")
            return self.open_defined(poll_id, descriptor.created_at)
        options = payload.get("options")
        labels = [str(o).strip() for o in options] if isinstance(options, list) else []
        poll_id = poll_id or short_id("poll", descriptor.action_id)
        return self.open(
            poll_id, question, [label for label in labels if label], descriptor.created_at
        )

    def _vote_action(self, descriptor: ActionDescriptor) -> Outcome:
        payload = descriptor.payload
        poll_id = _text(payload.get("poll_id"))
        poll = next((p for p in self.open_polls() if poll_id in (None, p.poll_id)), None)
        voter = _text(payload.get("voter_id")) or _text(payload.get("user_id"))
        if poll is None or voter is None:
            return Outcome.refused(
                "no poll is open" if poll is None else "poll_vote needs a voter_id"
            )
        option = _payload_option(poll, payload.get("option"))
        if option is None:
            return Outcome.refused(f"no option {payload.get('option')!r} in poll {poll.poll_id!r}")
        platform = _text(payload.get("platform")) or descriptor.platform
        vote = _Vote(
            vote_id=descriptor.action_id,
            voter_id=f"{platform}:{voter}",
            voter_name=_text(payload.get("voter_name")) or voter,
            at=descriptor.created_at,
        )
        return self._cast(poll, option, vote)


def _text(value: object) -> str | None:
    """Return `value` as a stripped non-empty string, or None."""
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip()
    return text or None


def _payload_option(poll: Poll, value: object) -> PollOption | None:
    """Find the option a descriptor names: its number (int or digits) or its label."""
    text = _text(value)
    if text is None:
        return None
    by_id = next((o for o in poll.options if o.option_id == text), None)
    return by_id or poll.option_by_label(text)
