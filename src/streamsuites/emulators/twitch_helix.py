"""A local Twitch Helix with the one endpoint the clip pipeline uses: Create Clip.

``POST /helix/clips?broadcaster_id=<id>`` with ``Authorization: Bearer <token>`` and
``Client-Id``, answered as Twitch does: 202 with ``data[0].id`` and ``edit_url`` when the token
is known, belongs to the Client-Id and has ``clips:edit``, and the broadcaster is live; 401
for a bad token, a wrong Client-Id or a missing scope; 404 for an offline broadcaster; 400
without ``broadcaster_id``. Every request is recorded in :attr:`TwitchHelixEmulator.requests`::

    helix = TwitchHelixEmulator(tokens={"tok": HelixToken(client_id="cid", scopes={"clips:edit"})},
                                live={"1234"})
    await helix.start()
    ...POST to f"{helix.base_url}/clips?broadcaster_id=1234"...
    await helix.close()
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aiohttp import web

from streamsuites.emulators._http import serve_app
from streamsuites.errors import ComponentStateError

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

__all__ = ["HelixRequest", "HelixToken", "TwitchHelixEmulator"]


@dataclass(frozen=True, slots=True, kw_only=True)
class HelixToken:
    """What the emulator knows about one OAuth token."""

    client_id: str
    scopes: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True, kw_only=True)
class HelixRequest:
    """One request as received."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]


def _error(status: int, message: str) -> web.Response:
    reasons = {400: "Bad Request", 401: "Unauthorized", 404: "Not Found"}
    body = {"error": reasons[status], "status": status, "message": message}
    return web.json_response(body, status=status)


class TwitchHelixEmulator:
    """Helix Create Clip on ``http://127.0.0.1:<port>/helix``; see the module docstring."""

    def __init__(
        self,
        *,
        tokens: Mapping[str, HelixToken],
        live: Collection[str] = (),
        host: str = "127.0.0.1",
    ) -> None:
        self._tokens = dict(tokens)
        self.live = set(live)
        """Broadcaster ids that are live now; tests may change it."""
        self._host = host
        self._runner: web.AppRunner | None = None
        self._ids = itertools.count(1)
        self.port = 0
        self.requests: list[HelixRequest] = []
        self.clips: list[str] = []
        """Ids of the clips created, in order."""

    @property
    def base_url(self) -> str:
        """The Helix base URL to give a client (``.../helix``)."""
        if self._runner is None:
            raise ComponentStateError("the Helix emulator is not started")
        return f"http://{self._host}:{self.port}/helix"

    async def start(self) -> None:
        """Listen on an ephemeral port."""
        if self._runner is not None:
            raise ComponentStateError("the Helix emulator is already started")
        app = web.Application()
        app.router.add_post("/helix/clips", self._create_clip)
        self._runner, self.port = await serve_app(app, self._host)

    async def close(self) -> None:
        """Stop listening; safe to call twice."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def _create_clip(self, request: web.Request) -> web.Response:
        self.requests.append(
            HelixRequest(method=request.method, path=request.path,
                         query=dict(request.query), headers=dict(request.headers))
        )  # fmt: skip
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        clip_id = f"EmulatedClip{next(self._ids)}"
        self.clips.append(clip_id)
        edit_url = f"https://clips.twitch.tv/{clip_id}/edit"
        return web.json_response({"data": [{"id": clip_id, "edit_url": edit_url}]}, status=202)

    def _refusal(self, request: web.Request) -> web.Response | None:
        token = self._tokens.get(request.headers.get("Authorization", "").removeprefix("Bearer "))
        if token is None:
            return _error(401, "Invalid OAuth token")
        if request.headers.get("Client-Id") != token.client_id:
            return _error(401, "Client ID and OAuth token do not match")
        if "clips:edit" not in token.scopes:
            return _error(401, "Missing scope: clips:edit")
        broadcaster = request.query.get("broadcaster_id")
        if not broadcaster:
            return _error(400, 'Missing required parameter "broadcaster_id"')
        if broadcaster not in self.live:
            return _error(404, "Clipping is not possible for an offline channel.")
        return None
