"""``streamsuites inspect``: show what raw platform traffic becomes, as one JSON line each."""

from __future__ import annotations

from typing import TYPE_CHECKING

from streamsuites.connectors.twitch.protocol import parse_line
from streamsuites.connectors.twitch.translate import translate
from streamsuites.events import encode_event

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from datetime import datetime

__all__ = ["inspect_twitch"]


def inspect_twitch(lines: Iterable[str], *, creator_id: str, now: datetime) -> Iterator[str]:
    """Yield, for each raw IRC line, its events in the canonical encoding, or ``null`` for none.

    A line that makes several events yields one JSON line per event. Blank lines are skipped.
    `now` stands in for the receive time, so the same input always prints the same output.
    """
    for line in lines:
        if not line.strip("\r\n"):
            continue
        events = translate(parse_line(line), creator_id=creator_id, received_at=now)
        if not events:
            yield "null"
        for event in events:
            yield encode_event(event).decode()
