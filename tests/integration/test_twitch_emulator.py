"""The Twitch IRC emulator, driven by raw clients over TCP, TLS and WebSocket."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import ssl
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio

from streamsuites.connectors.twitch.protocol import IrcMessage, parse_line
from streamsuites.emulators import TwitchIrcEmulator

CAPS = "twitch.tv/tags twitch.tv/commands twitch.tv/membership"
TOKENS = {"bottoken": "bot", "anntoken": "ann", "alicetoken": "alice"}
WAIT = 2.0


class Client:
    """A bare IRC client over asyncio streams."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def connect(cls, port: int, ssl_context: ssl.SSLContext | None = None) -> Client:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=ssl_context)
        return cls(reader, writer)

    async def send(self, *lines: str) -> None:
        self.writer.write("".join(line + "\r\n" for line in lines).encode())
        await self.writer.drain()

    async def read(self, timeout: float = WAIT) -> IrcMessage | None:
        """The next line, or None at EOF."""
        async with asyncio.timeout(timeout):
            data = await self.reader.readline()
        return parse_line(data.decode()) if data else None

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError, ssl.SSLError):
            await self.writer.wait_closed()


class WsClient:
    """A bare IRC client over an aiohttp WebSocket; a frame may hold several lines."""

    def __init__(self, session: aiohttp.ClientSession, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.session, self.ws, self.pending = session, ws, list[str]()

    @classmethod
    async def connect(cls, port: int) -> WsClient:
        session = aiohttp.ClientSession()
        return cls(session, await session.ws_connect(f"http://127.0.0.1:{port}/"))

    async def send(self, *lines: str) -> None:
        await self.ws.send_str("\r\n".join(lines))

    async def read(self, timeout: float = WAIT) -> IrcMessage | None:
        while not self.pending:
            frame = await self.ws.receive(timeout=timeout)
            if frame.type is not aiohttp.WSMsgType.TEXT:
                return None
            self.pending = [line for line in frame.data.split("\r\n") if line]
        return parse_line(self.pending.pop(0))

    async def close(self) -> None:
        await self.ws.close()
        await self.session.close()


AnyClient = Client | WsClient


async def expect(client: AnyClient, command: str, *, timeout: float = WAIT) -> IrcMessage:
    """Read until a line with `command`; fail on EOF."""
    async with asyncio.timeout(timeout):
        while (msg := await client.read()) is not None:
            if msg.command == command:
                return msg
    raise AssertionError(f"connection closed before {command}")


async def read_until_closed(client: AnyClient, *, timeout: float = WAIT) -> list[IrcMessage]:
    lines = []
    async with asyncio.timeout(timeout):
        while (msg := await client.read()) is not None:
            lines.append(msg)
    return lines


async def login(client: AnyClient, token: str | None, nick: str, *, caps: bool = True) -> None:
    lines = [f"CAP REQ :{CAPS}"] if caps else []
    if token is not None:
        lines.append(f"PASS oauth:{token}")
    await client.send(*lines, f"NICK {nick}")
    await expect(client, "376")


@pytest_asyncio.fixture
async def emulator() -> AsyncIterator[TwitchIrcEmulator]:
    emulator = TwitchIrcEmulator(tokens=TOKENS, moderators={"alice": ["bot"]}, reconnect_grace=0.05)
    await emulator.start(tls=True, websocket=True)
    yield emulator
    await emulator.close()


@pytest_asyncio.fixture
async def clients(emulator: TwitchIrcEmulator) -> AsyncIterator[list[AnyClient]]:
    opened: list[AnyClient] = []
    yield opened
    for client in opened:
        await client.close()


async def tcp(emulator: TwitchIrcEmulator, clients: list[AnyClient]) -> Client:
    assert emulator.tcp_port is not None
    client = await Client.connect(emulator.tcp_port)
    clients.append(client)
    return client


async def joined(
    emulator: TwitchIrcEmulator,
    clients: list[AnyClient],
    nick: str,
    token: str | None,
    channel: str = "alice",
) -> Client:
    client = await tcp(emulator, clients)
    await login(client, token, nick)
    await client.send(f"JOIN #{channel}")
    await expect(client, "ROOMSTATE")
    return client


@pytest.mark.asyncio
async def test_login_gets_the_welcome_numerics_then_globaluserstate(emulator, clients) -> None:
    client = await tcp(emulator, clients)
    await client.send(f"CAP REQ :{CAPS}", "PASS oauth:bottoken", "NICK bot")
    ack = await client.read()
    assert ack is not None and ack.params == ["*", "ACK", CAPS]
    numerics = [(await client.read()) for _ in range(7)]
    assert [m.command for m in numerics if m] == ["001", "002", "003", "004", "375", "372", "376"]
    assert numerics[0] is not None and numerics[0].params == ["bot", "Welcome, GLHF!"]
    glob = await client.read()
    assert glob is not None and glob.command == "GLOBALUSERSTATE"
    assert glob.tags["display-name"] == "bot"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("password", "text"),
    [
        ("PASS oauth:wrong", "Login authentication failed"),
        ("PASS bottoken", "Improperly formatted auth"),
    ],
)
async def test_a_bad_login_gets_a_notice_and_is_closed(emulator, clients, password, text) -> None:
    client = await tcp(emulator, clients)
    await client.send(password, "NICK bot")
    lines = await read_until_closed(client)
    assert [(m.command, m.params) for m in lines] == [("NOTICE", ["*", text])]


@pytest.mark.asyncio
async def test_anonymous_can_read_but_not_chat(emulator, clients) -> None:
    reader = await joined(emulator, clients, "justinfan4711", None)
    other = await joined(emulator, clients, "ann", "anntoken")
    await reader.send("PRIVMSG #alice :hello?")
    await emulator.wait_for(lambda: emulator.privmsgs)
    assert emulator.privmsgs[0].refused == "anonymous"
    emulator.say("alice", "carl", "visible to all")
    msg = await expect(reader, "PRIVMSG")
    assert msg.params == ["#alice", "visible to all"]
    assert (await expect(other, "PRIVMSG")).trailing == "visible to all"


@pytest.mark.asyncio
async def test_cap_req_known_caps_ack_and_unknown_nak(emulator, clients) -> None:
    client = await tcp(emulator, clients)
    await client.send("CAP LS 302", "CAP REQ :twitch.tv/tags", "CAP REQ :twitch.tv/tags sasl")
    ls, ack, nak = await client.read(), await client.read(), await client.read()
    assert ls is not None and set(ls.trailing.split()) == set(CAPS.split())
    assert ack is not None and ack.params == ["*", "ACK", "twitch.tv/tags"]
    assert nak is not None and nak.params == ["*", "NAK", "twitch.tv/tags sasl"]


@pytest.mark.asyncio
async def test_join_replies_in_twitch_order(emulator, clients) -> None:
    client = await tcp(emulator, clients)
    await login(client, "bottoken", "bot")
    await client.send("JOIN #alice")
    await expect(client, "GLOBALUSERSTATE")
    replies = [await client.read() for _ in range(5)]
    assert [m.command for m in replies if m] == ["JOIN", "353", "366", "USERSTATE", "ROOMSTATE"]
    join, names, _, userstate, roomstate = replies
    assert join is not None and join.source == "bot!bot@bot.tmi.twitch.tv"
    assert names is not None and names.params == ["bot", "=", "#alice", "bot"]
    assert userstate is not None and userstate.tags["mod"] == "1"
    assert roomstate is not None and roomstate.tags["room-id"] == emulator.room_id("alice")


@pytest.mark.asyncio
async def test_a_message_is_echoed_to_other_clients_with_full_tags(emulator, clients) -> None:
    bot = await joined(emulator, clients, "bot", "bottoken")
    ann = await joined(emulator, clients, "ann", "anntoken")
    await bot.send("@client-nonce=n1 PRIVMSG #alice :hello chat")
    echo = await expect(ann, "PRIVMSG")
    assert echo.source == "bot!bot@bot.tmi.twitch.tv"
    assert echo.params == ["#alice", "hello chat"]
    assert {"id", "tmi-sent-ts", "display-name", "user-id", "room-id"} <= echo.tags.keys()
    assert echo.tags["client-nonce"] == "n1"
    assert echo.tags["mod"] == "1"
    own = await expect(bot, "USERSTATE")
    assert own.tags["id"] == echo.tags["id"]
    (sent,) = emulator.privmsgs
    assert (sent.login, sent.channel, sent.text, sent.refused) == (
        "bot",
        "alice",
        "hello chat",
        None,
    )


@pytest.mark.asyncio
async def test_a_client_that_does_not_pong_is_disconnected(clients) -> None:
    emulator = TwitchIrcEmulator(tokens=TOKENS, ping_interval=0.1, pong_timeout=0.2)
    await emulator.start()
    try:
        polite = await tcp(emulator, clients)
        silent = await tcp(emulator, clients)
        await login(polite, "anntoken", "ann")
        await login(silent, "bottoken", "bot")
        ping = await expect(polite, "PING")
        await polite.send(f"PONG :{ping.trailing}")
        await expect(silent, "PING")
        await read_until_closed(silent)
        await emulator.wait_for(lambda: emulator.connections == 1)
        await polite.send("PING :still-there")
        assert (await expect(polite, "PONG")).trailing == "still-there"
    finally:
        await emulator.close()


@pytest.mark.asyncio
async def test_send_limits_answer_with_notices(emulator, clients) -> None:
    ann = await joined(emulator, clients, "ann", "anntoken")
    await ann.send("PRIVMSG #alice :same", "PRIVMSG #alice :same")
    duplicate = await expect(ann, "NOTICE")
    assert duplicate.tags["msg-id"] == "msg_duplicate"
    await ann.send(*(f"PRIVMSG #alice :message {i}" for i in range(20)))
    limited = await expect(ann, "NOTICE")
    assert limited.tags["msg-id"] == "msg_ratelimit"
    assert limited.params[0] == "#alice"
    await emulator.wait_for(lambda: len(emulator.privmsgs) == 22)
    refused = [line.refused for line in emulator.privmsgs if line.refused]
    assert refused == ["msg_duplicate", "msg_ratelimit"]


@pytest.mark.asyncio
async def test_fault_reconnect_sends_reconnect_then_closes(emulator, clients) -> None:
    bot = await joined(emulator, clients, "bot", "bottoken")
    emulator.fault("reconnect")
    lines = await read_until_closed(bot)
    assert [m.command for m in lines] == ["RECONNECT"]


@pytest.mark.asyncio
async def test_fault_close_drops_the_connection_without_a_word(emulator, clients) -> None:
    ann = await joined(emulator, clients, "ann", "anntoken")
    bot = await joined(emulator, clients, "bot", "bottoken")
    emulator.fault("close", login="bot")
    assert await read_until_closed(bot) == []
    await emulator.wait_for(lambda: emulator.connections == 1)
    await ann.send("PING :x")
    await expect(ann, "PONG")


@pytest.mark.asyncio
async def test_fault_stall_keeps_the_socket_but_answers_nothing(emulator, clients) -> None:
    bot = await joined(emulator, clients, "bot", "bottoken")
    emulator.fault("stall")
    await bot.send("PING :anyone")
    with pytest.raises(TimeoutError):
        await bot.read(timeout=0.3)
    assert emulator.connections == 1


@pytest.mark.asyncio
async def test_fault_malformed_sends_garbage_and_keeps_going(emulator, clients) -> None:
    bot = await joined(emulator, clients, "bot", "bottoken")
    emulator.fault("malformed")
    await bot.send("PING :after")
    lines = []
    while (msg := await bot.read()) is not None and msg.command != "PONG":
        lines.append(msg)
    assert "" in [m.command for m in lines]
    assert msg is not None and msg.trailing == "after"


@pytest.mark.asyncio
async def test_fault_revoke_closes_and_refuses_the_next_login(emulator, clients) -> None:
    ann = await joined(emulator, clients, "ann", "anntoken")
    bot = await joined(emulator, clients, "bot", "bottoken")
    emulator.fault("revoke", login="bot")
    await read_until_closed(bot)
    again = await tcp(emulator, clients)
    await again.send("PASS oauth:bottoken", "NICK bot")
    (refusal,) = await read_until_closed(again)
    assert refusal.trailing == "Login authentication failed"
    await ann.send("PING :x")
    await expect(ann, "PONG")


@pytest.mark.asyncio
async def test_tls_with_the_generated_certificate(emulator, clients) -> None:
    assert emulator.tls_port is not None and emulator.cert_path is not None
    assert emulator.cert_path.read_text().startswith("-----BEGIN CERTIFICATE-----")
    client = await Client.connect(emulator.tls_port, emulator.client_ssl_context())
    clients.append(client)
    await login(client, "bottoken", "bot")
    await client.send("JOIN #alice")
    await expect(client, "ROOMSTATE")


@pytest.mark.asyncio
async def test_tls_refuses_a_client_that_does_not_trust_the_certificate(emulator) -> None:
    assert emulator.tls_port is not None
    with pytest.raises(ssl.SSLCertVerificationError):
        await asyncio.open_connection(
            "127.0.0.1", emulator.tls_port, ssl=ssl.create_default_context()
        )


@pytest.mark.asyncio
async def test_websocket_clients_chat_with_tcp_clients(emulator, clients) -> None:
    assert emulator.ws_port is not None
    ws = await WsClient.connect(emulator.ws_port)
    clients.append(ws)
    await login(ws, "anntoken", "ann")
    await ws.send("JOIN #alice")
    await expect(ws, "ROOMSTATE")
    bot = await joined(emulator, clients, "bot", "bottoken")
    await bot.send("PRIVMSG #alice :over tcp")
    assert (await expect(ws, "PRIVMSG")).trailing == "over tcp"
    await ws.send("PRIVMSG #alice :over websocket")
    assert (await expect(bot, "PRIVMSG")).trailing == "over websocket"
    emulator.fault("reconnect", login="ann")
    await expect(ws, "RECONNECT")
    assert await ws.read() is None


@pytest.mark.asyncio
async def test_a_scenario_plays_chat_raw_lines_and_faults(emulator, clients, tmp_path) -> None:
    with gzip.open(tmp_path / "corpus.txt.gz", "wt") as corpus:
        corpus.write("@room-id=1;id=c1 :x!x@x.tmi.twitch.tv PRIVMSG #xqcow :from the corpus\n")
        corpus.write("@room-id=1 :tmi.twitch.tv CLEARCHAT #xqcow :x\n")
    scenario = tmp_path / "scenario.jsonl"
    scenario.write_text(
        "\n".join(
            [
                '{"at": 0.05, "say": {"channel": "alice", "login": "ann", "text": "!ping"}}',
                '{"at": 0.1, "raw": "@msg-id=slow_on :tmi.twitch.tv NOTICE #alice :slow"}',
                '{"at": 0.15, "corpus": "corpus.txt.gz", "rate": 100, "channel": "alice"}',
                '{"at": 0.3, "fault": "reconnect"}',
            ]
        )
    )
    bot = await joined(emulator, clients, "bot", "bottoken")
    await emulator.play(scenario)
    lines = await read_until_closed(bot)
    assert [(m.command, m.trailing) for m in lines] == [
        ("PRIVMSG", "!ping"),
        ("NOTICE", "slow"),
        ("PRIVMSG", "from the corpus"),
        ("CLEARCHAT", "x"),
        ("RECONNECT", ""),
    ]
    assert lines[2].params[0] == "#alice"
    assert lines[2].tags["room-id"] == emulator.room_id("alice")


@pytest.mark.asyncio
async def test_the_xqcow_corpus_replays_at_a_chosen_rate(
    emulator, clients, corpora, tmp_path
) -> None:
    scenario = tmp_path / "xqcow.jsonl"
    path = corpora / "twitch-irc" / "xqcow-channel.txt.gz"
    scenario.write_text(f'{{"corpus": "{path}", "rate": 5000, "channel": "alice", "limit": 500}}')
    bot = await joined(emulator, clients, "bot", "bottoken")
    await emulator.play(scenario)
    await bot.send("PING :done")
    received = []
    while (msg := await bot.read()) is not None and msg.command != "PONG":
        received.append(msg)
    assert len(received) == 500
    assert {m.params[0] for m in received} == {"#alice"}


@pytest.mark.asyncio
async def test_wait_for_times_out(emulator) -> None:
    with pytest.raises(TimeoutError):
        await emulator.wait_for(lambda: emulator.connections > 0, timeout=0.05)


@pytest.mark.asyncio
async def test_close_is_idempotent_and_start_is_once(emulator) -> None:
    from streamsuites.errors import ComponentStateError

    with pytest.raises(ComponentStateError):
        await emulator.start()
    await emulator.close()
    await emulator.close()
