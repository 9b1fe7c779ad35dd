"""Pure builders of the interactive state files; the caller writes them with ``StateWriter``.

Public files (``polls.json``, ``tallies.json``, ``scoreboards.json``) carry the original's named
lists (§6.6) and the ``items`` form the dashboard's data views read
(``id/title/state/creator/created_at/updated_at/public``). Signal files (``poll_votes.json``,
``tally_events.json``, ``score_events.json``, ``chat_events.json``) carry their named lists,
newest last and bounded, and ``items`` as ``timestamp/type/source/summary``. Every file starts
with ``schema_version`` and ``meta {generated_at, source, visibility, scope}``. The shapes are
described in ``docs/interactive.md``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from streamsuites.clock import utc_from_timestamp
from streamsuites.interactive.scoreboards import ranked
from streamsuites.interactive.tallies import window_bounds
from streamsuites.state.render import SCHEMA_VERSION, iso, iso_datetime

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from streamsuites.config._interactive import Option, TallyDefinition
    from streamsuites.interactive.engine import CreatorInteractive, InteractiveEngine
    from streamsuites.interactive.polls import Poll
    from streamsuites.interactive.scoreboards import ScoreboardState, Standing
    from streamsuites.interactive.signals import ChatLine, ScoreAwarded, TallyCounted, VoteCast
    from streamsuites.interactive.tallies import Counts

__all__ = [
    "DEFAULT_SIGNAL_LIMIT",
    "INTERACTIVE_FILES",
    "build_chat_events",
    "build_interactive_files",
    "build_poll_votes",
    "build_polls",
    "build_score_events",
    "build_scoreboards",
    "build_tallies",
    "build_tally_events",
]

DEFAULT_SIGNAL_LIMIT: Final = 200
SOURCE: Final = "StreamSuites runtime"
SCOPE: Final = "runtime"


def _meta(now: float, visibility: str) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "meta": {
            "generated_at": iso(now),
            "source": SOURCE,
            "visibility": visibility,
            "scope": SCOPE,
        },
    }


def _public_item(
    item_id: str, title: str, state: str, creator: str, times: tuple[str | None, str | None]
) -> dict[str, Any]:
    """Return the dashboard's item form; `times` are the rendered created and updated times."""
    created, updated = times
    return {
        "id": item_id,
        "title": title,
        "state": state,
        "creator": creator,
        "created_at": created,
        "updated_at": updated,
        "public": True,
    }


def _time(value: object) -> str | None:
    return iso_datetime(value) if isinstance(value, datetime) else None


# -- polls.json --------------------------------------------------------------------------


def build_polls(engine: InteractiveEngine, now: float) -> dict[str, Any]:
    """Return ``polls.json``: every kept poll, by creator then opening order."""
    polls = [poll for creator in engine.creators.values() for poll in creator.polls.polls]
    return {
        **_meta(now, "public"),
        "polls": [_poll(poll) for poll in polls],
        "items": [
            _public_item(
                p.poll_id,
                p.question,
                p.state,
                p.creator_id,
                (_time(p.opened_at), _time(p.updated_at)),
            )
            for p in polls
        ],
    }


def _poll(poll: Poll) -> dict[str, Any]:
    counts = poll.counts()
    return {
        "poll_id": poll.poll_id,
        "creator": poll.creator_id,
        "question": poll.question,
        "options": [
            {"option_id": o.option_id, "label": o.label, "votes": counts[o.option_id]}
            for o in poll.options
        ],
        "total_votes": len(poll.votes),
        "state": poll.state,
        "opened_at": _time(poll.opened_at),
        "closed_at": _time(poll.closed_at),
    }


# -- tallies.json ------------------------------------------------------------------------


def build_tallies(engine: InteractiveEngine, now: float) -> dict[str, Any]:
    """Return ``tallies.json``: each configured tally's totals in the window current at `now`."""
    moment = utc_from_timestamp(now)
    tallies = [
        _tally(creator, definition, moment)
        for creator in engine.creators.values()
        for definition in creator.tallies.definitions.values()
    ]
    items = [
        _public_item(
            t["tally_id"],
            t["label"],
            t["state"],
            t["creator"],
            (t["window"]["start"], t["last_updated_at"]),
        )
        for t in tallies
    ]
    return {**_meta(now, "public"), "tallies": tallies, "items": items}


def _tally(
    creator: CreatorInteractive, definition: TallyDefinition, now: datetime
) -> dict[str, Any]:
    counts = creator.tallies.totals(definition.tally_id, now)
    start, end = window_bounds(definition, now)
    state = creator.tallies.state[definition.tally_id]
    return {
        "tally_id": definition.tally_id,
        "creator": creator.creator.creator_id,
        "label": definition.title,
        "count": sum(n for row in counts.values() for n in row.values()),
        "last_updated_at": _time(state.last_updated_at),
        "aggregation_type": definition.aggregation_type,
        "state": _window_state(start, end, now),
        "window": {"start": _time(start), "end": _time(end)},
        "categories": _categories(definition, counts),
        "options": _options(definition.options, counts.get("", {})),
    }


def _window_state(start: datetime | None, end: datetime | None, now: datetime) -> str:
    if start is not None and now < start:
        return "scheduled"
    if end is not None and now >= end:
        return "closed"
    return "open"


def _categories(definition: TallyDefinition, counts: Counts) -> list[dict[str, Any]]:
    configured = {c.category_id: c for c in definition.categories}
    ids = [*configured, *sorted(k for k in counts if k and k not in configured)]
    rows = []
    for category_id in ids:
        category = configured.get(category_id)
        row = counts.get(category_id, {})
        rows.append(
            {
                "category_id": category_id,
                "label": category.label if category else category_id,
                "count": sum(row.values()),
                "options": _options(category.options if category else (), row),
            }
        )
    return rows


def _options(configured: Iterable[Option], row: dict[str, int]) -> list[dict[str, Any]]:
    known = {o.option_id: o.label for o in configured}
    ids = [*known, *sorted(k for k in row if k and k not in known)]
    return [
        {
            "option_id": option_id,
            "label": known.get(option_id, option_id),
            "count": row.get(option_id, 0),
        }
        for option_id in ids
    ]


# -- scoreboards.json --------------------------------------------------------------------


def build_scoreboards(engine: InteractiveEngine, now: float) -> dict[str, Any]:
    """Return ``scoreboards.json``: each scoreboard's current period, ranked, and the previous."""
    boards = []
    for creator in engine.creators.values():
        for board_id, state in creator.scores.boards.items():
            boards.append(_scoreboard(creator, board_id, state))
    items = [
        _public_item(
            b["scoreboard_id"],
            b["title"],
            b["state"],
            b["creator"],
            (b["started_at"], b["updated_at"]),
        )
        for b in boards
    ]
    return {**_meta(now, "public"), "scoreboards": boards, "items": items}


def _scoreboard(
    creator: CreatorInteractive, board_id: str, state: ScoreboardState
) -> dict[str, Any]:
    definition = creator.scores.definitions[board_id]
    current = state.current
    return {
        "scoreboard_id": board_id,
        "creator": creator.creator.creator_id,
        "title": definition.title,
        "period_kind": definition.period_kind,
        "period_id": current.period_id if current else None,
        "state": "live" if current else "empty",
        "started_at": _time(current.started_at) if current else None,
        "updated_at": _time(_last_event_at(current)),
        "finalized_at": None,
        "entries": _entries(current, definition.max_entries),
        "previous": _previous(state.previous, definition.max_entries),
    }


def _last_event_at(standing: Standing | None) -> datetime | None:
    if standing is None:
        return None
    times = [e.last_event_at for e in standing.entries.values() if e.last_event_at is not None]
    return max(times, default=None)


def _entries(standing: Standing | None, limit: int) -> list[dict[str, Any]]:
    if standing is None:
        return []
    return [
        {"position": position, "user_id": e.user_id, "label": e.label, "score": e.score}
        for position, e in enumerate(ranked(standing)[:limit], 1)
    ]


def _previous(standing: Standing | None, limit: int) -> dict[str, Any] | None:
    if standing is None:
        return None
    return {
        "period_id": standing.period_id,
        "started_at": _time(standing.started_at),
        "finalized_at": _time(standing.finalized_at),
        "entries": _entries(standing, limit),
    }


# -- signal files ------------------------------------------------------------------------


def _newest(
    engine: InteractiveEngine, pick: Callable[[CreatorInteractive], list[Any]], limit: int
) -> list[Any]:
    merged = [signal for creator in engine.creators.values() for signal in pick(creator)]
    # Stable sort: signals at the same instant keep their per-creator order, creators by id.
    merged.sort(key=lambda signal: signal.at)
    return merged[-limit:]


def _signal_item(at: datetime, kind: str, source: str, summary: str) -> dict[str, Any]:
    return {"timestamp": _time(at), "type": kind, "source": source, "summary": summary}


def build_poll_votes(
    engine: InteractiveEngine, now: float, limit: int = DEFAULT_SIGNAL_LIMIT
) -> dict[str, Any]:
    """Return ``poll_votes.json``: the newest votes counted."""
    votes: list[VoteCast] = _newest(engine, lambda c: c.recent.votes, limit)
    return {
        **_meta(now, "dashboard"),
        "votes": [
            {
                "vote_id": v.vote_id,
                "poll_id": v.poll_id,
                "option_id": v.option_id,
                "creator": v.creator_id,
                "voter_id": v.voter_id,
                "voted_at": _time(v.at),
            }
            for v in votes
        ],
        "items": [
            _signal_item(
                v.at,
                "poll_vote",
                v.voter_id.partition(":")[0],
                f"{v.voter_name} {'changed to' if v.changed else 'voted'} option {v.option_id}",
            )
            for v in votes
        ],
    }


def build_tally_events(
    engine: InteractiveEngine, now: float, limit: int = DEFAULT_SIGNAL_LIMIT
) -> dict[str, Any]:
    """Return ``tally_events.json``: the newest tally increments."""
    counted: list[TallyCounted] = _newest(engine, lambda c: c.recent.tallies, limit)
    return {
        **_meta(now, "dashboard"),
        "events": [
            {
                "event_id": t.event_id,
                "tally_id": t.tally_id,
                "creator": t.creator_id,
                "category_id": t.category_id,
                "option_id": t.option_id,
                "delta": t.delta,
                "updated_at": _time(t.at),
            }
            for t in counted
        ],
        "items": [
            _signal_item(t.at, "tally", t.creator_id, f"{t.tally_id} {t.delta:+d}{_where(t)}")
            for t in counted
        ],
    }


def _where(counted: TallyCounted) -> str:
    parts = [part for part in (counted.category_id, counted.option_id) if part]
    return f" ({'/'.join(parts)})" if parts else ""


def build_score_events(
    engine: InteractiveEngine, now: float, limit: int = DEFAULT_SIGNAL_LIMIT
) -> dict[str, Any]:
    """Return ``score_events.json``: the newest score changes."""
    awards: list[ScoreAwarded] = _newest(engine, lambda c: c.recent.scores, limit)
    return {
        **_meta(now, "dashboard"),
        "events": [
            {
                "event_id": s.event_id,
                "scoreboard_id": s.scoreboard_id,
                "creator": s.creator_id,
                "user_id": s.user_id,
                "label": s.label,
                "score_delta": s.delta,
                "scored_at": _time(s.at),
            }
            for s in awards
        ],
        "items": [
            _signal_item(
                s.at, "score", s.creator_id, f"{s.label} {s.delta:+g} on {s.scoreboard_id}"
            )
            for s in awards
        ],
    }


def build_chat_events(
    engine: InteractiveEngine, now: float, limit: int = DEFAULT_SIGNAL_LIMIT
) -> dict[str, Any]:
    """Return ``chat_events.json``: the newest chat messages of every creator."""
    lines: list[ChatLine] = _newest(engine, lambda c: c.recent.chat, limit)
    return {
        **_meta(now, "dashboard"),
        "events": [
            {
                "event_id": m.event_id,
                "creator": m.creator_id,
                "platform": m.platform,
                "user_id": m.user_id,
                "username": m.username,
                "message": m.message,
                "message_at": _time(m.at),
            }
            for m in lines
        ],
        "items": [
            _signal_item(m.at, "chat_message", m.platform, f"{m.username}: {m.message}")
            for m in lines
        ],
    }


INTERACTIVE_FILES: Final[dict[str, Callable[[InteractiveEngine, float], dict[str, Any]]]] = {
    "polls.json": build_polls,
    "tallies.json": build_tallies,
    "scoreboards.json": build_scoreboards,
    "poll_votes.json": build_poll_votes,
    "tally_events.json": build_tally_events,
    "score_events.json": build_score_events,
    "chat_events.json": build_chat_events,
}
"""Each state file (path relative to the state dir) and its builder."""


def build_interactive_files(engine: InteractiveEngine, now: float) -> dict[str, dict[str, Any]]:
    """Return every interactive state file by relative path, ready for ``StateWriter.write``."""
    return {path: build(engine, now) for path, build in INTERACTIVE_FILES.items()}
