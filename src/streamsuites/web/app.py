"""The web server: the aiohttp application and its lifecycle inside the runtime's event loop.

:func:`_create_app` assembles the route tables of the API modules, the error handling (every
failure is JSON; an unexpected one is logged and answered without its traceback) and the headers
every response carries. :class:`WebServer` binds it (``start``), runs its loops (``run``: the
live hub, the loop-lag probe, the health tracker) as one of the runtime's tasks, and closes it
(``close``): live clients are dropped first, so shutdown never waits on an open stream.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final

from aiohttp import web

from streamsuites.errors import ComponentStateError
from streamsuites.web.api import ReadApi
from streamsuites.web.control import ControlApi
from streamsuites.web.errors import ApiError, error_body
from streamsuites.web.health import DEFAULT_THRESHOLD, DownTracker, health_report
from streamsuites.web.live import DEFAULT_CAPACITY, Hub
from streamsuites.web.metrics import CONTENT_TYPE, LagProbe, ServerNumbers, gather, render
from streamsuites.web.pages import Pages
from streamsuites.web.responses import json_response
from streamsuites.web.security import (
    LOOPBACK_NAMES,
    RateLimiter,
    bind_warning,
    cors_headers,
    host_allowed,
    is_loopback,
    security_headers,
)
from streamsuites.web.streaming import LiveApi, LiveSettings

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from aiohttp.typedefs import Handler, Middleware

    from streamsuites.web.sources import WebSources

__all__ = ["DEFAULT_PORT", "STATIC_DIR", "TOKEN_ENV", "WebOptions", "WebServer"]

DEFAULT_PORT: Final = 8210
TOKEN_ENV: Final = "STREAMSUITES_WEB_TOKEN"
STATIC_DIR: Final = Path(__file__).with_name("static")
"""The only folder the server reads files from."""
MAX_BODY: Final = 64 * 1024
"""Largest request body (operator requests are small; CSP reports are read up to 16 KiB)."""
HEALTH_INTERVAL: Final = 1.0
"""How often connector statuses are observed for /healthz's down-since times."""

_log = logging.getLogger("streamsuites.web")
_STATUS_CODES: Final = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 413: "payload_too_large",
}  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class WebOptions:
    """Where the server listens and how it guards itself."""

    host: str = "127.0.0.1"
    """Loopback only by default; anything else is reachable from the network."""
    port: int = DEFAULT_PORT
    """0 picks a free port (tests); :attr:`WebServer.port` tells which."""
    token: str | None = None
    """The operator's bearer token; None reads ``STREAMSUITES_WEB_TOKEN`` from the config's
    environment. Without one, every mutating endpoint answers 403."""
    cors_origins: tuple[str, ...] = ()
    """Origins allowed to call the API from a browser; none by default (no CORS headers)."""
    allowed_hosts: tuple[str, ...] | None = None
    """Names the ``Host`` header may carry. None: the loopback names when bound to loopback,
    any name otherwise. Refuses DNS-rebinding requests from other sites."""
    static_dir: Path = STATIC_DIR
    health_threshold: float = DEFAULT_THRESHOLD
    """Seconds an enabled connector may be down before /healthz answers 503."""
    client_buffer: int = DEFAULT_CAPACITY
    """Events buffered per live client before it is dropped as too slow."""
    rate: float = 1.0
    """Mutating requests per second allowed per client, after a burst of `burst`."""
    burst: int = 10
    live: LiveSettings = field(default_factory=LiveSettings)


@dataclass(frozen=True, slots=True)
class _Parts:
    sources: WebSources
    options: WebOptions
    hub: Hub
    control: ControlApi
    lag: LagProbe
    down: DownTracker


def _create_app(parts: _Parts) -> web.Application:
    """Return the application over `parts`."""
    hosts = _allowed_hosts(parts.options)
    app = web.Application(middlewares=[_errors, _host_guard(hosts)], client_max_size=MAX_BODY)
    app.router.add_routes(ReadApi(parts.sources).routes())
    app.router.add_routes(parts.control.routes())
    live = LiveApi(parts.sources, parts.hub, parts.options.live, parts.options.cors_origins)
    app.router.add_routes(live.routes())
    app.router.add_routes(Pages(parts.options.static_dir).routes())
    app.router.add_routes(_Ops(parts).routes())
    if parts.options.cors_origins:
        app.router.add_route("OPTIONS", "/api/v1/{path:.*}", _preflight)
    app.on_response_prepare.append(_headers(parts.options.cors_origins))
    return app


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as exc:
        return json_response(exc.body(), exc.status, exc.headers)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code = _STATUS_CODES.get(exc.status, "error")
        headers = {k: v for k, v in exc.headers.items() if k in ("Allow", "WWW-Authenticate")}
        return json_response(error_body(code, exc.reason), exc.status, headers)
    except ConnectionResetError:
        raise
    except Exception:
        _log.exception("%s %s failed", request.method, request.path)
        return json_response(error_body("internal", "internal error"), 500)


def _allowed_hosts(options: WebOptions) -> frozenset[str]:
    if options.allowed_hosts is not None:
        return frozenset(h.lower() for h in options.allowed_hosts)
    return LOOPBACK_NAMES if is_loopback(options.host) else frozenset()


def _host_guard(hosts: frozenset[str]) -> Middleware:
    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not host_allowed(request.headers.get("Host"), hosts):
            raise ApiError(403, "forbidden_host", "this server does not answer to that host name")
        return await handler(request)

    return guard


def _headers(
    origins: tuple[str, ...],
) -> Callable[[web.Request, web.StreamResponse], Awaitable[None]]:
    async def add(request: web.Request, response: web.StreamResponse) -> None:
        response.headers["Server"] = "streamsuites"  # not the framework and its version
        response.headers.update(security_headers())
        response.headers.update(cors_headers(request.headers.get("Origin"), origins))

    return add


async def _preflight(request: web.Request) -> web.Response:
    return web.Response(status=204)


class _Ops:
    """/healthz and /metrics."""

    def __init__(self, parts: _Parts) -> None:
        self._parts = parts

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/healthz", self.healthz), web.get("/metrics", self.metrics)]

    async def healthz(self, request: web.Request) -> web.Response:
        parts = self._parts
        down = parts.down.observe(parts.sources.state, parts.sources.clock.time())
        serving = parts.sources.ready()
        body = health_report(serving=serving, down=down, threshold=parts.down.threshold)
        return json_response(body, 200 if body["ok"] else 503)

    async def metrics(self, request: web.Request) -> web.Response:
        parts = self._parts
        numbers = ServerNumbers(
            serving=parts.sources.ready(),
            live_clients=parts.hub.clients,
            live_dropped=parts.hub.dropped,
            csp_reports=parts.control.csp_reports,
            loop_lag=parts.lag.last,
            loop_lag_peak=parts.lag.read_peak(),
        )
        text = render(await gather(parts.sources, numbers))
        return web.Response(body=text, headers={"Content-Type": CONTENT_TYPE})


class WebServer:
    """The web server of one runtime: ``start`` binds, ``run`` works, ``close`` stops."""

    def __init__(self, sources: WebSources, options: WebOptions | None = None) -> None:
        self.options = options or WebOptions()
        self.sources = sources
        self.token = self.options.token or sources.config.secret(TOKEN_ENV)
        self.hub = Hub(sources.log, sources.clock, capacity=self.options.client_buffer)
        limiter = RateLimiter(rate=self.options.rate, burst=self.options.burst)
        self._parts = _Parts(
            sources=sources,
            options=self.options,
            hub=self.hub,
            control=ControlApi(sources, self.token, limiter),
            lag=LagProbe(),
            down=DownTracker(self.options.health_threshold),
        )
        self._runner: web.AppRunner | None = None
        self._closed = False

    @property
    def port(self) -> int:
        """The port the server listens on (after ``start``)."""
        return self.addresses[0][1]

    @property
    def addresses(self) -> list[tuple[str, int]]:
        """Every (host, port) the server listens on."""
        if self._runner is None:
            return []
        return [(str(a[0]), int(a[1])) for a in self._runner.addresses]

    @property
    def app(self) -> web.Application | None:
        """The application being served (after ``start``), e.g. to list its routes."""
        return None if self._runner is None else self._runner.app

    async def start(self) -> None:
        """Bind and serve; return once listening."""
        if self._runner is not None or self._closed:
            raise ComponentStateError("the web server can start only once")
        warning = bind_warning(self.options.host, self.token)
        if warning is not None:
            _log.warning(warning)
        await self.hub.start()
        runner = web.AppRunner(
            _create_app(self._parts), access_log=None, handle_signals=False, shutdown_timeout=2.0
        )
        await runner.setup()
        self._runner = runner
        await web.TCPSite(runner, self.options.host, self.options.port).start()
        _log.info("web server listening on http://%s:%d", self.options.host, self.port)

    async def run(self) -> None:
        """Feed live clients, probe the loop lag and track connector health until cancelled."""
        async with asyncio.TaskGroup() as group:
            group.create_task(self.hub.run(), name="web-live-hub")
            group.create_task(self._parts.lag.run(), name="web-loop-lag")
            group.create_task(self._watch_health(), name="web-health")

    async def _watch_health(self) -> None:
        parts = self._parts
        while True:
            parts.down.observe(parts.sources.state, parts.sources.clock.time())
            await parts.sources.clock.sleep(HEALTH_INTERVAL)

    async def close(self) -> None:
        """Drop live clients and stop listening; a second call does nothing."""
        if self._closed:
            return
        self._closed = True
        self.hub.close()
        if self._runner is not None:
            await self._runner.cleanup()
