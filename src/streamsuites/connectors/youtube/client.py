"""HTTP calls to the YouTube Data API: credentials, quota charging, and what errors mean.

Every call is charged to the project's quota book *before* it is made, because Google charges
failed requests too; a call the book cannot afford is not made at all (:class:`QuotaExhausted`).
Errors are read from Google's error body (``error.errors[].reason``) and become the classes the
connector and the supervisor act on:

=========================================  ===============================================
reason / status                            raised
=========================================  ===============================================
``quotaExceeded``                          :class:`QuotaExhausted` until the quota resets
``rateLimitExceeded``, ``userRateLimit…``,  :class:`RateLimited` (``Retry-After`` or 10 s)
429
5xx, network errors, timeouts              :class:`TransportError`
``keyInvalid``, ``keyExpired``,            :class:`AuthError` (stop: retrying cannot help)
``accessNotConfigured``, 401 after a
token refresh, ``invalid_grant``
``liveChatEnded``, ``liveChatNotFound``,   :class:`ChatGone` (back to discovery)
``liveChatDisabled``
anything else                              :class:`ApiCallError` (a ProtocolError)
=========================================  ===============================================

With OAuth, the access token comes from the refresh-token grant at ``token_url`` and is renewed
a minute before it expires, or at once when a call answers 401.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Final

import aiohttp
import msgspec

from streamsuites.connectors.youtube.costs import cost
from streamsuites.connectors.youtube.models import ApiError, decode_error, decode_token
from streamsuites.errors import (
    AuthError,
    ConnectorError,
    ProtocolError,
    RateLimited,
    TransportError,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from streamsuites.clock import Clock
    from streamsuites.connectors.youtube.config import YouTubeConfig
    from streamsuites.connectors.youtube.quota import ProjectQuota

__all__ = ["ApiCallError", "ChatGone", "QuotaExhausted", "YouTubeApi"]

_log = logging.getLogger("streamsuites.youtube")

_AUTH_REASONS: Final = frozenset(
    {
        "keyInvalid",
        "keyExpired",
        "accessNotConfigured",
        "ipRefererBlocked",
        "invalid_grant",
        "invalid_client",
        "unauthorized_client",
    }
)
_RATE_REASONS: Final = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
_CHAT_GONE: Final = frozenset({"liveChatEnded", "liveChatNotFound", "liveChatDisabled"})
_DEFAULT_RETRY: Final = 10.0
_TOKEN_MARGIN: Final = 60.0
"""Renew an access token this many seconds before it expires."""


class QuotaExhausted(ConnectorError):
    """No units left (Google said so, or our own count did); no calls until `until`."""

    def __init__(self, reason: str, *, until: float) -> None:
        super().__init__(reason, platform="youtube", code="quota_exhausted")
        self.until = until


class ChatGone(ConnectorError):
    """The live chat ended, vanished or was disabled; `code` is Google's reason."""


class ApiCallError(ProtocolError):
    """A request YouTube refused for a reason not listed above; `error` is its body."""

    def __init__(self, reason: str, *, error: ApiError) -> None:
        super().__init__(reason, platform="youtube", code=error.reason or f"http_{error.status}")
        self.error = error


class YouTubeApi:
    """One creator's calls, charged to its project's quota."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        config: YouTubeConfig,
        quota: ProjectQuota,
        clock: Clock,
    ) -> None:
        self._session = session
        self._config = config
        self._quota = quota
        self._clock = clock
        self._token: str | None = None
        self._token_expires = 0.0

    @property
    def can_send(self) -> bool:
        """Whether these credentials can post messages (OAuth; an API key is read-only)."""
        return self._config.oauth is not None

    async def get(
        self, method: str, path: str, params: Mapping[str, str], *, reserve_ok: bool = False
    ) -> bytes:
        """GET `path` (relative to the API base) as API `method`; return the body."""
        return await self.call("GET", method, path, params, reserve_ok=reserve_ok)

    async def call(
        self,
        http_method: str,
        method: str,
        path: str,
        params: Mapping[str, str],
        *,
        body: object = None,
        units: int | None = None,
        reserve_ok: bool = False,
        chat_key: str | None = None,
    ) -> bytes:
        """Make one charged call; raise the error class its failure means (module docstring).

        `chat_key` names the chat a poll is for, so the planner counts the poll it booked.
        """
        units = cost(method) if units is None else units
        self._afford(units, reserve_ok=reserve_ok, chat_key=chat_key)
        for attempt in (1, 2):
            query, headers = await self._credentials(params)
            self._quota.charge(method, self._clock.time(), units=units, chat_key=chat_key)
            status, data, retry_after = await self._send(http_method, path, query, headers, body)
            if status < 300:
                return data
            if status == 401 and attempt == 1 and self._config.oauth is not None:
                self._token = None  # expired or revoked: one fresh token, then give up
                continue
            raise self._error(decode_error(data, status), retry_after)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def _afford(self, units: int, *, reserve_ok: bool, chat_key: str | None) -> None:
        now = self._clock.time()
        until = self._quota.exhausted_until(now)
        if until is not None:
            raise QuotaExhausted(f"YouTube quota of {self._config.project} is used up", until=until)
        if not self._quota.can_spend(units, now, reserve_ok=reserve_ok, chat_key=chat_key):
            what = "the budget" if reserve_ok else "the budget outside the send reserve"
            raise QuotaExhausted(
                f"{units} more units would exceed {what} of {self._config.project}",
                until=self._quota.reset_at(now),
            )

    async def _credentials(
        self, params: Mapping[str, str]
    ) -> tuple[dict[str, str], dict[str, str]]:
        query = dict(params)
        if self._config.oauth is None:
            query["key"] = self._config.api_key or ""
            return query, {}
        return query, {"Authorization": f"Bearer {await self._access_token()}"}

    async def _access_token(self) -> str:
        if self._token is not None and self._clock.time() < self._token_expires:
            return self._token
        oauth = self._config.oauth
        assert oauth is not None
        form = {
            "grant_type": "refresh_token",
            "client_id": oauth.client_id,
            "client_secret": oauth.client_secret,
            "refresh_token": oauth.refresh_token,
        }
        try:
            async with self._session.post(self._config.token_url, data=form) as response:
                status, data = response.status, await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TransportError(f"token endpoint unreachable: {exc}", platform="youtube") from exc
        if status >= 300:
            raise self._error(decode_error(data, status), None)
        try:
            token = decode_token(data)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            raise ProtocolError(f"bad token response: {exc}", platform="youtube") from exc
        self._token = token.access_token
        self._token_expires = self._clock.time() + max(0.0, token.expires_in - _TOKEN_MARGIN)
        return self._token

    async def _send(
        self,
        http_method: str,
        path: str,
        query: Mapping[str, str],
        headers: Mapping[str, str],
        body: object,
    ) -> tuple[int, bytes, float | None]:
        url = self._config.api_base + path
        try:
            async with self._session.request(
                http_method, url, params=query, headers=headers, json=body
            ) as response:
                return response.status, await response.read(), _retry_after(response.headers)
        except (aiohttp.ClientError, TimeoutError) as exc:
            reason = str(exc) or type(exc).__name__
            raise TransportError(
                f"request to YouTube failed: {reason}", platform="youtube"
            ) from exc

    def _error(self, error: ApiError, retry_after: float | None) -> ConnectorError:
        reason, where = error.reason, f"YouTube answered {error.status}"
        described = f"{where} {reason}: {error.message}" if reason else f"{where}: {error.message}"
        if reason == "quotaExceeded":
            now = self._clock.time()
            self._quota.mark_exhausted(now)
            return QuotaExhausted(described, until=self._quota.reset_at(now))
        if reason in _RATE_REASONS or error.status == 429:
            wait = retry_after if retry_after is not None else _DEFAULT_RETRY
            return RateLimited(described, retry_after=wait, platform="youtube", code=reason)
        if error.status >= 500:
            return TransportError(described, platform="youtube", code=f"http_{error.status}")
        if reason in _AUTH_REASONS or error.status == 401 or _bad_key(error):
            return AuthError(described, platform="youtube", code=reason or "unauthorized")
        if reason in _CHAT_GONE:
            return ChatGone(described, platform="youtube", code=reason)
        return ApiCallError(described, error=error)


def _bad_key(error: ApiError) -> bool:
    # Google answers a wrong key with 400 badRequest; only the details name the key.
    return any(detail.startswith("API_KEY_") for detail in error.detail_reasons)


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
