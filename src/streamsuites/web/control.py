"""The endpoints that change something: operator actions, the replay selection, CSP reports.

Every operator endpoint passes one guard, in this order: no token configured is a 403 (the
server never runs mutating endpoints open); too many requests from the client is a 429 with
``Retry-After`` (counted before the token check, so guessing tokens is rate limited too); a
missing or wrong bearer token is a 401. Then the request is validated and handed to the
:class:`~.operator.Operator`.

CSP violation reports are accepted without a token (browsers send them on their own) and only
counted, so the browser tests can fail on any violation.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any, Final

from aiohttp import web

from streamsuites.actions.audit import ActionStatus
from streamsuites.eventlog import EventFilter
from streamsuites.state.render import iso
from streamsuites.web.errors import ApiError
from streamsuites.web.operator import MAX_MESSAGE
from streamsuites.web.responses import json_response, read_object, require_text
from streamsuites.web.security import CSP_REPORT_PATH, retry_after, token_matches

if TYPE_CHECKING:
    from streamsuites.web.operator import Operator, Performed
    from streamsuites.web.security import RateLimiter
    from streamsuites.web.sources import WebSources

__all__ = ["ControlApi"]

PREFIX: Final = "/api/v1"
MAX_REPORT: Final = 16 * 1024
_CHALLENGE: Final = {"WWW-Authenticate": 'Bearer realm="streamsuites"'}

_log = logging.getLogger("streamsuites.web")


class ControlApi:
    """Operator actions guarded by `token` and `limiter`; CSP reports; the replay selection."""

    def __init__(self, sources: WebSources, token: str | None, limiter: RateLimiter) -> None:
        self._sources, self._token, self._limiter = sources, token, limiter
        self.csp_reports = 0
        self.selection: dict[str, Any] | None = None
        """The replay a moderator picked for the pages to follow (kept in memory)."""

    def routes(self) -> list[web.RouteDef]:
        """Return the route table."""
        return [
            web.post(f"{PREFIX}/creators/{{creator_id}}/messages", self.send_message),
            web.post(f"{PREFIX}/polls/{{poll_id}}/open", self.open_poll),
            web.post(f"{PREFIX}/polls/{{poll_id}}/close", self.close_poll),
            web.post(f"{PREFIX}/triggers/{{trigger_id}}/run", self.run_trigger),
            web.post(f"{PREFIX}/replay/select", self.select_replay),
            web.get(f"{PREFIX}/replay/selection", self.replay_selection),
            web.post(CSP_REPORT_PATH, self.csp_report),
            web.get(f"{CSP_REPORT_PATH}/count", self.csp_count),
        ]

    async def send_message(self, request: web.Request) -> web.Response:
        """Queue a chat message as the creator (202 once it is in the durable outbox)."""
        operator = self._authorize(request)
        body = await read_object(request)
        platform = require_text(body, "platform")
        text = require_text(body, "text", limit=MAX_MESSAGE)
        channel = require_text(body, "channel", required=False)
        assert platform is not None and text is not None
        done = await operator.send_message(
            request.match_info["creator_id"], platform, text, channel, _key(request)
        )
        _refuse_failed(done)
        return json_response({"action_id": done.descriptor.action_id, "status": "queued"}, 202)

    async def open_poll(self, request: web.Request) -> web.Response:
        """Open a poll defined in interactive.json."""
        return await self._poll(request, "poll_open")

    async def close_poll(self, request: web.Request) -> web.Response:
        """Close an open poll."""
        return await self._poll(request, "poll_close")

    async def _poll(self, request: web.Request, action_type: str) -> web.Response:
        operator = self._authorize(request)
        body = await read_object(request)
        creator_id = require_text(body, "creator_id")
        platform = require_text(body, "platform", required=False)
        assert creator_id is not None
        poll_id = request.match_info["poll_id"]
        done = await operator.poll(action_type, poll_id, creator_id, platform, _key(request))
        _refuse_failed(done)
        return json_response(done.to_json())

    async def run_trigger(self, request: web.Request) -> web.Response:
        """Perform a trigger's actions once, as an operator (cooldowns do not apply)."""
        operator = self._authorize(request)
        body = await read_object(request)
        creator_id = require_text(body, "creator_id")
        platform = require_text(body, "platform", required=False)
        assert creator_id is not None
        trigger_id = request.match_info["trigger_id"]
        done = await operator.run_trigger(trigger_id, creator_id, platform, _key(request))
        return json_response({"trigger_id": trigger_id, "actions": [d.to_json() for d in done]})

    async def select_replay(self, request: web.Request) -> web.Response:
        """Remember the past stream the replay pages should show."""
        self._authorize(request)
        body = await read_object(request)
        creator_id = require_text(body, "creator_id")
        platform = require_text(body, "platform")
        session_id = require_text(body, "session_id")
        where = EventFilter(creator_id=creator_id, platform=platform, session_id=session_id)
        if not (await self._sources.log.page(limit=1, where=where)).events:
            raise ApiError(404, "not_found", f"no session {session_id!r} for that creator")
        selected_at = iso(self._sources.clock.time())
        self.selection = {
            "creator_id": creator_id,
            "platform": platform,
            "session_id": session_id,
            "selected_at": selected_at,
        }
        return json_response({"selection": self.selection})

    async def replay_selection(self, request: web.Request) -> web.Response:
        """Return the current replay selection, or null."""
        return json_response({"selection": self.selection})

    async def csp_report(self, request: web.Request) -> web.Response:
        """Count one CSP violation report (and log it, shortened)."""
        raw = await request.content.read(MAX_REPORT)
        self.csp_reports += 1
        _log.warning("CSP violation reported: %s", raw[:500].decode("utf-8", "replace"))
        return web.Response(status=204)

    async def csp_count(self, request: web.Request) -> web.Response:
        """How many CSP violation reports arrived since start."""
        return json_response({"count": self.csp_reports})

    def _authorize(self, request: web.Request) -> Operator:
        if not self._token:
            raise ApiError(403, "forbidden", "no operator token configured")
        client = request.remote or "unknown"
        wait = self._limiter.acquire(client, self._sources.clock.monotonic())
        if wait:
            headers = {"Retry-After": retry_after(wait)}
            raise ApiError(429, "rate_limited", "too many requests; retry later", headers=headers)
        if not token_matches(request.headers.get("Authorization"), self._token):
            raise ApiError(
                401, "unauthorized", "a valid bearer token is required", headers=_CHALLENGE
            )
        if self._sources.operator is None:
            raise ApiError(503, "unavailable", "operator actions are not available")
        return self._sources.operator


def _key(request: web.Request) -> str:
    """Return the request's idempotency key (the header, else a fresh random one)."""
    given = request.headers.get("Idempotency-Key", "").strip()
    if given and len(given) <= 200 and given.isprintable():
        return given
    return uuid.uuid4().hex


def _refuse_failed(done: Performed) -> None:
    """Answer 409 for an action that failed or that the reducers refused (a skip)."""
    if done.result.status is not ActionStatus.SUCCEEDED:
        code = "action_failed" if done.failed else "refused"
        raise ApiError(409, code, done.result.reason or "the action was not performed")
