"""Our Twitch connector against a real IRCv3 server (InspIRCd), not only our own emulator.

The test starts ``inspircd`` on a free loopback port with a one-second ping frequency. The
connector joins a channel, a second (raw-socket) client chats with it both ways, and the
connector answers the server's PINGs, which InspIRCd enforces by disconnecting the silent.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import pytest_asyncio

from streamsuites.actions.outbox import OutboundMessage, SendOutcome
from streamsuites.clock import SystemClock
from streamsuites.connectors.twitch import TwitchConfig, TwitchConnector
from streamsuites.connectors.twitch.protocol import IrcMessage, parse_line
from streamsuites.connectors.twitch.transport import IrcTransport, open_transport
from streamsuites.events import ChatMessage
from tests.support import require_binary
from tests.unit.connectors.twitch.test_connector import RecordingLink, make_spec

PING_EVERY = 1
CONFIG = """\
<server name="irc.test" description="StreamSuites interop test" network="Test">
<admin name="Test" nick="test" email="test@irc.test">
<bind address="127.0.0.1" port="{port}" type="clients">
<class name="everyone" commands="*" privs="*" usermodes="*" chanmodes="*">
<connect allow="*" pingfreq="{ping}" timeout="5" localmax="100" globalmax="100"
         maxchans="20" sendq="1048576" recvq="65536" threshold="1000" commandrate="100000"
         fakelag="no" useident="no" resolvehostnames="no">
<module name="cap">
<module name="ircv3">
<module name="ircv3_ctctags">
<module name="ircv3_msgid">
<options>
<pid file="{dir}/inspircd.pid">
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def wait_for(condition: Callable[[], object], timeout: float = 5) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


async def wait_listening(port: int) -> None:
    async with asyncio.timeout(10):
        while True:
            with contextlib.suppress(OSError):
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                await writer.wait_closed()
                return
            await asyncio.sleep(0.05)


@pytest_asyncio.fixture
async def inspircd(tmp_path: Path) -> AsyncIterator[int]:
    """Run InspIRCd in the foreground on a free port; yield the port."""
    binary = require_binary("inspircd", "inspircd")
    port = free_port()
    config = tmp_path / "inspircd.conf"
    config.write_text(CONFIG.format(port=port, ping=PING_EVERY, dir=tmp_path))
    process = await asyncio.create_subprocess_exec(
        binary, "--nofork", "--runasroot", "--config", str(config),
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        await wait_listening(port)
        yield port
    finally:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 5)
        except TimeoutError:
            process.kill()
            await process.wait()


class RawClient:
    """A plain IRC client: registers, answers PING, and keeps every line it reads."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.lines: list[IrcMessage] = []
        self._reader, self._writer = reader, writer
        self._task = asyncio.create_task(self._read())

    @classmethod
    async def connect(cls, port: int, nick: str) -> RawClient:
        client = cls(*await asyncio.open_connection("127.0.0.1", port))
        await client.write(f"NICK {nick}", f"USER {nick} 0 * :{nick}")
        await wait_for(lambda: client.saw("001"))
        return client

    def saw(self, command: str, text: str | None = None) -> bool:
        return any(
            m.command == command and (text is None or m.trailing == text) for m in self.lines
        )

    async def write(self, *lines: str) -> None:
        self._writer.write("".join(f"{line}\r\n" for line in lines).encode())
        await self._writer.drain()

    async def _read(self) -> None:
        while line := await self._reader.readline():
            msg = parse_line(line.decode().rstrip("\r\n"))
            self.lines.append(msg)
            if msg.command == "PING":
                await self.write(f"PONG :{msg.trailing}")

    async def close(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._writer.close()
        with contextlib.suppress(OSError):
            await self._writer.wait_closed()


class Recording:
    """A transport wrapper that keeps the lines the connector reads and writes."""

    def __init__(self, inner: IrcTransport, read: list[str], written: list[str]) -> None:
        self._inner, self._read, self._written = inner, read, written

    async def connect(self) -> None:
        await self._inner.connect()

    async def readline(self) -> str | None:
        line = await self._inner.readline()
        if line is not None:
            self._read.append(line)
        return line

    def buffered(self) -> bool:
        return self._inner.buffered()

    async def write(self, line: str) -> None:
        self._written.append(line)
        await self._inner.write(line)

    async def close(self) -> None:
        await self._inner.close()


@pytest.mark.asyncio
async def test_the_connector_chats_and_answers_ping_on_a_real_ircv3_server(
    inspircd: int,
) -> None:
    read: list[str] = []
    written: list[str] = []

    def recording(config: TwitchConfig) -> IrcTransport:
        return Recording(open_transport(config), read, written)

    spec = make_spec(inspircd, token="unused", nick="ssbot", send_confirm_timeout=0.2)
    connector = TwitchConnector(spec, clock=SystemClock(), transport_factory=recording)
    link = RecordingLink()
    viewer = await RawClient.connect(inspircd, "viewer")
    task = asyncio.create_task(connector.run(link))
    try:
        await viewer.write("JOIN #alice")
        await wait_for(lambda: any(m.command == "JOIN" and m.nick == "ssbot" for m in viewer.lines))

        await viewer.write("PRIVMSG #alice :hello from irc")
        await wait_for(lambda: link.events)
        message = OutboundMessage(
            action_id="a1", creator_id="alice", platform="twitch", channel="alice", text="hi back"
        )
        outcome = await connector.send(message)
        await wait_for(lambda: viewer.saw("PRIVMSG", "hi back"))

        # Three ping periods: InspIRCd drops a client that leaves a PING unanswered for one.
        await asyncio.sleep(3 * PING_EVERY)
        assert not task.done()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await viewer.close()
    [event] = link.events
    assert isinstance(event, ChatMessage)
    assert event.author is not None
    assert (event.channel, event.author.login, event.text) == ("alice", "viewer", "hello from irc")
    assert outcome == SendOutcome.delivered()
    assert link.connects == 1
    assert "PING :irc.test" in read
    assert "PONG irc.test" in written
