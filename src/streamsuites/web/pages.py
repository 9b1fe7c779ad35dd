"""The pages and their assets, served from the package's ``web/static`` folder and nowhere else.

``/overlay``, ``/chat`` and ``/dashboard`` are ``<name>.html`` of that folder; ``/static/<path>``
serves a file under it through :func:`~.security.resolve_static` (no listing, no dotfiles, no
way out of the folder). Nothing else on disk is reachable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from aiohttp import web

from streamsuites.web.errors import ApiError
from streamsuites.web.security import resolve_static

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["PAGES", "Pages"]

PAGES: Final = ("overlay", "chat", "dashboard")


class Pages:
    """Serves the pages and static assets of `root`."""

    def __init__(self, root: Path) -> None:
        self._root = root

    def routes(self) -> list[web.RouteDef]:
        """Return the route table."""
        return [
            web.get("/", self.index),
            *(web.get(f"/{name}", self.page, name=f"page-{name}") for name in PAGES),
            web.get("/static/{path:.+}", self.asset),
        ]

    async def index(self, request: web.Request) -> web.StreamResponse:
        """Send a visitor of ``/`` to the dashboard."""
        raise web.HTTPFound("/dashboard")

    async def page(self, request: web.Request) -> web.StreamResponse:
        """Serve one of the pages."""
        name = (request.match_info.route.name or "").removeprefix("page-")
        return self._file(f"{name}.html")

    async def asset(self, request: web.Request) -> web.StreamResponse:
        """Serve a file under the static folder."""
        return self._file(request.match_info["path"])

    def _file(self, name: str) -> web.FileResponse:
        path = resolve_static(self._root, name)
        if path is None:
            raise ApiError(404, "not_found", "no such file")
        return web.FileResponse(path, headers={"Cache-Control": "no-cache"})
