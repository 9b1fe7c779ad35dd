"""A connector that plays a recorded event file as if it were live: for demos and rehearsals.

``streamsuites run CONFIG --replay FILE`` gives every (creator, platform) found in FILE this
connector instead of the platform's own. All of them share one timeline: an event recorded
`t` seconds after the file's first event is appended `t / speed` seconds after the replay
starts, so events of different platforms arrive in their recorded order. Then each connector
stays connected, sending a keepalive now and then. Replies the
runtime sends are logged instead of posted, and count as delivered. Everything else (log,
triggers, outbox, polls, state files) is the real runtime.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Final

from streamsuites.actions.outbox import SendOutcome
from streamsuites.clock import SystemClock
from streamsuites.eventlog.files import read_events_file

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime
    from pathlib import Path

    from streamsuites.actions.outbox import OutboundMessage
    from streamsuites.clock import Clock
    from streamsuites.connectors.base import ConnectorFactory, ConnectorLink, ConnectorSpec
    from streamsuites.events import Event

__all__ = ["ReplayConnector", "Timeline", "replay_connectors"]

KEEPALIVE_SECONDS: Final = 30.0

_log = logging.getLogger("streamsuites.replay")


class Timeline:
    """Maps recorded times to the runtime's clock, the same for every connector."""

    def __init__(self, first: datetime, *, speed: float, clock: Clock) -> None:
        self.clock = clock
        self._first = first
        self._speed = speed
        self._started: float | None = None

    def delay(self, moment: datetime) -> float:
        """Return how long to wait until `moment` of the recording is due (starting it now)."""
        if self._started is None:
            self._started = self.clock.monotonic()
        return max(0.0, self._started + self._offset(moment) - self.clock.monotonic())

    def _offset(self, moment: datetime) -> float:
        return (moment - self._first).total_seconds() / self._speed


class ReplayConnector:
    """Plays `events` in order on a shared :class:`Timeline`."""

    def __init__(self, events: Sequence[Event], timeline: Timeline) -> None:
        self._events = events
        self._timeline = timeline
        self._next = 0

    async def run(self, link: ConnectorLink) -> None:
        """Emit the rest of the recording, then stay connected until cancelled."""
        link.connected()
        clock = self._timeline.clock
        while self._next < len(self._events):
            event = self._events[self._next]
            await clock.sleep(self._timeline.delay(event.occurred_at))
            await link.emit([event])
            self._next += 1
        while True:
            await clock.sleep(KEEPALIVE_SECONDS)
            link.frame_received()

    async def send(self, message: OutboundMessage) -> SendOutcome:
        """Log the reply the runtime would post."""
        _log.info("reply on %s #%s: %s", message.platform, message.channel, message.text)
        return SendOutcome.delivered()


def replay_connectors(
    path: Path, *, speed: float = 1.0, clock: Clock | None = None
) -> dict[str, ConnectorFactory]:
    """Return a replay connector factory for every platform that has events in `path`."""
    if speed <= 0:
        raise ValueError("speed must be positive")
    events = list(read_events_file(path))
    if not events:
        return {}
    first = min(e.occurred_at for e in events)
    timeline = Timeline(first, speed=speed, clock=SystemClock() if clock is None else clock)

    def factory(spec: ConnectorSpec) -> ReplayConnector:
        mine = [
            e
            for e in events
            if e.creator_id == spec.creator.creator_id and e.platform == spec.platform
        ]
        return ReplayConnector(mine, timeline)

    return dict.fromkeys({e.platform for e in events}, factory)
