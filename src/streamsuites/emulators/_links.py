"""The byte pipes under an emulated IRC session: a TCP (or TLS) stream, or a WebSocket.

A link reads one line at a time and writes batches of lines. Over WebSocket a batch is one text
frame holding several CR LF-terminated lines, as Twitch's ``irc-ws`` endpoint sends them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from typing import TYPE_CHECKING, Final, Protocol

from aiohttp import WSMsgType

if TYPE_CHECKING:
    from aiohttp import web

__all__ = ["Link", "StreamLink", "WebSocketLink"]

_CLOSE_TIMEOUT: Final = 1.0
"""How long a graceful close may wait for the peer before the link is aborted."""


class Link(Protocol):
    """One client connection, whatever carries it."""

    async def read_line(self) -> str | None:
        """Return the next line without CR LF, or None once the peer has gone."""
        ...

    async def send(self, lines: list[str]) -> None:
        """Write `lines`, each followed by CR LF."""
        ...

    def abort(self) -> None:
        """Drop the connection at once, without flushing or a closing handshake."""
        ...

    async def close(self) -> None:
        """Flush and close the connection."""
        ...


class StreamLink:
    """A link over asyncio streams (plain TCP or TLS)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def read_line(self) -> str | None:
        """Return the next line, or None at EOF, on a reset or on an overlong line."""
        try:
            data = await self._reader.readline()
        except (ConnectionError, ValueError):
            return None
        if not data:
            return None
        return data.decode("utf-8", errors="replace").rstrip("\r\n")

    async def send(self, lines: list[str]) -> None:
        """Write `lines` and wait until the transport has taken them."""
        self._writer.write("".join(line + "\r\n" for line in lines).encode())
        await self._writer.drain()

    def abort(self) -> None:
        """Close the socket without flushing."""
        self._writer.transport.abort()

    async def close(self) -> None:
        """Flush and close, aborting if the peer does not let the buffer drain in time."""
        self._writer.close()
        try:
            async with asyncio.timeout(_CLOSE_TIMEOUT):
                await self._writer.wait_closed()
        except TimeoutError:
            self.abort()
        except (ConnectionError, OSError):
            pass


class WebSocketLink:
    """A link over an aiohttp server-side WebSocket; frames may hold several lines."""

    def __init__(self, ws: web.WebSocketResponse, request: web.BaseRequest) -> None:
        self._ws = ws
        self._request = request
        self._pending: deque[str] = deque()

    async def read_line(self) -> str | None:
        """Return the next line, reading frames as needed; None once the socket closes."""
        while not self._pending:
            msg = await self._ws.receive()
            if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                return None
            if msg.type is WSMsgType.TEXT:
                self._pending.extend(line for line in str(msg.data).split("\r\n") if line)
        return self._pending.popleft()

    async def send(self, lines: list[str]) -> None:
        """Send `lines` as one text frame."""
        await self._ws.send_str("".join(line + "\r\n" for line in lines))

    def abort(self) -> None:
        """Close the TCP connection under the WebSocket, with no close frame."""
        if self._request.transport is not None:
            self._request.transport.abort()

    async def close(self) -> None:
        """Send a close frame and wait (briefly) for the client's."""
        with contextlib.suppress(ConnectionError):
            await self._ws.close()
