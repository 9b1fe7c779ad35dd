"""``!clip`` end to end: the real runtime captures the HLS emulator and answers Twitch chat.

The runtime runs with the real Twitch connector against the IRC emulator, a capture of the
HLS emulator's live stream (real ffmpeg), the web API on a free port, and a Discord webhook
that always answers 500, so a failing publish target is seen as failed while the clip itself
is ready. Clip lengths are short (N = 10 s, 1 s pre-roll, 1 s post-roll, 1 s segments).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web

from streamsuites.clips import FFMPEG_NOT_FOUND, locate_ffmpeg
from streamsuites.clips.service import CLIPS_OFF
from streamsuites.config.model import Config, Creator, CreatorPlatform, Limits, SystemSettings
from streamsuites.connectors.registry import default_connectors
from streamsuites.emulators import TwitchIrcEmulator
from streamsuites.emulators.hls import HlsEmulator
from streamsuites.jobs.worker import WorkerOptions
from streamsuites.runtime import Runtime, RuntimeOptions
from streamsuites.web import WebOptions
from tests.support import require_binary

pytestmark = pytest.mark.asyncio

N, PRE_ROLL, POST_ROLL = 10.0, 1.0, 1.0
TRIGGER = {
    "trigger_id": "clip", "creator_id": "alice", "type": "command", "command": "!clip",
    "actions": [{"action_type": "enqueue_clip_job",
                 "payload": {"duration_seconds": 30, "args": "{args}", "requested_by": "{user}"}}],
}  # fmt: skip


def make_config(
    irc: TwitchIrcEmulator,
    source: str,
    *,
    clips: dict[str, Any],
    env: dict[str, str],
    jobs: dict[str, bool] | None = None,
) -> Config:
    twitch = CreatorPlatform(
        platform="twitch", enabled=True, channel="alice", secret_env={"token": "ALICE_TOKEN"},
        options={"nick": "bot", "transport": "tcp", "host": "127.0.0.1", "port": irc.tcp_port,
                 "clip_source": source},
    )  # fmt: skip
    limits = Limits(clip_pre_roll_seconds=PRE_ROLL, clip_min_cooldown_seconds=0)
    creator = Creator(
        creator_id="alice", display_name="Alice Plays", enabled=True, tier="open",
        limits=limits, platforms={"twitch": twitch},
    )  # fmt: skip
    system = SystemSettings(
        snapshot_interval_seconds=0.2,
        jobs=jobs or {},
        extra={"clips": {"post_roll_seconds": POST_ROLL, "segment_seconds": 1, **clips}},
    )
    return Config(
        directory=Path("."), system=system, platforms={}, creators=(creator,), tiers={},
        triggers=(TRIGGER,), environ={"ALICE_TOKEN": "tok", **env},
    )  # fmt: skip


@pytest_asyncio.fixture
async def irc() -> AsyncIterator[TwitchIrcEmulator]:
    server = TwitchIrcEmulator(tokens={"tok": "bot"})
    await server.start()
    yield server
    await server.close()


@pytest_asyncio.fixture
async def failing_discord() -> AsyncIterator[tuple[str, list[bytes]]]:
    """A webhook that reads each upload and answers 500; yields its URL and the bodies."""
    bodies: list[bytes] = []

    async def hook(request: web.Request) -> web.Response:
        bodies.append(await request.read())
        return web.Response(status=500, text="webhook is down")

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}/hook", bodies
    await runner.cleanup()


@dataclass
class Running:
    runtime: Runtime
    options: RuntimeOptions

    def state(self, name: str) -> dict[str, Any]:
        path = self.options.state_dir / name
        return json.loads(path.read_text()) if path.exists() else {}

    def clip_job(self) -> dict[str, Any]:
        jobs = [j for j in self.state("jobs.json").get("jobs", []) if j["type"] == "clip"]
        return jobs[0] if jobs else {}


@contextlib.asynccontextmanager
async def running_runtime(config: Config, tmp_path: Path) -> AsyncIterator[Running]:
    options = RuntimeOptions(
        state_dir=tmp_path / "state", data_dir=tmp_path / "data", web=WebOptions(port=0),
        jobs=WorkerOptions(poll_interval=0.2),
    )  # fmt: skip
    runtime = Runtime(config, options, connectors=default_connectors())
    stop = asyncio.Event()
    task = asyncio.create_task(runtime.run(stop))
    try:
        await asyncio.wait_for(runtime.ready.wait(), 10)
        yield Running(runtime, options)
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)


async def wait_for(condition: Callable[[], object], timeout: float = 30) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.05)


async def ffprobe_duration(path: Path) -> float:
    probe = await asyncio.create_subprocess_exec(
        "ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path),
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await probe.communicate()
    return float(out)


async def test_clip_from_twitch_chat_is_cut_from_the_live_stream_and_announced(
    irc: TwitchIrcEmulator, failing_discord: tuple[str, list[bytes]], tmp_path: Path
) -> None:
    require_binary("ffmpeg", "ffmpeg")
    hook_url, uploads = failing_discord
    # Small enough that the MP4 stays under 1 MiB: aiohttp warns about bigger raw-bytes
    # uploads, and pytest turns that warning into an error (see the report on publish.py).
    stream = HlsEmulator(locate_ffmpeg(), size="160x90", rate=15)
    await stream.start()
    try:
        env = {"STREAMSUITES_DISCORD_CLIP_WEBHOOK_URL": hook_url}
        config = make_config(irc, stream.url, clips={}, env=env)
        async with running_runtime(config, tmp_path) as running:
            await check_clip(running, irc, uploads)
    finally:
        await stream.close()


async def check_clip(running: Running, irc: TwitchIrcEmulator, uploads: list[bytes]) -> None:
    capture = running.runtime.clips.captures[("alice", "twitch")]
    # The buffer must hold N + pre-roll before the command; the HLS burst at start helps.
    await capture.wait_for(lambda s: s.buffered_seconds >= N + PRE_ROLL + 1.5)
    await wait_for(lambda: "bot" in irc.joined.get("alice", []))
    said_at = time.time()
    irc.say("alice", "viewer", "!clip 10 great save", display_name="Viewer")

    await wait_for(lambda: running.clip_job().get("status") in {"succeeded", "failed"})
    job = running.clip_job()
    assert (job["status"], job["progress"]["stage"]) == ("succeeded", "ready"), job
    result = job["result"]
    assert result["state"] == "ready"

    video, thumbnail = Path(result["output_path"]), Path(result["thumbnail_path"])
    assert video.is_file() and thumbnail.is_file() and thumbnail.stat().st_size > 0
    assert video.parent == running.options.data_dir / "clips" / "alice"
    assert abs(await ffprobe_duration(video) - (N + PRE_ROLL + POST_ROLL)) <= 0.5
    # The window, by the capture's segment timestamps, sits around the command's time; a
    # stream copy may move it onto a keyframe (0.5 s apart in the emulator).
    window = result["window"]
    assert abs(window["start"] - (said_at - N - PRE_ROLL)) <= 1.0
    assert abs(window["end"] - (said_at + POST_ROLL)) <= 1.0
    assert "great save" in result["title"] and "clip by Viewer" in result["title"]

    [local, discord] = result["publish"]
    assert (local["target"], local["ok"]) == ("local", True)
    assert (discord["target"], discord["ok"]) == ("discord", False)
    assert discord["reason"].startswith("HTTP 500") and len(uploads) == 1
    await wait_for(lambda: any(m.text.startswith("Clip ready:") for m in irc.privmsgs))
    [reply] = [m.text for m in irc.privmsgs if m.text.startswith("Clip ready:")]
    assert result["title"] in reply

    await check_exports(running, result)
    await check_api(running)


async def check_exports(running: Running, result: dict[str, Any]) -> None:
    await wait_for(lambda: running.state("clips.json").get("clips"))
    [clip] = running.state("clips.json")["clips"]
    assert (clip["clip_id"], clip["state"]) == (result["clip_id"], "ready")
    assert clip["output_path"] == result["output_path"]
    assert clip["events"] is not None and clip["events"]["first_seq"] <= clip["events"]["last_seq"]
    [public] = running.state("exports/clips.json")["clips"]
    assert (public["title"], public["state"]) == (result["title"], "ready")
    block = running.state("runtime_snapshot.json")["clips"]
    assert block["available"] is True
    assert [c["state"] for c in block["captures"]] == ["running"]


async def check_api(running: Running) -> None:
    web_server = running.runtime.web
    assert web_server is not None
    base = f"http://127.0.0.1:{web_server.port}/api/v1"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/jobs") as response:
            assert response.status == 200
            document = await response.json()
        async with http.get(f"{base}/clips") as response:
            assert response.status == 200
            clips = await response.json()
        async with http.get(f"{base}/snapshot") as response:
            snapshot = await response.json()
    [job] = [j for j in document["jobs"] if j["type"] == "clip"]
    assert (job["status"], job["progress"]["stage"]) == ("succeeded", "ready")
    [clip] = clips["clips"]
    assert clip["state"] in ("ready", "published")
    assert snapshot["clips"]["available"] is True


@pytest.mark.parametrize("off", [False, True], ids=["ffmpeg-missing", "clips-off"])
async def test_when_clips_cannot_run_the_snapshot_says_why_and_chat_is_answered(
    irc: TwitchIrcEmulator, tmp_path: Path, off: bool
) -> None:
    missing = {"ffmpeg_path": str(tmp_path / "no-ffmpeg-here")}
    config = make_config(irc, "http://127.0.0.1:9/stream.m3u8", clips=missing, env={},
                         jobs={"clips": not off})  # fmt: skip
    reason = CLIPS_OFF if off else FFMPEG_NOT_FOUND
    async with running_runtime(config, tmp_path) as running:
        await wait_for(lambda: running.state("runtime_snapshot.json").get("clips"))
        await wait_for(lambda: "bot" in irc.joined.get("alice", []))
        block = running.state("runtime_snapshot.json")["clips"]
        assert (block["available"], block["reason"]) == (False, reason)
        captures = [(c["state"], c["reason"]) for c in block["captures"]]
        assert captures == ([] if off else [("unavailable", FFMPEG_NOT_FOUND)])

        irc.say("alice", "viewer", "!clip")
        await wait_for(lambda: running.clip_job().get("status") == "failed")
        job = running.clip_job()
        assert (job["refused"], job["error"]) == (True, reason)
        await wait_for(lambda: irc.privmsgs)
        assert [m.text for m in irc.privmsgs] == [f"No clip: {reason}"]
        await wait_for(lambda: running.state("clips.json").get("clips"))
        [clip] = running.state("clips.json")["clips"]
        assert (clip["state"], clip["last_error"]) == ("failed", reason)
