"""Serving an emulator's aiohttp application on a local port."""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    import ssl

__all__ = ["serve_app"]


async def serve_app(
    app: web.Application,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    ssl_context: ssl.SSLContext | None = None,
) -> tuple[web.AppRunner, int]:
    """Serve `app` on `host`:`port` (0 picks a free port); return its runner and the port.

    The socket is bound before the runner starts, so the port is known (and taken) at once;
    ``runner.cleanup()`` stops serving.
    """
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    sock = socket.create_server((host, port))
    await web.SockSite(runner, sock, ssl_context=ssl_context).start()
    return runner, int(sock.getsockname()[1])
