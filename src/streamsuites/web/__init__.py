"""The web surfaces: JSON API, live SSE/WebSocket feeds, metrics, health, and the pages.

One aiohttp application served in the runtime's own event loop (``docs/web.md``). The runtime
builds :class:`WebSources` from its parts (:func:`runtime_sources`) and runs a
:class:`WebServer`; nothing here owns the event log, the state or the executor.
"""

from streamsuites.web.app import DEFAULT_PORT, TOKEN_ENV, WebOptions, WebServer
from streamsuites.web.sources import WebSources, runtime_sources

__all__ = [
    "DEFAULT_PORT",
    "TOKEN_ENV",
    "WebOptions",
    "WebServer",
    "WebSources",
    "runtime_sources",
]
