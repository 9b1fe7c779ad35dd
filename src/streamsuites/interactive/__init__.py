"""Polls, tallies and scoreboards: pure reducers over events and descriptors.

::

    engine = InteractiveEngine.from_config(config, state=store.load()[0])
    signals = engine.apply_event(event)            # chat commands, votes, scores
    outcome = engine.apply_action(descriptor)      # poll_*, tally_increment, score_award
    store.save(engine.snapshot(), offset)          # same transaction as the offset
    for path, payload in build_interactive_files(engine, now).items():
        writer.write(path, payload)

See ``docs/interactive.md``.
"""

from __future__ import annotations

from streamsuites.interactive.engine import (
    INTERACTIVE_ACTIONS,
    CreatorInteractive,
    InteractiveEngine,
)
from streamsuites.interactive.exports import INTERACTIVE_FILES, build_interactive_files
from streamsuites.interactive.polls import Poll, PollBook
from streamsuites.interactive.scoreboards import ScoreBook, period_id, points_for
from streamsuites.interactive.signals import (
    ChatLine,
    Outcome,
    PollClosed,
    PollOpened,
    Refused,
    ScoreAwarded,
    Signal,
    TallyCounted,
    VoteCast,
)
from streamsuites.interactive.tallies import TallyBook, window_bounds, window_id

__all__ = [
    "INTERACTIVE_ACTIONS",
    "INTERACTIVE_FILES",
    "ChatLine",
    "CreatorInteractive",
    "InteractiveEngine",
    "Outcome",
    "Poll",
    "PollBook",
    "PollClosed",
    "PollOpened",
    "Refused",
    "ScoreAwarded",
    "ScoreBook",
    "Signal",
    "TallyBook",
    "TallyCounted",
    "VoteCast",
    "build_interactive_files",
    "period_id",
    "points_for",
    "window_bounds",
    "window_id",
]
