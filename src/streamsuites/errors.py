"""The one exception tree of the runtime.

The tree::

    streamsuites.errors.Error
    ├── ConfigError           bad input in a config directory (carries every issue found)
    ├── ComponentStateError   a lifecycle call in the wrong state (start twice, use after close)
    ├── ConnectorError        raised by a connector's run(); the supervisor branches on the class
    │   ├── AuthError         credentials refused: stop, say why, never retry by itself
    │   ├── TransportError    socket/HTTP failure: retry with backoff
    │   │   └── Reconnect     the server asked us to reconnect: at once, if the link was up 10 s
    │   ├── ProtocolError     the peer said something we cannot follow: retry with backoff
    │   └── RateLimited       the platform asked us to wait `retry_after` seconds
    ├── ActionError           an action could not be performed
    └── JobError              a job failed
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from streamsuites.config.issues import ConfigIssue

__all__ = [
    "ActionError",
    "AuthError",
    "ComponentStateError",
    "ConfigError",
    "ConnectorError",
    "Error",
    "JobError",
    "ProtocolError",
    "RateLimited",
    "Reconnect",
    "TransportError",
]


class Error(Exception):
    """Base class of every error the runtime raises on purpose."""


class ComponentStateError(Error):
    """A lifecycle method was called in a state that does not allow it."""


class ConfigError(Error):
    """A config directory has problems; `issues` lists every one found, not just the first."""

    def __init__(self, issues: Sequence[ConfigIssue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(str(issue) for issue in issues))


class ConnectorError(Error):
    """A connector stopped; the subclass tells the supervisor what to do next."""

    can_retry: bool = True

    def __init__(self, reason: str, *, platform: str = "", code: str = "") -> None:
        self.reason = reason
        self.platform = platform
        self.code = code
        super().__init__(reason)


class AuthError(ConnectorError):
    """The platform refused our credentials; retrying would only be refused again."""

    can_retry = False


class TransportError(ConnectorError):
    """The connection failed or closed; a new connection may work."""


class Reconnect(TransportError):
    """The server asked us to reconnect (Twitch's RECONNECT).

    The supervisor waits `retry_after` (0: reconnects at once) if the connection had been up for
    ``QUICK_RECONNECT_AFTER`` (10 s), and the ordinary backoff otherwise.

    Unlike an ordinary transport failure this is planned maintenance, not trouble: waiting out a
    backoff would only leave chat unread for longer.
    """

    def __init__(
        self, reason: str, *, retry_after: float = 0.0, platform: str = "", code: str = ""
    ) -> None:
        super().__init__(reason, platform=platform, code=code)
        self.retry_after = retry_after


class ProtocolError(ConnectorError):
    """The peer sent something we cannot follow; a new connection may work."""


class RateLimited(ConnectorError):
    """The platform asked us to slow down for `retry_after` seconds."""

    def __init__(
        self, reason: str, *, retry_after: float, platform: str = "", code: str = ""
    ) -> None:
        super().__init__(reason, platform=platform, code=code)
        self.retry_after = retry_after


class ActionError(Error):
    """An action could not be performed."""


class JobError(Error):
    """A job failed."""
