"""The seam between the runtime and a platform connector.

A connector is created once per (creator, platform) and keeps its desired state (channels to
join, page tokens) across connections. The supervisor calls :meth:`Connector.run` for every
connection attempt; ``run`` connects, reports through the :class:`ConnectorLink`, and returns or
raises when the connection ends. The exception class tells the supervisor what to do next
(see :mod:`streamsuites.errors`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

from streamsuites.clock import Clock, SystemClock

if TYPE_CHECKING:
    from pathlib import Path

    from streamsuites.config.model import Creator, CreatorPlatform
    from streamsuites.eventlog import AppendResult
    from streamsuites.events import Event

__all__ = [
    "Connector",
    "ConnectorFactory",
    "ConnectorLink",
    "ConnectorServices",
    "ConnectorSpec",
    "IntakeClosedError",
    "WaitingStatus",
]

WaitingStatus = Literal["offline", "quota_exhausted"]
"""Why a connector that is running is not connected: no live chat, or no quota left."""


class IntakeClosedError(Exception):
    """The runtime is shutting down and takes no more events; the connector should return."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectorServices:
    """What the runtime shares between connectors: its clock, and books kept across creators.

    ``shared`` holds one object per key for every connector of a runtime (the YouTube quota book
    is one, shared by every creator on the same Google Cloud project); a connector package
    creates its entry on first use with :meth:`shared_object`.
    """

    clock: Clock = field(default_factory=SystemClock)
    """The runtime's clock; every connector of the runtime keeps time by it."""
    database: Path | None = None
    """The runtime's SQLite file, for books kept across restarts; None keeps them in memory."""
    shared: dict[str, object] = field(default_factory=dict)

    def shared_object(self, key: str, create: Callable[[], object]) -> object:
        """Return the object shared under `key`, creating it with `create` the first time."""
        if key not in self.shared:
            self.shared[key] = create()
        return self.shared[key]


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectorSpec:
    """Everything a connector is built from. `secrets` holds values, resolved from the env."""

    creator: Creator
    settings: CreatorPlatform
    secrets: Mapping[str, str] = field(default_factory=dict, repr=False)
    services: ConnectorServices = field(default_factory=ConnectorServices)

    @property
    def platform(self) -> str:
        """The platform this connector serves."""
        return self.settings.platform


class ConnectorLink(Protocol):
    """What a running connector reports to; implemented by the supervisor."""

    def connected(self) -> None:
        """Report that the platform accepted us (handshake done, channel joined, chat bound)."""
        ...

    def frame_received(self) -> None:
        """Report that something arrived: a message, a keepalive, a poll response."""
        ...

    async def emit(self, events: Sequence[Event]) -> AppendResult:
        """Append normalized events to the log; returns once they are durable.

        Raises :class:`IntakeClosedError` during shutdown.
        """
        ...

    def notice(self, level: Literal["info", "warning", "error"], message: str) -> None:
        """Report something worth a line in telemetry (a NOTICE, a room mode change)."""
        ...

    def next_frame_at(self, at: float) -> None:
        """Report that a polling connector will not ask the platform again before `at`.

        The quiet until then is planned, so the connector is not reported ``stale`` for it.
        """
        ...

    def waiting(self, status: WaitingStatus, reason: str, *, until: float | None = None) -> None:
        """Report that the connector runs but is not connected, and why.

        ``offline``: no live chat to read (the connector re-checks on its schedule);
        ``quota_exhausted``: no API calls until `until` (epoch seconds). Sending stops until
        :meth:`connected` is called again.
        """
        ...


class Connector(Protocol):
    """One platform connection for one creator."""

    async def run(self, link: ConnectorLink) -> None:
        """Connect, then serve until the connection ends or the task is cancelled."""
        ...


ConnectorFactory = Callable[[ConnectorSpec], Connector]
