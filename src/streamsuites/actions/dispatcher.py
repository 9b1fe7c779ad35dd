"""Delivers one connector's outbox rows through the sender registered while it is connected.

One :class:`OutboxDispatcher` per (creator, platform). Rows are sent one at a time, oldest
first. Each row is marked ``sending`` in its own transaction before the sender is called and
marked with the outcome after, so a crash in between leaves a ``sending`` row; on the next start
it becomes ``failed`` ("interrupted by restart while sending; delivery unknown") rather than
being sent again: a reply is sent at most once. When the platform asks us to wait
(``retry_after``), the row goes back to the queue and the whole dispatcher pauses, which keeps
the messages in order. Rows no sender took before their time to live become ``expired``.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Final

from streamsuites.actions import outbox
from streamsuites.actions.outbox import OutboxStatus, SendOutcome
from streamsuites.waiting import wait_for_wake

if TYPE_CHECKING:
    from streamsuites.actions.database import ActionDatabase
    from streamsuites.actions.outbox import OutboxRow, Sender
    from streamsuites.clock import Clock
    from streamsuites.state.runtime_state import RuntimeState

__all__ = ["DispatchStats", "OutboxDispatcher"]

_log = logging.getLogger("streamsuites.actions.outbox")

DEFAULT_POLL_INTERVAL: Final = 1.0
EXPIRE_EVERY: Final = 1.0
"""Seconds between two expiry sweeps: a sweep is a write transaction, and a time to live is
minutes long, so sweeping before every send would only put a commit in each reply's way."""


@dataclass(slots=True)
class DispatchStats:
    """How many rows this dispatcher finished, by end state, since it was made."""

    delivered: int = 0
    failed: int = 0
    expired: int = 0
    retried: int = 0


class OutboxDispatcher:
    """Sends the outbox rows of one (creator, platform) through its registered :class:`Sender`."""

    def __init__(
        self,
        db: ActionDatabase,
        *,
        creator_id: str,
        platform: str,
        clock: Clock,
        state: RuntimeState,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
    ) -> None:
        self.creator_id = creator_id
        self.platform = platform
        self.stats = DispatchStats()
        self._db = db
        self._clock = clock
        self._state = state
        self._poll_interval = poll_interval
        self._sender: Sender | None = None
        self._paused_until = 0.0
        self._next_sweep = 0.0
        self._wake = asyncio.Event()

    @property
    def source(self) -> str:
        """The telemetry source name, ``<platform>:<creator_id>`` as the supervisor's."""
        return f"{self.platform}:{self.creator_id}"

    def register(self, sender: Sender) -> None:
        """Use `sender` from now on (the connector is connected) and look at the queue."""
        self._sender = sender
        self.notify()

    def unregister(self, sender: Sender) -> None:
        """Stop using `sender`; rows wait for the next one (or their time to live)."""
        if self._sender is sender:
            self._sender = None

    def notify(self) -> None:
        """Wake the dispatcher: a row was queued or a sender registered."""
        self._wake.set()

    async def recover(self) -> list[str]:
        """Fail the rows a crash left in ``sending``; return their action ids."""
        now = self._clock.time()
        call = partial(outbox.interrupt_sending, now=now)
        ids = await self._db.transact(lambda conn: call(conn, self.creator_id, self.platform))
        for action_id in ids:
            self._finished(OutboxStatus.FAILED, action_id, outbox.INTERRUPTED_SENDING, now)
        return ids

    async def run(self) -> None:
        """Recover, then deliver and expire rows until cancelled."""
        await self.recover()
        while True:
            if not await self.run_once():
                await wait_for_wake(self._wake, self._clock, self._poll_interval)

    async def run_once(self) -> int:
        """Expire what is due, then send every row that may go now; return rows finished."""
        finished = 0
        if self._clock.time() >= self._next_sweep:
            self._next_sweep = self._clock.time() + EXPIRE_EVERY
            finished = await self._expire()
        while (row := await self._next_due()) is not None:
            if not await self._deliver(row):
                break
            finished += 1
        return finished

    async def _expire(self) -> int:
        now = self._clock.time()
        reason = (
            "not delivered within its time to live"
            if self._sender is not None
            else f"no sender for {self.platform} connected"
        )
        call = partial(outbox.expire_due, now=now, reason=reason)
        ids = await self._db.transact(lambda conn: call(conn, self.creator_id, self.platform))
        for action_id in ids:
            self._finished(OutboxStatus.EXPIRED, action_id, reason, now)
        return len(ids)

    async def _next_due(self) -> OutboxRow | None:
        now = self._clock.time()
        if self._sender is None or now < self._paused_until:
            return None
        return await self._db.read(
            lambda conn: outbox.next_due(conn, self.creator_id, self.platform, now)
        )

    async def _deliver(self, row: OutboxRow) -> bool:
        """Send `row`; return False if the dispatcher must pause (the row was put back)."""
        sender = self._sender
        if sender is None:
            return False
        action_id = row.message.action_id
        claimed = await self._db.transact(
            lambda conn: outbox.mark_sending(conn, action_id, self._clock.time())
        )
        if not claimed:
            return True
        try:
            outcome = await sender.send(row.message)
        except Exception as exc:  # noqa: BLE001 - a sender's bug fails this row, not the loop
            _log.exception("sender for %s raised", self.source)
            outcome = SendOutcome.failed(f"sender raised {type(exc).__name__}: {exc}")
        return await self._settle(action_id, outcome)

    async def _settle(self, action_id: str, outcome: SendOutcome) -> bool:
        now = self._clock.time()
        if outcome.status == "retry_after":
            self._paused_until = now + outcome.retry_after
            at = self._paused_until
            retry = partial(outbox.mark_retry, at=at, reason=outcome.reason, now=now)
            await self._db.transact(lambda conn: retry(conn, action_id))
            self.stats.retried += 1
            return False
        status = OutboxStatus.DELIVERED if outcome.status == "delivered" else OutboxStatus.FAILED
        await self._db.transact(
            lambda conn: outbox.mark_done(conn, action_id, status, outcome.reason, now)
        )
        self._finished(status, action_id, outcome.reason, now)
        return True

    def _finished(
        self, status: OutboxStatus, action_id: str, reason: str | None, now: float
    ) -> None:
        if status is OutboxStatus.DELIVERED:
            self.stats.delivered += 1
            return
        if status is OutboxStatus.EXPIRED:
            self.stats.expired += 1
        else:
            self.stats.failed += 1
        message = f"chat message {action_id} {status.value}: {reason}"
        _log.warning("%s", message)
        self._state.record_error("platform", f"outbox_{status.value}", message, now, self.source)
