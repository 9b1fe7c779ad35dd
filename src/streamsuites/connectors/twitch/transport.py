"""Moving IRC lines to and from Twitch: TCP, TLS or WebSocket. Sockets only, no IRC meaning.

Every transport speaks whole lines without their CR LF. Failures to connect, read or write
raise :class:`~streamsuites.errors.TransportError`; a clean close from the server reads as None.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections import deque
from typing import TYPE_CHECKING, Final, Protocol

import aiohttp

from streamsuites.errors import TransportError

if TYPE_CHECKING:
    from streamsuites.connectors.twitch.config import TwitchConfig

__all__ = ["IrcTransport", "StreamTransport", "WebSocketTransport", "open_transport"]

_LINE_LIMIT: Final = 64 * 1024
"""Longest line accepted; Twitch's lines with tags stay well under 10 KiB."""
_WS_CLOSE_TIMEOUT: Final = 2.0
"""Seconds a WebSocket close waits for the server's close frame (aiohttp's default is 10 s,
which a half-open connection would spend in full before the reconnect could start)."""


class IrcTransport(Protocol):
    """A connection that carries IRC lines."""

    async def connect(self) -> None:
        """Open the connection."""
        ...

    async def readline(self) -> str | None:
        """Return the next line without CR LF, or None once the peer has closed."""
        ...

    def buffered(self) -> bool:
        """Whether a whole line has arrived already, so `readline` returns without waiting."""
        ...

    async def write(self, line: str) -> None:
        """Send one line (CR LF is added)."""
        ...

    async def close(self) -> None:
        """Close the connection; safe to call more than once, or before connect."""
        ...


def open_transport(config: TwitchConfig) -> IrcTransport:
    """Return the (unconnected) transport `config` asks for."""
    if config.transport == "websocket":
        return WebSocketTransport(config.url, ssl_context(config.ca_file))
    tls = ssl_context(config.ca_file) if config.transport == "tls" else None
    return StreamTransport(config.host, config.port, tls)


def ssl_context(ca_file: str | None) -> ssl.SSLContext:
    """Return a verifying TLS context, trusting `ca_file` as well when given."""
    context = ssl.create_default_context()
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    return context


class StreamTransport:
    """IRC over a TCP socket, plain or TLS.

    It reads what the socket has (up to 64 KiB at a time) and splits it into lines itself, so a
    burst of chat costs one read, and :meth:`buffered` can tell that the next line is there.
    """

    def __init__(self, host: str, port: int, tls: ssl.SSLContext | None) -> None:
        self._host, self._port, self._tls = host, port, tls
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._lines: deque[str] = deque()
        self._partial = b""

    async def connect(self) -> None:
        """Open the socket (and do the TLS handshake)."""
        try:
            self._reader, self._writer = await asyncio.open_connection(
                self._host, self._port, ssl=self._tls, limit=_LINE_LIMIT
            )
        except OSError as exc:
            raise TransportError(f"cannot connect to {self._host}:{self._port}: {exc}") from exc

    async def readline(self) -> str | None:
        """Return the next line, or None at end of stream."""
        while not self._lines:
            data = await self._read()
            if not data:
                partial, self._partial = self._partial, b""
                return _decode(partial) if partial else None
            self._split(data)
        return self._lines.popleft()

    def buffered(self) -> bool:
        """Whether a whole line is waiting."""
        return bool(self._lines)

    async def _read(self) -> bytes:
        if self._reader is None:
            raise TransportError("not connected")
        try:
            return await self._reader.read(_LINE_LIMIT)
        except OSError as exc:
            raise TransportError(f"read failed: {exc}") from exc

    def _split(self, data: bytes) -> None:
        # A LF byte never occurs inside a multi-byte UTF-8 character, so splitting the bytes
        # first and decoding each line is safe across reads that cut a character in two.
        *lines, self._partial = (self._partial + data).split(b"\n")
        if len(self._partial) > _LINE_LIMIT:
            raise TransportError(f"a line longer than {_LINE_LIMIT} bytes")
        self._lines.extend(_decode(line) for line in lines)

    async def write(self, line: str) -> None:
        """Write one line and wait until the socket has taken it."""
        if self._writer is None:
            raise TransportError("not connected")
        try:
            self._writer.write(line.encode() + b"\r\n")
            await self._writer.drain()
        except OSError as exc:
            raise TransportError(f"write failed: {exc}") from exc

    async def close(self) -> None:
        """Close the socket and wait for it to be closed."""
        writer, self._writer, self._reader = self._writer, None, None
        if writer is None:
            return
        writer.close()
        with contextlib.suppress(OSError):  # the peer may be gone already; closed is closed
            await writer.wait_closed()


class WebSocketTransport:
    """IRC over a WebSocket: each text frame holds one or more CR LF separated lines."""

    def __init__(self, url: str, tls: ssl.SSLContext) -> None:
        self._url, self._tls = url, tls
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._lines: list[str] = []

    async def connect(self) -> None:
        """Open the WebSocket."""
        self._session = aiohttp.ClientSession()
        timeout = aiohttp.ClientWSTimeout(ws_close=_WS_CLOSE_TIMEOUT)
        try:
            self._ws = await self._session.ws_connect(
                self._url, ssl=self._tls, autoping=True, timeout=timeout
            )
        except (aiohttp.ClientError, OSError) as exc:
            await self.close()  # the session would otherwise wait for the connector's close
            raise TransportError(f"cannot connect to {self._url}: {exc}") from exc

    def buffered(self) -> bool:
        """Whether a line of the last frame is still waiting."""
        return bool(self._lines)

    async def readline(self) -> str | None:
        """Return the next line, reading frames as needed; None once the socket closes."""
        while not self._lines:
            text = await self._frame()
            if text is None:
                return None
            self._lines = [line for line in text.replace("\r\n", "\n").split("\n") if line][::-1]
        return self._lines.pop()

    async def _frame(self) -> str | None:
        if self._ws is None:
            raise TransportError("not connected")
        msg = await self._ws.receive()
        if msg.type is aiohttp.WSMsgType.TEXT:
            return str(msg.data)
        if msg.type is aiohttp.WSMsgType.BINARY:
            return bytes(msg.data).decode("utf-8", errors="replace")
        if msg.type is aiohttp.WSMsgType.ERROR:
            raise TransportError(f"websocket error: {msg.data}")
        return None

    async def write(self, line: str) -> None:
        """Send one line as one text frame."""
        if self._ws is None:
            raise TransportError("not connected")
        try:
            await self._ws.send_str(line + "\r\n")
        except (aiohttp.ClientError, ConnectionError) as exc:
            raise TransportError(f"write failed: {exc}") from exc

    async def close(self) -> None:
        """Close the WebSocket and its session."""
        ws, session, self._ws, self._session = self._ws, self._session, None, None
        if ws is not None:
            await ws.close()
        if session is not None:
            await session.close()


def _decode(line: bytes) -> str:
    return line.decode("utf-8", errors="replace").rstrip("\r")
