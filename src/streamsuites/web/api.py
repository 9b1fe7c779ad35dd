"""The read side of the JSON API: creators, sessions, chat tail, events, actions, documents.

Handlers are thin: read the query with :mod:`.errors`' readers (a bad value is a 400 naming the
parameter), ask the event log or a document source, answer JSON. Event objects are the canonical
event JSON plus ``seq`` (:func:`~.live.event_json`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from aiohttp import web

from streamsuites.eventlog import EventFilter
from streamsuites.state.snapshot import creator_ids
from streamsuites.web.actions import DEFAULT_LIMIT, MAX_LIMIT, recent_actions
from streamsuites.web.errors import (
    ApiError,
    int_param,
    kinds_param,
    optional_int,
    text_param,
    time_param,
)
from streamsuites.web.live import event_json
from streamsuites.web.responses import json_response
from streamsuites.web.sources import DOCUMENTS
from streamsuites.web.views import build_creators, session_json

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    import msgspec

    from streamsuites.eventlog import LoggedEvent, Page
    from streamsuites.web.sources import WebSources

__all__ = ["ReadApi"]

PREFIX: Final = "/api/v1"
OPENAPI: Final = Path(__file__).with_name("openapi.json")
"""The OpenAPI 3.1 description of every endpoint, shipped with the package."""
_END_OF_TIME: Final = datetime(9999, 1, 1, tzinfo=UTC)


def _filter(query: Mapping[str, str]) -> EventFilter:
    return EventFilter(
        creator_id=text_param(query, "creator"),
        platform=text_param(query, "platform"),
        session_id=text_param(query, "session"),
        kinds=kinds_param(query),
    )


def _events(rows: Iterable[LoggedEvent]) -> list[msgspec.Raw]:
    return [event_json(row) for row in rows]


class ReadApi:
    """The GET endpoints of ``/api/v1`` over `sources`."""

    def __init__(self, sources: WebSources) -> None:
        self._sources = sources

    def routes(self) -> list[web.RouteDef]:
        """Return the route table."""
        return [
            web.get(f"{PREFIX}/creators", self.creators),
            web.get(f"{PREFIX}/creators/{{creator_id}}/sessions", self.sessions),
            web.get(f"{PREFIX}/chat/tail", self.chat_tail),
            web.get(f"{PREFIX}/events", self.events),
            web.get(f"{PREFIX}/events/range", self.events_range),
            web.get(f"{PREFIX}/actions", self.actions),
            *(web.get(f"{PREFIX}/{name}", self.document, name=name) for name in DOCUMENTS),
            web.get(f"{PREFIX}/openapi.json", self.openapi),
        ]

    async def creators(self, request: web.Request) -> web.Response:
        """Every creator with the health and counters of each connector."""
        src = self._sources
        return json_response(build_creators(src.state, src.config, src.clock.time()))

    async def sessions(self, request: web.Request) -> web.Response:
        """Return the streams of one creator the log has seen, newest first."""
        creator_id = request.match_info["creator_id"]
        if creator_id not in creator_ids(self._sources.state, self._sources.config):
            raise ApiError(404, "not_found", f"no creator {creator_id!r}")
        platform = text_param(request.query, "platform")
        limit = int_param(request.query, "limit", default=100, low=1, high=500)
        rows = await self._sources.log.sessions(
            creator_id=creator_id, platform=platform, limit=limit
        )
        return json_response({"sessions": [session_json(s) for s in rows]})

    async def chat_tail(self, request: web.Request) -> web.Response:
        """Return the newest events, oldest first (what an overlay shows when it opens)."""
        limit = int_param(request.query, "limit", default=50, low=1, high=500)
        rows = await self._sources.log.tail(limit, where=_filter(request.query))
        return json_response({"events": _events(rows)})

    async def events(self, request: web.Request) -> web.Response:
        """Return a page after a seq (``after``) or before one (``before``, for replay)."""
        query = request.query
        after, before = optional_int(query, "after"), optional_int(query, "before")
        if after is not None and before is not None:
            raise ApiError.bad("before", "give after or before, not both")
        limit = int_param(query, "limit", default=100, low=1, high=1000)
        where = _filter(query)
        if before is not None:
            page = await self._sources.log.page(
                cursor=before, limit=limit, where=where, backwards=True
            )
            return json_response(self._page(page, "prev_before"))
        page = await self._sources.log.page(cursor=after or 0, limit=limit, where=where)
        return json_response(self._page(page, "next_after"))

    @staticmethod
    def _page(page: Page, cursor_name: str) -> dict[str, Any]:
        return {"events": _events(page.events), cursor_name: page.next_cursor}

    async def events_range(self, request: web.Request) -> web.Response:
        """Events that occurred in [since, until), oldest first."""
        query = request.query
        since = time_param(query, "since")
        if since is None:
            raise ApiError.bad("since", "since is required")
        until = time_param(query, "until")
        if until is not None and until <= since:
            raise ApiError.bad("until", "until must be after since")
        limit = int_param(query, "limit", default=1000, low=1, high=1000)
        end = until or _END_OF_TIME
        rows = await self._sources.log.between(since, end, where=_filter(query), limit=limit)
        return json_response({"events": _events(rows)})

    async def actions(self, request: web.Request) -> web.Response:
        """Return the newest actions (trigger replies, polls, operator requests), with results."""
        query = request.query
        creator_id = text_param(query, "creator")
        limit = int_param(query, "limit", default=DEFAULT_LIMIT, low=1, high=MAX_LIMIT)
        db = self._sources.db
        if db is None:
            raise ApiError(404, "not_found", "actions are not available in this runtime")
        rows = await recent_actions(db, creator_id=creator_id, limit=limit)
        return json_response({"actions": rows})

    async def openapi(self, request: web.Request) -> web.FileResponse:
        """Return the OpenAPI description of this API."""
        return web.FileResponse(OPENAPI, headers={"Content-Type": "application/json"})

    async def document(self, request: web.Request) -> web.Response:
        """One state document (polls, tallies, scoreboards, jobs, quotas, snapshot)."""
        name = request.match_info.route.name or ""
        source = self._sources.documents.get(name)
        if source is None:
            raise ApiError(404, "not_found", f"{name} is not available in this runtime")
        return json_response(await source(self._sources.clock.time()))
