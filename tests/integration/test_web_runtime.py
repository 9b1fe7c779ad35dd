"""The web server inside the real runtime: bind address, operator actions, live feed, health."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from streamsuites.actions.audit import ActionStatus
from streamsuites.connectors.base import ConnectorLink, ConnectorSpec
from streamsuites.connectors.supervisor import BackoffPolicy
from streamsuites.errors import TransportError
from streamsuites.events import Event
from streamsuites.runtime import Runtime, RuntimeOptions
from streamsuites.state.runtime_state import ConnectorStatus
from streamsuites.testing.scripted import Connect, Emit, Fail, Hang, ScriptedConnector, Step
from streamsuites.web import WebOptions
from tests.unit.web.harness import chat, load, read_events

pytestmark = pytest.mark.asyncio

TOKEN = "operator-s3cret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@dataclass
class Running:
    runtime: Runtime
    connectors: dict[tuple[str, str], ScriptedConnector]
    http: aiohttp.ClientSession

    @property
    def base(self) -> str:
        assert self.runtime.web is not None
        return f"http://127.0.0.1:{self.runtime.web.port}"

    async def post(self, path: str, body: dict[str, Any], status: int) -> Any:
        async with self.http.post(self.base + path, json=body, headers=AUTH) as response:
            assert response.status == status, await response.text()
            return await response.json()

    async def get(self, path: str, status: int = 200) -> Any:
        async with self.http.get(self.base + path) as response:
            assert response.status == status, await response.text()
            return await response.json()


async def wait_for(condition: Callable[[], bool], timeout: float = 10) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def running(
    tmp_path: Path,
    scripts: dict[tuple[str, str], list[list[Step]]] | None = None,
    web: WebOptions | None = None,
    given: dict[tuple[str, str], ScriptedConnector] | None = None,
) -> AsyncIterator[Running]:
    config = load(tmp_path / "config", {"STREAMSUITES_WEB_TOKEN": TOKEN})
    scripts = scripts or {}
    connectors: dict[tuple[str, str], ScriptedConnector] = {}

    def factory(spec: ConnectorSpec) -> ScriptedConnector:
        key = (spec.creator.creator_id, spec.platform)
        script = scripts.get(key, [[Connect(), Hang()]])
        connectors[key] = (given or {}).get(key) or ScriptedConnector(script)
        return connectors[key]

    options = RuntimeOptions(
        state_dir=tmp_path / "state", data_dir=tmp_path / "data",
        backoff=BackoffPolicy(base=0.01, cap=0.05), web=web or WebOptions(port=0),
    )  # fmt: skip
    runtime = Runtime(config, options, connectors={"twitch": factory, "youtube": factory})
    stop = asyncio.Event()
    task = asyncio.create_task(runtime.run(stop))
    try:
        async with asyncio.timeout(10):
            await runtime.ready.wait()
        async with aiohttp.ClientSession() as http:
            yield Running(runtime, connectors, http)
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=15)


@dataclass
class GatedConnector(ScriptedConnector):
    """Connects, then emits `later` once `gate` is set (a test's cue), then stays connected."""

    gate: asyncio.Event = field(default_factory=asyncio.Event)
    later: Sequence[Event] = ()

    async def run(self, link: ConnectorLink) -> None:
        link.connected()
        await self.gate.wait()
        await link.emit(self.later)
        await asyncio.Event().wait()


def other_local_address() -> str | None:
    """Return a non-loopback address of this machine, if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET: nothing is sent for UDP connect
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else str(address)


async def test_the_server_listens_on_loopback_only_by_default(tmp_path: Path) -> None:
    async with running(tmp_path) as live:
        web = live.runtime.web
        assert web is not None
        assert WebOptions().host == "127.0.0.1" and WebOptions().port == 8210
        assert {host for host, _ in web.addresses} == {"127.0.0.1"}
        assert (await live.get("/healthz"))["ok"] is True
        other = other_local_address()
        if other is not None:
            with pytest.raises(OSError):
                await asyncio.open_connection(other, web.port)


async def test_an_operator_message_goes_through_the_outbox_to_the_platform(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as live:
        body = await live.post(
            "/api/v1/creators/alice/messages", {"platform": "twitch", "text": "hello chat"}, 202
        )
        assert body["status"] == "queued" and body["action_id"].startswith("op_")
        twitch = live.connectors[("alice", "twitch")]
        await wait_for(lambda: len(twitch.sent) == 1)
        [sent] = twitch.sent
        assert (sent.text, sent.action_id, sent.creator_id) == (
            "hello chat",
            body["action_id"],
            "alice",
        )
        async with live.http.get(live.base + "/metrics") as response:
            metrics = await response.text()
    assert 'streamsuites_actions_total{result="succeeded"} 1.0' in metrics
    assert 'streamsuites_sends_total{outcome="delivered",platform="twitch"} 1.0' in metrics


async def test_the_same_idempotency_key_sends_once(tmp_path: Path) -> None:
    async with running(tmp_path) as live:
        headers = {**AUTH, "Idempotency-Key": "retry-1"}
        ids = []
        for _ in range(2):
            async with live.http.post(
                live.base + "/api/v1/creators/alice/messages",
                json={"platform": "twitch", "text": "once"}, headers=headers,
            ) as response:  # fmt: skip
                assert response.status == 202
                ids.append((await response.json())["action_id"])
        twitch = live.connectors[("alice", "twitch")]
        await wait_for(lambda: len(twitch.sent) == 1)
        await live.post("/api/v1/creators/alice/messages", {"platform": "twitch", "text": "x"}, 202)
        await wait_for(lambda: len(twitch.sent) == 2)
    assert ids[0] == ids[1]
    assert [m.text for m in twitch.sent] == ["once", "x"]


@pytest.mark.parametrize(
    ("path", "body", "status", "parameter"),
    [
        ("/api/v1/creators/alice/messages", {"platform": "twitch"}, 400, "text"),
        ("/api/v1/creators/alice/messages", {"platform": "twitch", "text": "  "}, 400, "text"),
        ("/api/v1/creators/alice/messages", {"platform": "twitch", "text": "x" * 501}, 400, "text"),
        ("/api/v1/creators/alice/messages", {"platform": "kick", "text": "hi"}, 400, "platform"),
        ("/api/v1/creators/alice/messages", {"platform": 5, "text": "hi"}, 400, "platform"),
        ("/api/v1/creators/carol/messages", {"platform": "twitch", "text": "hi"}, 404,
         "creator_id"),
        ("/api/v1/polls/best-game/open", {}, 400, "creator_id"),
        ("/api/v1/polls/best-game/open", {"creator_id": "alice", "platform": "kick"}, 400,
         "platform"),
        ("/api/v1/triggers/nope/run", {"creator_id": "alice"}, 404, None),
        ("/api/v1/replay/select", {"creator_id": "alice", "platform": "twitch"}, 400,
         "session_id"),
        ("/api/v1/replay/select",
         {"creator_id": "alice", "platform": "twitch", "session_id": "alice:twitch:999"}, 404,
         None),
    ],
)  # fmt: skip
async def test_bad_operator_requests_are_4xx_with_the_json_error(
    tmp_path: Path, path: str, body: dict[str, Any], status: int, parameter: str | None
) -> None:
    async with running(tmp_path) as live:
        error = (await live.post(path, body, status))["error"]
    assert error.get("parameter") == parameter
    assert isinstance(error["code"], str) and isinstance(error["message"], str)


async def test_a_body_that_is_not_a_json_object_is_a_400(tmp_path: Path) -> None:
    async with running(tmp_path) as live:
        for data in (b"{not json", b"[1, 2]", b'"text"'):
            async with live.http.post(
                live.base + "/api/v1/creators/alice/messages", data=data, headers=AUTH
            ) as response:
                assert response.status == 400
                assert (await response.json())["error"]["code"] == "bad_json"


async def test_an_oversized_body_is_a_json_413(tmp_path: Path) -> None:
    async with running(tmp_path) as live:
        body = {"platform": "twitch", "text": "x" * 100_000}
        error = (await live.post("/api/v1/creators/alice/messages", body, 413))["error"]
    assert error["code"] == "payload_too_large"


async def test_polls_open_and_close_through_the_api(tmp_path: Path) -> None:
    async with running(tmp_path) as live:
        opened = await live.post("/api/v1/polls/best-game/open", {"creator_id": "alice"}, 200)
        assert (opened["action_type"], opened["status"]) == ("poll_open", "succeeded")
        polls = await live.get("/api/v1/polls")
        again = await live.post("/api/v1/polls/best-game/open", {"creator_id": "alice"}, 409)
        await live.post("/api/v1/polls/best-game/close", {"creator_id": "alice"}, 200)
        closed = await live.get("/api/v1/polls")
        unknown = await live.post("/api/v1/polls/nope/open", {"creator_id": "alice"}, 409)
    [poll] = [p for p in polls["polls"] if p["poll_id"] == "best-game"]
    assert poll["state"] == "open" and poll["question"] == "Best game?"
    assert again["error"]["code"] == "refused"
    [poll] = [p for p in closed["polls"] if p["poll_id"] == "best-game"]
    assert poll["state"] == "closed"
    assert "no poll 'nope'" in unknown["error"]["message"]


async def test_running_a_trigger_performs_its_actions(tmp_path: Path) -> None:
    async with running(tmp_path) as live:
        body = await live.post(
            "/api/v1/triggers/shoutout/run", {"creator_id": "alice", "platform": "twitch"}, 200
        )
        twitch = live.connectors[("alice", "twitch")]
        await wait_for(lambda: len(twitch.sent) == 1)
    [action] = body["actions"]
    assert action["action_type"] == "send_chat_message"
    assert action["status"] == ActionStatus.SUCCEEDED
    assert twitch.sent[0].text == "follow Alice on twitch!"


async def test_events_a_connector_emits_reach_an_sse_client_live(tmp_path: Path) -> None:
    gate = asyncio.Event()
    batch = [chat("live one"), chat("live two"), chat("other", creator="bob")]
    gated = GatedConnector([], gate=gate, later=batch)
    stream = "/api/v1/events/stream?creator=alice"
    async with (
        running(tmp_path, given={("alice", "twitch"): gated}) as live,
        live.http.get(live.base + stream) as response,
    ):
        gate.set()  # the connector emits only once the client is listening
        frames = await read_events(response, 2)
    assert [f.data["text"] for f in frames] == ["live one", "live two"]


async def test_healthz_is_503_naming_a_connector_down_too_long(tmp_path: Path) -> None:
    failing: list[list[Step]] = [[Fail(TransportError("refused"))] for _ in range(10_000)]
    scripts: dict[tuple[str, str], list[list[Step]]] = {("alice", "youtube"): failing}
    async with running(tmp_path, scripts, WebOptions(port=0, health_threshold=0.05)) as live:
        async with asyncio.timeout(10):
            while True:
                async with live.http.get(live.base + "/healthz") as response:
                    body = await response.json()
                if response.status == 503:
                    break
                await asyncio.sleep(0.05)
    assert body["ok"] is False and body["serving"] is True
    [down] = body["down"]
    assert (down["creator_id"], down["platform"]) == ("alice", "youtube")
    assert down["status"] in ("backoff", "connecting")


async def test_shutdown_ends_open_live_streams(tmp_path: Path) -> None:
    async with running(tmp_path) as live:
        response = await live.http.get(live.base + "/api/v1/events/stream")
        ws = await live.http.ws_connect(live.base.replace("http", "ws") + "/api/v1/ws")
    # The runtime stopped within the context's timeout with both clients connected, and the
    # stream was cut (aiohttp reports a closed connection as a RuntimeError here).
    with pytest.raises((aiohttp.ClientError, EOFError, RuntimeError)):
        await read_events(response, 1)
    await ws.close()
    response.release()


async def test_scripted_events_flow_to_the_api_through_the_intake(tmp_path: Path) -> None:
    batch = [chat(f"m{i}") for i in range(3)]
    scripts: dict[tuple[str, str], list[list[Step]]] = {
        ("alice", "twitch"): [[Connect(), Emit(batch), Hang()]]
    }
    async with running(tmp_path, scripts) as live:
        await wait_for(lambda: len(live.connectors[("alice", "twitch")].emitted) == 3)
        body = await live.get("/api/v1/chat/tail?creator=alice")
        creators = await live.get("/api/v1/creators")
    assert [e["text"] for e in body["events"]] == ["m0", "m1", "m2"]
    [alice] = [c for c in creators["creators"] if c["creator_id"] == "alice"]
    twitch = next(p for p in alice["platforms"] if p["platform"] == "twitch")
    assert twitch["counters"]["messages"] == 3 and twitch["status"] == "connected"


async def test_a_poll_an_operator_opened_survives_a_restart(tmp_path: Path) -> None:
    async with running(tmp_path) as live:
        await live.post("/api/v1/polls/best-game/open", {"creator_id": "alice"}, 200)
    async with running(tmp_path) as live:
        polls = await live.get("/api/v1/polls")
    [poll] = [p for p in polls["polls"] if p["poll_id"] == "best-game"]
    assert poll["state"] == "open"


async def test_metrics_and_snapshot_of_a_running_runtime(tmp_path: Path) -> None:
    async with running(tmp_path) as live:
        twitch = live.runtime.state.connector("alice", "twitch")
        await wait_for(lambda: twitch.status is ConnectorStatus.CONNECTED)
        async with live.http.get(live.base + "/metrics") as response:
            assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
            metrics = await response.text()
        snapshot = await live.get("/api/v1/snapshot")
        jobs = await live.get("/api/v1/jobs")
        quotas = await live.get("/api/v1/quotas")
        for name in ("tallies", "scoreboards"):
            assert (await live.get(f"/api/v1/{name}"))["meta"]["generated_at"].endswith("Z")
    assert "streamsuites_event_loop_lag_seconds" in metrics
    assert (
        'streamsuites_connector_status{creator="alice",platform="twitch",status="connected"} 1.0'
        in metrics
    )
    assert snapshot["runtime"]["project"] == "StreamSuites Runtime"
    assert {p["name"] for p in snapshot["platforms"]} >= {"twitch", "youtube"}
    assert "jobs" in jobs and "platforms" in quotas
