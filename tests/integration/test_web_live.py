"""The live endpoints over real sockets: SSE resume without gap or duplicate, slow clients, WS."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from streamsuites.web import WebOptions
from streamsuites.web.streaming import LiveSettings
from tests.unit.web.harness import Web, chat, deletion, read_events, read_frame, serve

pytestmark = pytest.mark.asyncio

STREAM = "/api/v1/events/stream"


async def append_continuously(web: Web, batches: int, size: int) -> int:
    """Append `batches` batches as connectors would, yielding between them; return the count."""
    for n in range(batches):
        await web.append([chat(f"b{n}-{i}") for i in range(size)])
        await asyncio.sleep(0)
    return batches * size


async def test_sse_frames_carry_seq_kind_and_the_event(tmp_path: Path) -> None:
    async with serve(tmp_path) as web, web.http.get(web.url(STREAM)) as response:
        assert response.headers["Content-Type"] == "text/event-stream; charset=utf-8"
        await web.append([chat("hello <script>"), deletion("x")])
        first, second = await read_events(response, 2)
    assert (first.id, first.event, second.id, second.event) == (1, "chat_message", 2, "moderation")
    assert first.data["seq"] == 1 and first.data["text"] == "hello <script>"


async def test_sse_starts_at_the_live_end_unless_a_tail_is_asked(tmp_path: Path) -> None:
    async with serve(tmp_path) as web:
        await web.append([chat(f"old{i}") for i in range(5)])
        async with (
            web.http.get(web.url(STREAM)) as live,
            web.http.get(web.url(f"{STREAM}?tail=2")) as tailed,
        ):
            await web.append([chat("new")])
            [only_new] = await read_events(live, 1)
            tail = await read_events(tailed, 3)
    assert only_new.data["text"] == "new"
    assert [f.data["text"] for f in tail] == ["old3", "old4", "new"]


async def test_sse_filters_by_creator_platform_and_kind(tmp_path: Path) -> None:
    query = "?creator=alice&platform=youtube,twitch&kind=moderation&kind=chat_message"
    async with serve(tmp_path) as web, web.http.get(web.url(STREAM + query)) as response:
        await web.append(
            [chat("bob's", creator="bob"), chat("a"), deletion("x"), chat("yt", platform="youtube")]
        )
        frames = await read_events(response, 3)
    assert [f.id for f in frames] == [2, 3, 4]


async def test_resume_with_last_event_id_while_appends_race_has_no_gap_or_duplicate(
    tmp_path: Path,
) -> None:
    received: list[int] = []
    async with serve(tmp_path) as web:
        await web.append([chat("before")])
        appender = asyncio.create_task(append_continuously(web, batches=300, size=3))
        resume: dict[str, str] = {}
        # Five connections in a row, each cut mid-stream after a few events, while appending.
        for _ in range(5):
            async with web.http.get(web.url(STREAM), headers=resume) as response:
                frames = await read_events(response, 40)
            received.extend(f.id for f in frames if f.id is not None)
            resume = {"Last-Event-ID": str(received[-1])}
        total = 1 + await appender
        async with web.http.get(web.url(STREAM), headers=resume) as response:
            rest = await read_events(response, total - received[-1])
        received.extend(f.id for f in rest if f.id is not None)
    assert received == list(range(received[0], total + 1))


async def test_resume_by_query_parameter_reads_the_gap_from_the_log(tmp_path: Path) -> None:
    async with serve(tmp_path) as web:
        await web.append([chat(f"m{i}") for i in range(10)])
        async with web.http.get(web.url(f"{STREAM}?last_event_id=6")) as response:
            await web.append([chat("live")])
            frames = await read_events(response, 5)
    assert [f.id for f in frames] == [7, 8, 9, 10, 11]
    assert frames[-1].data["text"] == "live"


async def test_a_quiet_stream_sends_keepalive_comments(tmp_path: Path) -> None:
    options = WebOptions(port=0, live=LiveSettings(keepalive=0.05))
    async with serve(tmp_path, options=options) as web, web.http.get(web.url(STREAM)) as response:
        frame = await read_frame(response)
    assert frame.comment == "keepalive" and frame.id is None


WS_UPGRADE = (
    "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
)


def stuck_client(port: int, path: str = STREAM, extra: str = "") -> socket.socket:
    """Open a request with a tiny receive buffer and never read from it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}\r\n".encode())
    sock.setblocking(False)
    return sock


async def drain_until_closed(sock: socket.socket) -> int:
    loop = asyncio.get_running_loop()
    total = 0
    while True:
        try:
            chunk = await loop.sock_recv(sock, 65536)
        except ConnectionResetError:
            return total
        if not chunk:
            return total
        total += len(chunk)


@pytest.mark.parametrize(
    ("path", "extra"), [(STREAM, ""), ("/api/v1/ws", WS_UPGRADE)], ids=["sse", "websocket"]
)
async def test_a_slow_client_is_dropped_and_never_blocks_appends_or_others(
    tmp_path: Path, path: str, extra: str
) -> None:
    options = WebOptions(port=0, client_buffer=600)
    batches, size = 100, 50
    async with serve(tmp_path, options=options) as web:
        stuck = stuck_client(web.server.port, path, extra)
        try:
            async with web.http.get(web.url(STREAM)) as fast:
                # Both clients subscribed before the first append (no event says so: poll).
                async with asyncio.timeout(10):
                    while web.server.hub.clients < 2:
                        await asyncio.sleep(0.01)
                big = "x" * 4000
                appended = 0
                reader = asyncio.create_task(read_events(fast, batches * size))
                for n in range(batches):
                    result = await web.append([chat(f"{big}{n}-{i}") for i in range(size)])
                    appended += len(result.appended)
                frames = await reader
            assert [f.id for f in frames] == list(range(1, appended + 1))
            assert web.server.hub.dropped == 1
            # The server closed the stuck client's connection: reading it reaches its end.
            assert await drain_until_closed(stuck) < appended * len(big)
        finally:
            stuck.close()


async def test_websocket_sends_state_and_filtered_events_and_honours_resume(
    tmp_path: Path,
) -> None:
    async with serve(tmp_path) as web:
        await web.append([chat("old bob", creator="bob")])
        async with web.http.ws_connect(web.url("/api/v1/ws?creator=bob")) as ws:
            state = await receive(ws, "state")
            assert [c["creator_id"] for c in state["creators"]] == ["alice", "bob"]
            assert "quotas" in state and "jobs" in state
            await web.append([chat("alice's"), chat("new bob", creator="bob")])
            event = await receive(ws, "event")
            assert (event["event"]["seq"], event["event"]["text"]) == (3, "new bob")
            await ws.send_str(json.dumps({"type": "resume", "after": 0}))
            replayed = [await receive(ws, "event") for _ in range(2)]
            assert [m["event"]["seq"] for m in replayed] == [1, 3]
            await web.append([chat("later bob", creator="bob")])
            assert (await receive(ws, "event"))["event"]["seq"] == 4


async def test_websocket_repeats_the_state_when_it_changes(tmp_path: Path) -> None:
    options = WebOptions(port=0, live=LiveSettings(state_check=0.02, state_every=60))
    async with (
        serve(tmp_path, options=options) as web,
        web.http.ws_connect(web.url("/api/v1/ws")) as ws,
    ):
        first = await receive(ws, "state")
        web.state.connector("alice", "twitch").counters.messages = 3
        second = await receive(ws, "state")
    assert first["creators"][0]["platforms"] == []
    assert second["creators"][0]["platforms"][0]["counters"]["messages"] == 3


async def receive(ws: aiohttp.ClientWebSocketResponse, kind: str) -> dict[str, Any]:
    while True:
        message = await ws.receive_json(timeout=10)
        if message["type"] == kind:
            assert isinstance(message, dict)
            return message
