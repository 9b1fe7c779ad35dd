"""Keeps one connector alive: retry with capped, jittered backoff; stop on auth failure.

The policy, in one place:

- ``AuthError`` stops the connector with status ``auth_failed`` and the platform's reason. It is
  not retried: a refused token is refused again, and a retry storm can get an account flagged.
- ``RateLimited`` waits exactly the ``retry_after`` the platform asked for; so does
  ``Reconnect`` (a server's request to reconnect, usually at once), but only when the
  connection it ends had been up for ``QUICK_RECONNECT_AFTER`` seconds: a server that keeps
  asking at once gets the ordinary backoff, never a reconnect storm.
- ``TransportError``, ``ProtocolError``, a connection that simply ended, and any unexpected
  exception are retried after a delay drawn with *full jitter* from
  ``[0, min(cap, base * 2**attempt)]``. An unexpected exception is logged with its traceback the
  first time its type is seen for this connector, then as one line.
- A connection that stayed up for ``healthy_after`` seconds resets the backoff, so a connector
  that drops once an hour reconnects quickly every time.
- Cancellation is a clean stop (status ``stopped``); so is the runtime closing its intake.

A connector that can send chat (it has ``send``, the outbox's ``Sender``) is registered with its
outbox dispatcher while it is connected, and only then.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Literal

from streamsuites.actions.outbox import Sender
from streamsuites.backoff import Backoff, BackoffPolicy
from streamsuites.connectors.base import IntakeClosedError
from streamsuites.errors import (
    AuthError,
    ConnectorError,
    RateLimited,
    Reconnect,
    TransportError,
)
from streamsuites.events import ChatMessage
from streamsuites.logs import log_context
from streamsuites.state.runtime_state import ConnectorStatus

if TYPE_CHECKING:
    import random
    from collections.abc import Sequence

    from streamsuites.actions.dispatcher import OutboxDispatcher
    from streamsuites.clock import Clock
    from streamsuites.connectors.base import Connector, ConnectorSpec, WaitingStatus
    from streamsuites.eventlog import AppendResult
    from streamsuites.events import Event
    from streamsuites.intake import Intake
    from streamsuites.state.runtime_state import ConnectorHealth, RuntimeState

__all__ = ["Backoff", "BackoffPolicy", "Supervisor", "retry_delay"]

_log = logging.getLogger("streamsuites.supervisor")


QUICK_RECONNECT_AFTER = 10.0


def retry_delay(error: BaseException, backoff: Backoff, *, connected_for: float = 0.0) -> float:
    """Return how long to wait after `error`, which ended a connection up for `connected_for` s."""
    if isinstance(error, RateLimited):
        return max(0.0, error.retry_after)
    if isinstance(error, Reconnect) and connected_for >= QUICK_RECONNECT_AFTER:
        return max(0.0, error.retry_after)
    return backoff.next_delay()


def _describe(error: BaseException) -> str:
    if isinstance(error, ConnectorError):
        return error.reason
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


class Supervisor:
    """Runs one connector until cancelled or stopped for good, keeping its health truthful."""

    def __init__(
        self,
        *,
        spec: ConnectorSpec,
        connector: Connector,
        intake: Intake,
        state: RuntimeState,
        clock: Clock,
        policy: BackoffPolicy,
        rng: random.Random,
        outbox: OutboxDispatcher | None = None,
    ) -> None:
        self.spec = spec
        self._outbox = outbox
        self._connector = connector
        self._intake = intake
        self._state = state
        self._clock = clock
        self._policy = policy
        self._backoff = Backoff(policy, rng)
        self._logged_types: set[type[BaseException]] = set()
        self.health: ConnectorHealth = state.connector(spec.creator.creator_id, spec.platform)

    @property
    def source(self) -> str:
        """The telemetry source name, ``<platform>:<creator_id>``."""
        return f"{self.spec.platform}:{self.spec.creator.creator_id}"

    async def run(self) -> None:
        """Attempt connections until stopped; cancellation ends it with status ``stopped``."""
        with log_context(creator_id=self.spec.creator.creator_id, platform=self.spec.platform):
            try:
                while await self._attempt():
                    pass
            finally:
                if self.health.status is not ConnectorStatus.AUTH_FAILED:
                    self._set_status(ConnectorStatus.STOPPED, self.health.reason)

    async def _attempt(self) -> bool:
        link = _Link(self)
        self._set_status(ConnectorStatus.CONNECTING, None)
        error = await self._connection(link)
        if error is None:
            return False
        await self._back_off(error, link)
        return True

    async def _connection(self, link: _Link) -> BaseException | None:
        """Run one connection; return what ended it, or None when the connector must stop."""
        try:
            await self._connector.run(link)
        except IntakeClosedError:
            self._set_status(ConnectorStatus.STOPPED, "runtime shutting down")
            return None
        except AuthError as exc:
            self._stop_auth_failed(exc)
            return None
        except Exception as exc:  # noqa: BLE001 - every failure is retried; the class sets the delay
            return exc
        finally:
            self._detach_sender()
        return TransportError("connection ended")

    def _stop_auth_failed(self, error: AuthError) -> None:
        now = self._clock.time()
        self._record_failure(error, now)
        self._set_status(ConnectorStatus.AUTH_FAILED, error.reason)
        _log.error("authentication failed, not retrying: %s", error.reason)

    async def _back_off(self, error: BaseException, link: _Link) -> None:
        if link.connected_for() >= self._policy.healthy_after:
            self._backoff.reset()
            self.health.attempts = 0
        delay = retry_delay(error, self._backoff, connected_for=link.connected_for())
        now = self._clock.time()
        self._record_failure(error, now)
        self._log_failure(error, delay)
        self.health.attempts += 1
        self.health.reconnects += 1
        self.health.next_retry_at = now + delay
        self._set_status(ConnectorStatus.BACKOFF, _describe(error))
        await self._clock.sleep(delay)
        self.health.next_retry_at = None

    def _record_failure(self, error: BaseException, now: float) -> None:
        message = _describe(error)
        self.health.last_error = message
        self.health.last_error_at = now
        self.health.counters.errors += 1
        self._state.record_error("platform", type(error).__name__, message, now, self.source)

    def _log_failure(self, error: BaseException, delay: float) -> None:
        known = isinstance(error, ConnectorError)
        if known or type(error) in self._logged_types:
            _log.warning("connection failed (%s); retrying in %.1fs", _describe(error), delay)
            return
        self._logged_types.add(type(error))
        _log.error("unexpected error; retrying in %.1fs", delay, exc_info=error)

    def _set_status(self, status: ConnectorStatus, reason: str | None) -> None:
        self.health.status = status
        self.health.reason = reason
        if status is not ConnectorStatus.CONNECTED:
            self.health.connected_since = None

    def _attach_sender(self) -> None:
        if self._outbox is not None and isinstance(self._connector, Sender):
            self._outbox.register(self._connector)

    def _detach_sender(self) -> None:
        if self._outbox is not None and isinstance(self._connector, Sender):
            self._outbox.unregister(self._connector)

    def _waiting(self, status: ConnectorStatus, reason: str, until: float | None) -> None:
        self._detach_sender()
        if self.health.status is not status or self.health.reason != reason:
            self._state.record_event(self.source, reason, self._clock.time(), "info")
            _log.info("%s: %s", status, reason)
        self._set_status(status, reason)
        self.health.next_retry_at = until

    def _connected(self, now: float) -> None:
        self._attach_sender()
        self._set_status(ConnectorStatus.CONNECTED, None)
        self.health.connected_since = now
        self.health.next_retry_at = None
        self.health.next_frame_due = None
        self.health.last_frame_at = now
        self.health.last_success_at = now
        self._state.record_event(self.source, "connected", now, "info")
        _log.info("connected")


class _Link:
    """The supervisor's side of one connection attempt."""

    def __init__(self, supervisor: Supervisor) -> None:
        self._sup = supervisor
        self._clock = supervisor._clock
        self._connected_at: float | None = None

    def connected_for(self) -> float:
        """Seconds this attempt has been connected (0 if it never was)."""
        if self._connected_at is None:
            return 0.0
        return self._clock.monotonic() - self._connected_at

    def connected(self) -> None:
        self._connected_at = self._clock.monotonic()
        self._sup._connected(self._clock.time())

    def frame_received(self) -> None:
        self._sup.health.last_frame_at = self._clock.time()

    async def emit(self, events: Sequence[Event]) -> AppendResult:
        sup = self._sup
        result = await sup._intake.submit(events)
        now = self._clock.time()
        health = sup.health
        counters = health.counters
        counters.events += len(result.appended)
        counters.duplicates += result.duplicates
        counters.messages += sum(isinstance(e.event, ChatMessage) for e in result.appended)
        health.last_frame_at = now
        if result.appended:
            health.last_event_at = now
            health.last_success_at = now
        return result

    def notice(self, level: Literal["info", "warning", "error"], message: str) -> None:
        self._sup._state.record_event(self._sup.source, message, self._clock.time(), level)

    def next_frame_at(self, at: float) -> None:
        self._sup.health.next_frame_due = at

    def waiting(self, status: WaitingStatus, reason: str, *, until: float | None = None) -> None:
        self._connected_at = None
        self._sup._waiting(ConnectorStatus(status), reason, until)
