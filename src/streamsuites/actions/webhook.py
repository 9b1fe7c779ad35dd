"""``http_webhook``: POST a signed JSON body, retrying server errors with capped backoff.

Payload: ``url`` (required, http or https), ``secret_env`` (required: the name of the
environment variable holding the signing secret; the secret itself never enters config or the
log), ``data`` (any JSON, sent under ``data``), ``timeout_seconds`` and ``max_attempts``
(optional overrides of the client's policy).

The body is the canonical JSON of an envelope naming the action; it is signed as sent:
``X-StreamSuites-Signature: sha256=<hex HMAC-SHA256 of the body bytes>``, and
``X-StreamSuites-Action-Id`` lets the receiver drop a repeat. A 2xx response succeeds; 5xx,
429, timeouts and connection errors are retried; any other status fails at once. Webhooks are
performed at most once: a claim interrupted by a crash is not sent again (see docs/actions.md).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import aiohttp
import msgspec

from streamsuites.actions.audit import ActionResult
from streamsuites.backoff import Backoff, BackoffPolicy

if TYPE_CHECKING:
    from collections.abc import Mapping

    from streamsuites.actions.descriptor import ActionDescriptor
    from streamsuites.actions.handlers import ActionContext
    from streamsuites.clock import Clock

__all__ = [
    "ACTION_ID_HEADER",
    "SIGNATURE_HEADER",
    "WebhookClient",
    "WebhookHandler",
    "WebhookPolicy",
    "WebhookRequest",
    "build_request",
    "sign",
]

SIGNATURE_HEADER: Final = "X-StreamSuites-Signature"
ACTION_ID_HEADER: Final = "X-StreamSuites-Action-Id"

_encoder = msgspec.json.Encoder(order="deterministic")


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookPolicy:
    """Timeout per attempt, attempts in all, and the backoff between attempts."""

    timeout: float = 10.0
    max_attempts: int = 4
    backoff: BackoffPolicy = field(default_factory=lambda: BackoffPolicy(base=0.5, cap=30.0))


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookRequest:
    """One webhook call, ready to send."""

    url: str
    body: bytes
    headers: Mapping[str, str]
    timeout: float
    max_attempts: int


def sign(body: bytes, secret: bytes) -> str:
    """Return the signature header value of `body`: ``sha256=<hex HMAC-SHA256>``."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def build_request(
    descriptor: ActionDescriptor, env: Mapping[str, str], policy: WebhookPolicy
) -> WebhookRequest | ActionResult:
    """Return the signed request for `descriptor`, or the failure that prevents it."""
    payload = descriptor.payload
    url, secret_env = payload.get("url"), payload.get("secret_env")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return ActionResult.failed("payload.url must be an http(s) URL")
    if not isinstance(secret_env, str) or not secret_env:
        return ActionResult.failed("payload.secret_env must name an environment variable")
    secret = env.get(secret_env)
    if not secret:
        return ActionResult.failed(f"environment variable {secret_env} is not set")
    body = _encoder.encode(_envelope(descriptor))
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(body, secret.encode()),
        ACTION_ID_HEADER: descriptor.action_id,
    }
    timeout = _positive(payload.get("timeout_seconds"), policy.timeout)
    attempts = int(_positive(payload.get("max_attempts"), policy.max_attempts))
    return WebhookRequest(
        url=url, body=body, headers=headers, timeout=timeout, max_attempts=attempts
    )


def _envelope(descriptor: ActionDescriptor) -> dict[str, Any]:
    return {
        "action_id": descriptor.action_id,
        "creator_id": descriptor.creator_id,
        "platform": descriptor.platform,
        "trigger_id": descriptor.trigger_id,
        "event_id": descriptor.event_id,
        "created_at": descriptor.created_at,
        "data": descriptor.payload.get("data"),
    }


def _positive(value: object, default: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return default
    return float(value)


@dataclass(frozen=True, slots=True)
class _Attempt:
    """One try: `final` ends the retries; otherwise `reason` says why it may be retried."""

    final: ActionResult | None
    reason: str = ""


class WebhookClient:
    """Sends webhook requests with retries; ``close`` (idempotent) closes its own session."""

    def __init__(
        self,
        *,
        clock: Clock,
        policy: WebhookPolicy | None = None,
        rng: random.Random | None = None,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self.policy = policy or WebhookPolicy()
        self._clock = clock
        self._rng = rng or random.Random()
        self._session = session
        self._owns_session = session is None

    async def post(self, request: WebhookRequest) -> ActionResult:
        """POST `request`, retrying what may succeed later; return the final result."""
        backoff = Backoff(self.policy.backoff, self._rng)
        attempt = _Attempt(None)
        for number in range(1, request.max_attempts + 1):
            attempt = await self._attempt(request)
            if attempt.final is not None:
                return attempt.final
            if number < request.max_attempts:
                await self._clock.sleep(backoff.next_delay())
        return ActionResult.failed(f"{attempt.reason} (after {request.max_attempts} attempts)")

    async def close(self) -> None:
        """Close the session this client opened, if any."""
        session, self._session = self._session, None
        if session is not None and self._owns_session:
            await session.close()

    async def _attempt(self, request: WebhookRequest) -> _Attempt:
        timeout = aiohttp.ClientTimeout(total=request.timeout)
        try:
            async with self._client().post(
                request.url, data=request.body, headers=request.headers, timeout=timeout
            ) as response:
                return _judge(response.status, response.reason)
        except TimeoutError:
            return _Attempt(None, f"timed out after {request.timeout:g}s")
        except aiohttp.ClientError as exc:
            return _Attempt(None, f"connection error: {type(exc).__name__}: {exc}")

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
            self._owns_session = True
        return self._session


def _judge(status: int, phrase: str | None) -> _Attempt:
    description = f"HTTP {status}" + (f" {phrase}" if phrase else "")
    if 200 <= status < 300:
        return _Attempt(ActionResult.succeeded(description))
    if status >= 500 or status == 429:
        return _Attempt(None, description)
    return _Attempt(ActionResult.failed(description))


class WebhookHandler:
    """Routes ``http_webhook`` actions to a :class:`WebhookClient`; secrets come from `env`."""

    idempotent: Final = False

    def __init__(self, client: WebhookClient, *, env: Mapping[str, str] | None = None) -> None:
        self._client = client
        self._env = os.environ if env is None else env

    async def perform(self, descriptor: ActionDescriptor, context: ActionContext) -> ActionResult:
        """Build, sign and send the webhook of `descriptor`."""
        request = build_request(descriptor, self._env, self._client.policy)
        if isinstance(request, ActionResult):
            return request
        return await self._client.post(request)
