"""The YouTube emulator's books: quota per project, OAuth tokens, and faults waiting to fire.

Pure bookkeeping; every method that depends on time takes `now` (epoch seconds from the
emulator's clock), so a test's FakeClock decides when a quota day ends or a token expires.

Quota rule (Google says only that invalid requests cost at least one unit): a request that
succeeds costs its method's full price from ``connectors.youtube.costs``; one that fails after
its project is known costs 1 unit; a request refused for exhausted quota costs nothing, and one
whose credentials name no project (unknown key, bad token) has nobody to charge. A call is
refused with ``quotaExceeded`` when its full price would take the day's use past the quota.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Final

from streamsuites.connectors.youtube.costs import DAILY_UNITS, quota_day

__all__ = ["FaultQueue", "PendingFault", "QuotaBook", "TokenGrant", "TokenStore", "quota_day"]

SCOPE: Final = "https://www.googleapis.com/auth/youtube.force-ssl"


@dataclass(slots=True)
class QuotaBook:
    """Units used per project in the current quota day."""

    daily_quota: int = DAILY_UNITS
    _used: dict[str, tuple[str, int]] = field(default_factory=dict)

    def used(self, project: str, *, now: float) -> int:
        """Return the units `project` has used in the quota day of `now`."""
        day, units = self._used.get(project, ("", 0))
        return units if day == quota_day(now) else 0

    def allows(self, project: str, cost: int, *, now: float) -> bool:
        """Return whether a call costing `cost` fits in what is left today."""
        return self.used(project, now=now) + cost <= self.daily_quota

    def charge(self, project: str, units: int, *, now: float) -> None:
        """Add `units` to `project`'s use today."""
        self._used[project] = (quota_day(now), self.used(project, now=now) + units)

    def exhaust(self, project: str, *, now: float) -> None:
        """Use up the rest of `project`'s day."""
        self._used[project] = (quota_day(now), self.daily_quota)


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """An access token issued by ``/token``."""

    access_token: str
    client_id: str
    refresh_token: str
    expires_at: float


class TokenStore:
    """OAuth clients, refresh tokens and the access tokens issued for them."""

    def __init__(
        self, clients: dict[str, str], refresh_tokens: dict[str, str], *, ttl: float
    ) -> None:
        self._clients = clients
        self._refresh = refresh_tokens
        self._ttl = ttl
        self._issued: dict[str, TokenGrant] = {}
        self._numbers = itertools.count(1)

    @property
    def clients(self) -> list[str]:
        """The OAuth client ids."""
        return list(self._clients)

    def add_refresh_token(self, refresh_token: str, client_id: str) -> None:
        """Accept `refresh_token` for `client_id` from now on."""
        self._refresh[refresh_token] = client_id

    def grant(self, form: dict[str, str], *, now: float) -> TokenGrant | tuple[int, str, str]:
        """Answer a refresh-token grant: a new token, or (status, error, description)."""
        if form.get("grant_type") != "refresh_token":
            return (
                400,
                "unsupported_grant_type",
                "Invalid grant_type: " + form.get("grant_type", ""),
            )
        client_id = form.get("client_id", "")
        if self._clients.get(client_id) != form.get("client_secret") or not client_id:
            return 401, "invalid_client", "The OAuth client was not found."
        refresh = form.get("refresh_token", "")
        if self._refresh.get(refresh) != client_id:
            return 400, "invalid_grant", "Token has been expired or revoked."
        token = f"ya29.emulator-{next(self._numbers)}-{client_id}"
        self._issued[token] = TokenGrant(token, client_id, refresh, now + self._ttl)
        return self._issued[token]

    def check(self, access_token: str, *, now: float) -> TokenGrant | None:
        """Return the grant behind a live access token; None when unknown, revoked or expired."""
        grant = self._issued.get(access_token)
        if grant is None or grant.expires_at <= now:
            return None
        return grant

    def revoke(self, refresh_token: str | None = None) -> None:
        """Revoke a refresh token (every one if None) and the access tokens issued from it."""
        for token in [t for t in self._refresh if refresh_token in (None, t)]:
            del self._refresh[token]
        for access, grant in list(self._issued.items()):
            if refresh_token in (None, grant.refresh_token):
                del self._issued[access]

    def revoke_access(self, access_token: str | None = None) -> None:
        """Revoke one access token (every one if None); its refresh token still works."""
        for access in [t for t in self._issued if access_token in (None, t)]:
            del self._issued[access]


@dataclass(slots=True)
class PendingFault:
    """A fault for the next `remaining` requests (of `endpoint`, or of every API method)."""

    remaining: int
    endpoint: str | None
    status: int | None = None
    """The error status to answer; None for a slow-but-successful fault."""
    reason: str | None = None
    delay: float = 0.0
    """Seconds of emulator-clock time to wait before answering."""

    def matches(self, endpoint: str) -> bool:
        """Return whether this fault applies to a request of `endpoint`.

        With no endpoint it applies to API methods only, not to ``token``.
        """
        if self.endpoint is None:
            return endpoint != "token"
        return self.endpoint == endpoint


@dataclass(slots=True)
class FaultQueue:
    """Faults in the order they were asked for; each request takes the first that matches."""

    pending: list[PendingFault] = field(default_factory=list)

    def add(self, fault: PendingFault) -> None:
        """Queue `fault`."""
        if fault.remaining > 0:
            self.pending.append(fault)

    def take(self, endpoint: str) -> PendingFault | None:
        """Return the first fault for `endpoint`, counting this request against it."""
        for fault in self.pending:
            if fault.matches(endpoint):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self.pending.remove(fault)
                return fault
        return None
