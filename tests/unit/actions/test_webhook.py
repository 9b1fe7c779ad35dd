from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import random
import socket
from typing import TYPE_CHECKING

import pytest
import pytest_asyncio
from aiohttp import web

from streamsuites.actions.audit import ActionStatus
from streamsuites.actions.handlers import ActionContext
from streamsuites.actions.webhook import (
    ACTION_ID_HEADER,
    SIGNATURE_HEADER,
    WebhookClient,
    WebhookHandler,
    WebhookPolicy,
    build_request,
    sign,
)
from streamsuites.connectors.supervisor import BackoffPolicy
from tests.unit.actions.factory import descriptor

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

SECRET = "s3cret"
ENV = {"HOOK_SECRET": SECRET}
CONTEXT = ActionContext(event=None, now=0.0)


class Receiver:
    """A local webhook receiver answering with the scripted statuses, then 200."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.hang = False
        self.release = asyncio.Event()
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append((dict(request.headers), await request.read()))
        if self.hang:
            await self.release.wait()
        return web.Response(status=self.statuses.pop(0) if self.statuses else 200)


@pytest_asyncio.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    receiver.url = f"http://{host}:{port}/hook"
    yield receiver
    receiver.release.set()
    await runner.cleanup()


@pytest_asyncio.fixture
async def client(clock) -> AsyncIterator[WebhookClient]:
    policy = WebhookPolicy(timeout=5.0, max_attempts=3, backoff=BackoffPolicy(base=1, cap=4))
    webhook = WebhookClient(clock=clock, policy=policy, rng=random.Random(7))
    yield webhook
    await webhook.close()


def hook(url: str, **extra: object):
    return descriptor("http_webhook", {"url": url, "secret_env": "HOOK_SECRET", **extra})


@pytest.mark.asyncio
async def test_posts_a_signed_envelope(receiver, client):
    action = hook(receiver.url, data={"score": 3})
    result = await WebhookHandler(client, env=ENV).perform(action, CONTEXT)

    assert (result.status, result.reason) == (ActionStatus.SUCCEEDED, "HTTP 200 OK")
    ((headers, body),) = receiver.requests
    expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers[SIGNATURE_HEADER] == f"sha256={expected}"
    assert headers[ACTION_ID_HEADER] == action.action_id
    assert headers["Content-Type"] == "application/json"
    sent = json.loads(body)
    assert sent["data"] == {"score": 3}
    assert sent["action_id"] == action.action_id
    assert sent["created_at"] == "2024-05-01T12:00:00Z"


@pytest.mark.asyncio
async def test_retries_server_errors_with_capped_backoff_then_succeeds(receiver, client, clock):
    receiver.statuses = [500, 503]
    result = await WebhookHandler(client, env=ENV).perform(hook(receiver.url), CONTEXT)

    assert result.status is ActionStatus.SUCCEEDED
    assert len(receiver.requests) == 3
    assert len(clock.sleeps) == 2
    assert all(0 <= delay <= ceiling for delay, ceiling in zip(clock.sleeps, (1, 2), strict=True))
    bodies = {body for _, body in receiver.requests}
    assert len(bodies) == 1


@pytest.mark.asyncio
async def test_gives_up_after_max_attempts_with_the_last_reason(receiver, client):
    receiver.statuses = [500, 500, 500]
    result = await WebhookHandler(client, env=ENV).perform(hook(receiver.url), CONTEXT)

    assert result.status is ActionStatus.FAILED
    assert result.reason == "HTTP 500 Internal Server Error (after 3 attempts)"


@pytest.mark.asyncio
async def test_a_client_error_is_not_retried(receiver, client, clock):
    receiver.statuses = [400]
    result = await WebhookHandler(client, env=ENV).perform(hook(receiver.url), CONTEXT)

    assert (result.status, result.reason) == (ActionStatus.FAILED, "HTTP 400 Bad Request")
    assert len(receiver.requests) == 1
    assert clock.sleeps == []


@pytest.mark.asyncio
async def test_a_timeout_is_retried_then_recorded(receiver, client):
    receiver.hang = True
    # Long enough that a loaded machine still delivers each request before it times out.
    action = hook(receiver.url, timeout_seconds=0.5, max_attempts=2)
    result = await WebhookHandler(client, env=ENV).perform(action, CONTEXT)

    assert result.status is ActionStatus.FAILED
    assert result.reason == "timed out after 0.5s (after 2 attempts)"
    assert len(receiver.requests) == 2


@pytest.mark.asyncio
async def test_a_refused_connection_is_retried_then_recorded(client):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = await WebhookHandler(client, env=ENV).perform(
        hook(f"http://127.0.0.1:{port}/hook"), CONTEXT
    )

    assert result.status is ActionStatus.FAILED
    assert result.reason is not None
    assert result.reason.startswith("connection error: ClientConnectorError")
    assert result.reason.endswith("(after 3 attempts)")


@pytest.mark.parametrize(
    ("payload", "env", "reason"),
    [
        ({"url": "ftp://x", "secret_env": "S"}, {"S": "x"}, "payload.url must be an http(s) URL"),
        ({"url": "http://x"}, {}, "payload.secret_env must name an environment variable"),
        ({"url": "http://x", "secret_env": "S"}, {}, "environment variable S is not set"),
    ],
)
def test_a_request_that_cannot_be_built_fails_with_why(payload, env, reason):
    result = build_request(descriptor("http_webhook", payload), env, WebhookPolicy())

    assert getattr(result, "reason", None) == reason


def test_the_signature_is_hmac_sha256_of_the_exact_bytes():
    assert sign(b"{}", b"key") == ("sha256=" + hmac.new(b"key", b"{}", hashlib.sha256).hexdigest())
    assert sign(b"{ }", b"key") != sign(b"{}", b"key")
