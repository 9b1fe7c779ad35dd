"""The server's security rules, as pure values and functions the app's middleware applies.

The original chat API listened on every interface, served the whole repository (``.env``
included), allowed any origin and had no operator check. Here: loopback by default
(:func:`bind_warning` explains anything else), static files only from one folder with no
dotfiles and no way out of it (:func:`resolve_static`), a strict CSP and no CORS header unless an
origin is configured (:func:`security_headers`, :func:`cors_headers`), a bearer token compared
in constant time (:func:`token_matches`), and a token bucket per client on every mutating
endpoint (:class:`RateLimiter`, which takes ``now``).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Collection
    from pathlib import Path

__all__ = [
    "CSP",
    "CSP_REPORT_PATH",
    "RateLimiter",
    "bind_warning",
    "cors_headers",
    "LOOPBACK_NAMES",
    "host_allowed",
    "is_loopback",
    "origin_allowed",
    "resolve_static",
    "retry_after",
    "security_headers",
    "token_matches",
]

CSP_REPORT_PATH: Final = "/api/v1/csp-report"
CSP: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "
    f"frame-ancestors 'none'; report-uri {CSP_REPORT_PATH}"
)
"""Every response carries it: no inline script or style, nothing loaded from elsewhere except
https images (avatars, emotes), and no framing."""


def security_headers() -> dict[str, str]:
    """Return the headers every response carries."""
    return {
        "Content-Security-Policy": CSP,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
    }


def cors_headers(origin: str | None, allowed: Collection[str]) -> dict[str, str]:
    """Return CORS headers for `origin`: only an exact configured origin, never ``*``."""
    if origin is None or origin not in allowed:
        return {}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Headers": (
            "Authorization, Content-Type, Idempotency-Key, Last-Event-ID"
        ),
        "Access-Control-Allow-Methods": "GET, POST",
        "Vary": "Origin",
    }


def token_matches(header: str | None, token: str) -> bool:
    """Return whether an ``Authorization`` header carries `token` as a bearer token.

    The comparison takes the same time whatever the first wrong byte, so the token cannot be
    guessed byte by byte from response times; comparing digests hides its length too.
    """
    scheme, _, given = (header or "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(_digest(given.strip()), _digest(token))


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


def is_loopback(host: str) -> bool:
    """Return whether `host` names only this machine (``localhost`` or a loopback address)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind_warning(host: str, token: str | None) -> str | None:
    """Return the warning to log when other machines can reach a server with no token."""
    if is_loopback(host) or token:
        return None
    return (
        f"the web server listens on {host}, reachable from other machines, and no operator "
        "token is set (STREAMSUITES_WEB_TOKEN): mutating endpoints answer 403, but every read "
        "endpoint (chat, events, state) is open to the network"
    )


LOOPBACK_NAMES: Final = frozenset({"127.0.0.1", "localhost", "::1"})


def _hostname(authority: str) -> str:
    """Return the host of ``host[:port]`` (``[v6]:port`` too), lowercased."""
    authority = authority.strip().lower()
    if authority.startswith("["):
        return authority[1 : authority.find("]")] if "]" in authority else ""
    return authority.rsplit(":", 1)[0] if authority.count(":") == 1 else authority


def host_allowed(host_header: str | None, allowed: Collection[str]) -> bool:
    """Return whether the request's ``Host`` names this server (an empty `allowed`: any host).

    A page on another site can make a browser resolve its own name to 127.0.0.1 (DNS
    rebinding) and read a loopback server as same-origin; such a request carries that site's
    name in ``Host``, so a loopback server accepts only its own names.
    """
    if not allowed:
        return True
    return host_header is not None and _hostname(host_header) in allowed


def origin_allowed(origin: str | None, host_header: str | None, allowed: Collection[str]) -> bool:
    """Return whether a WebSocket may be opened from `origin`.

    Browsers apply no CORS to WebSockets, so any page could otherwise read the dashboard feed:
    only the server's own pages (same host), configured origins, and non-browser clients (no
    ``Origin``) are accepted.
    """
    if origin is None or origin in allowed:
        return True
    _, _, authority = origin.partition("://")
    return host_header is not None and authority.lower() == host_header.strip().lower()


def resolve_static(root: Path, name: str) -> Path | None:
    """Return the file `name` names inside `root`, or None for anything else.

    Refused: empty or dot-led segments (``..``, ``.env``, ``.git``), backslashes and NUL, names
    that resolve outside `root` (symlinks included), and directories (no listing).
    """
    parts = name.split("/")
    if any(not part or part.startswith(".") or "\\" in part or "\x00" in part for part in parts):
        return None
    base = root.resolve()
    candidate = base.joinpath(*parts).resolve()
    if not candidate.is_relative_to(base) or not candidate.is_file():
        return None
    return candidate


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


@dataclass(slots=True)
class RateLimiter:
    """A token bucket per client: `burst` requests at once, refilled at `rate` per second."""

    rate: float = 1.0
    burst: int = 10
    max_clients: int = 10_000
    """Buckets kept; the oldest are forgotten beyond this (a full bucket is the default)."""
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    def acquire(self, client: str, now: float) -> float:
        """Take one request for `client` at `now`; return 0, or the seconds to wait if refused."""
        bucket = self._buckets.pop(client, None) or _Bucket(float(self.burst), now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        self._buckets[client] = bucket
        self._forget_oldest()
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate

    def _forget_oldest(self) -> None:
        while len(self._buckets) > self.max_clients:
            del self._buckets[next(iter(self._buckets))]


def retry_after(seconds: float) -> str:
    """Return a ``Retry-After`` value: whole seconds, rounded up, at least 1."""
    return str(max(1, math.ceil(seconds)))
