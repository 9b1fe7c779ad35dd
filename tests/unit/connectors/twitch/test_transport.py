"""StreamTransport's own line splitting, over a real loopback socket."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from streamsuites.connectors.twitch.transport import StreamTransport
from streamsuites.errors import TransportError


class Server:
    """Sends the chunks it is given, pausing between them, then closes."""

    def __init__(self) -> None:
        self.chunks: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.port = 0
        self._server: asyncio.Server | None = None
        self._handlers: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _serve(self, _reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.append(task)
        try:
            while (chunk := await self.chunks.get()) is not None:
                writer.write(chunk)
                await writer.drain()
        finally:
            writer.close()
            await writer.wait_closed()

    async def close(self) -> None:
        assert self._server is not None
        await self.chunks.put(None)  # ends a handler still waiting for chunks
        await asyncio.gather(*self._handlers, return_exceptions=True)
        self._server.close()
        await self._server.wait_closed()


@pytest_asyncio.fixture
async def server() -> AsyncIterator[Server]:
    running = Server()
    await running.start()
    yield running
    await running.close()


async def connected(server: Server) -> StreamTransport:
    transport = StreamTransport("127.0.0.1", server.port, None)
    await transport.connect()
    return transport


@pytest.mark.asyncio
async def test_lines_cut_across_reads_come_out_whole(server: Server) -> None:
    transport = await connected(server)
    snowman = "☃".encode()
    for chunk in (b"PING :a\r\nPRIVMSG #c :sn", snowman[:1], snowman[1:] + b"w\r\n\r\n", None):
        await server.chunks.put(chunk)
    assert await transport.readline() == "PING :a"
    assert await transport.readline() == "PRIVMSG #c :sn☃w"
    assert transport.buffered() is True  # the empty line arrived with it
    assert await transport.readline() == ""
    assert await transport.readline() is None
    await transport.close()


@pytest.mark.asyncio
async def test_a_last_line_without_crlf_is_still_read(server: Server) -> None:
    transport = await connected(server)
    for chunk in (b"one\r\ntwo", None):
        await server.chunks.put(chunk)
    assert [await transport.readline() for _ in range(3)] == ["one", "two", None]
    await transport.close()


@pytest.mark.asyncio
async def test_a_line_that_never_ends_is_refused(server: Server) -> None:
    transport = await connected(server)
    for _ in range(3):
        await server.chunks.put(b"x" * 40_000)
    with pytest.raises(TransportError, match="longer than"):
        await transport.readline()
    await transport.close()
