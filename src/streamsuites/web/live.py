"""Live fan-out: one hub reads the event log after each append and feeds every client.

The :class:`Hub` is the only reader of new events for the web: the intake wakes it after each
append (:meth:`Hub.notify`), it reads what was added with ``read_after`` and offers each batch
to every :class:`Subscription`. Offering never waits: a subscription whose bounded buffer is
full is dropped instead, so a slow browser cannot slow the runtime; it reconnects with
``Last-Event-ID`` and loses nothing, because everything is in the log.

A :class:`Feed` joins a client's past and its live events without a gap or a duplicate. It
subscribes *first*, noting the hub's position ``P`` at that instant; then it reads the log from
the client's cursor up to ``P`` (catch-up), then serves the subscription, which holds exactly
the events after ``P``. Anything at or before the cursor is skipped, so an event that both the
catch-up read and the live feed saw is sent once.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import msgspec

from streamsuites.eventlog import EventFilter
from streamsuites.events import encode_event, event_kind
from streamsuites.waiting import wait_for_wake

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from streamsuites.clock import Clock
    from streamsuites.eventlog import EventLog, LoggedEvent
    from streamsuites.events import Event

__all__ = [
    "DEFAULT_CAPACITY",
    "ClientTooSlowError",
    "Feed",
    "Hub",
    "Selector",
    "Subscription",
    "event_json",
]

DEFAULT_CAPACITY: Final = 1000
"""Events a client's buffer holds before the client is dropped."""
READ_BATCH: Final = 500

_log = logging.getLogger("streamsuites.web")


def event_json(logged: LoggedEvent) -> msgspec.Raw:
    """Return the API's event object: the canonical event JSON with ``"seq"`` added."""
    body = encode_event(logged.event)
    return msgspec.Raw(b'{"seq":%d,%s' % (logged.seq, body[1:]))


class ClientTooSlowError(Exception):
    """A client's buffer filled up; it was dropped and must reconnect."""


@dataclass(frozen=True, slots=True)
class Selector:
    """Which events a client wants; an empty set means every value."""

    creators: frozenset[str] = frozenset()
    platforms: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()

    def matches(self, event: Event) -> bool:
        """Return whether `event` passes every filter."""
        return (
            (not self.creators or event.creator_id in self.creators)
            and (not self.platforms or event.platform in self.platforms)
            and (not self.kinds or event_kind(event) in self.kinds)
        )

    def log_filter(self) -> EventFilter:
        """Return the narrowest filter the log can apply (it takes one creator and platform)."""
        return EventFilter(
            creator_id=_only(self.creators),
            platform=_only(self.platforms),
            kinds=tuple(sorted(self.kinds)),
        )


def _only(values: frozenset[str]) -> str | None:
    return next(iter(values)) if len(values) == 1 else None


class Subscription:
    """One client's bounded buffer of live events after `position`."""

    def __init__(
        self,
        selector: Selector,
        position: int,
        capacity: int,
        on_drop: Callable[[], None] | None = None,
    ) -> None:
        self.selector = selector
        self.position = position
        """The hub's position when it subscribed: it receives every event after this one."""
        self.capacity = capacity
        self.dropped = False
        self._items: deque[LoggedEvent] = deque()
        self._wake = asyncio.Event()
        self._on_drop = on_drop

    def offer(self, batch: Sequence[LoggedEvent]) -> bool:
        """Buffer the events of `batch` it wants; return False (and drop) when it cannot."""
        if self.dropped:
            return False
        wanted = [e for e in batch if self.selector.matches(e.event)]
        if len(self._items) + len(wanted) > self.capacity:
            self.drop()
            return False
        if wanted:
            self._items.extend(wanted)
            self._wake.set()
        return True

    async def take(self, timeout: float) -> list[LoggedEvent]:
        """Return every buffered event, waiting up to `timeout` s for one ([] if none came)."""
        if not self._items and not self.dropped:
            try:
                async with asyncio.timeout(timeout):
                    await self._wake.wait()
            except TimeoutError:
                return []
        if self.dropped:
            raise ClientTooSlowError("the client's buffer filled up")
        items = list(self._items)
        self._items.clear()
        self._wake.clear()
        return items

    def requeue(self, items: Sequence[LoggedEvent]) -> None:
        """Put taken events back in front, to be taken again."""
        if items and not self.dropped:
            self._items.extendleft(reversed(items))
            self._wake.set()

    def interrupt(self) -> None:
        """Make a waiting :meth:`take` return now."""
        self._wake.set()

    def drop(self) -> None:
        """Stop this subscription: a waiting take raises, and `on_drop` is told."""
        self.dropped = True
        self._items.clear()
        self._wake.set()
        if self._on_drop is not None:
            self._on_drop()


class Hub:
    """Reads each new event once and offers it to every subscription.

    `poll_interval` bounds how late the hub notices events appended without a
    :meth:`notify` (by another process sharing the log). `on_drop` is told each dropped client.
    """

    def __init__(
        self,
        log: EventLog,
        clock: Clock,
        *,
        capacity: int = DEFAULT_CAPACITY,
        poll_interval: float = 1.0,
        on_drop: Callable[[], None] | None = None,
    ) -> None:
        self.position = 0
        """The seq of the last event offered to the subscriptions."""
        self.capacity = capacity
        self.dropped = 0
        self._log, self._clock = log, clock
        self._poll_interval = poll_interval
        self._on_drop = on_drop
        self._subscriptions: set[Subscription] = set()
        self._wake = asyncio.Event()
        self._reading = asyncio.Lock()
        """One pump at a time: two would offer the same events twice."""

    @property
    def clients(self) -> int:
        """How many subscriptions are live."""
        return len(self._subscriptions)

    async def start(self) -> None:
        """Start at the log's end: clients get what is appended from now on."""
        self.position = (await self._log.stats()).last_seq

    def notify(self) -> None:
        """Wake the hub: events were appended (the intake's ``on_append``)."""
        self._wake.set()

    def subscribe(
        self, selector: Selector, on_drop: Callable[[], None] | None = None
    ) -> Subscription:
        """Return a subscription receiving every matching event after the current position."""
        subscription = Subscription(selector, self.position, self.capacity, on_drop)
        self._subscriptions.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        """Stop offering events to `subscription`; unknown ones are ignored."""
        self._subscriptions.discard(subscription)

    def close(self) -> None:
        """Drop every subscription (the server is stopping); their clients reconnect later."""
        subscriptions, self._subscriptions = self._subscriptions, set()
        for subscription in subscriptions:
            subscription.drop()

    async def run(self) -> None:
        """Pump new events to the subscriptions until cancelled."""
        while True:
            try:
                await self.pump()
            except Exception:
                # A failed read is retried on the next wake; the web must not stop the runtime.
                _log.exception("reading new events for live clients failed")
            await wait_for_wake(self._wake, self._clock, self._poll_interval)

    async def pump(self) -> int:
        """Offer every event after the position; return how many there were.

        A new client without a cursor calls it before subscribing, so "the live end" is the
        log's end, not wherever the hub's last wake-up left it.
        """
        total = 0
        async with self._reading:
            while batch := await self._log.read_after(self.position, limit=READ_BATCH):
                self._offer(batch)
                total += len(batch)
        return total

    def _offer(self, batch: list[LoggedEvent]) -> None:
        # One synchronous step: the position moves with the offer, so a subscription made
        # between two batches receives exactly the events after its own position.
        for subscription in list(self._subscriptions):
            if not subscription.offer(batch):
                self._subscriptions.discard(subscription)
                self.dropped += 1
                if self._on_drop is not None:
                    self._on_drop()
        self.position = batch[-1].seq


class Feed:
    """One client's events in seq order: catch-up from the log, then the live subscription."""

    def __init__(self, hub: Hub, log: EventLog, subscription: Subscription, cursor: int) -> None:
        self.cursor = cursor
        """The seq of the last event this client has; nothing at or before it is sent again."""
        self._hub, self._log, self._subscription = hub, log, subscription
        self._bound: int | None = subscription.position if cursor < subscription.position else None

    def rewind(self, cursor: int) -> None:
        """Serve again everything after `cursor` (a WebSocket client's ``resume``)."""
        self.cursor = cursor
        self._bound = self._hub.position if cursor < self._hub.position else None
        self._subscription.interrupt()

    async def next(self, timeout: float) -> list[LoggedEvent]:
        """Return the next events after the cursor ([] when `timeout` passed with none)."""
        if self._bound is not None:
            return await self._catch_up(self._bound)
        taken = await self._subscription.take(timeout)
        if self._bound is not None:
            # Rewound while waiting: the catch-up goes first, these events after it.
            self._subscription.requeue(taken)
            return []
        fresh = [e for e in taken if e.seq > self.cursor]
        if fresh:
            self.cursor = fresh[-1].seq
        return fresh

    async def _catch_up(self, bound: int) -> list[LoggedEvent]:
        selector = self._subscription.selector
        where = selector.log_filter()
        batch = await self._log.read_after(self.cursor, limit=READ_BATCH, where=where)
        within = [e for e in batch if e.seq <= bound]
        if len(within) < len(batch) or len(batch) < READ_BATCH:
            self._bound = None
            self.cursor = max(self.cursor, bound)
        if within:
            self.cursor = max(self.cursor, within[-1].seq)
        return [e for e in within if selector.matches(e.event)]
