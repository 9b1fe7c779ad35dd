"""SIGKILL the runtime while a clip job publishes; after a restart the clip is made once.

The child (tests/integration/clip_jobs_child.py) is the real runtime capturing this test's HLS
emulator. Its clip job cuts the MP4, then publishes it to a Discord webhook served here that
holds the first upload without answering: the child is killed at that moment, leaving the job
``running`` under a lease nobody renews. The second child reclaims the job when the lease
expires, finds the clip the first attempt cut (same clip id), publishes it (the webhook now
answers) and replies once. One MP4, one reply, one succeeded job.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web

from streamsuites.clips import locate_ffmpeg
from streamsuites.emulators.hls import HlsEmulator
from tests.support import REPO, require_binary

pytestmark = pytest.mark.asyncio


class HoldingWebhook:
    """Holds the first upload until released; answers every later one like Discord (200)."""

    def __init__(self) -> None:
        self.uploads: list[bytes] = []
        self.first = asyncio.Event()
        self.release = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        self.uploads.append(await request.read())
        if len(self.uploads) == 1:
            self.first.set()
            await self.release.wait()
            return web.Response(status=500)
        attachment = {"url": "https://cdn.discord.test/clip.mp4"}
        return web.json_response({"id": "1", "attachments": [attachment]})


@pytest_asyncio.fixture
async def webhook() -> AsyncIterator[tuple[str, HoldingWebhook]]:
    hook = HoldingWebhook()
    app = web.Application()
    app.router.add_post("/hook", hook.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}/hook", hook
    hook.release.set()
    await runner.cleanup()


def write_config(tmp_path: Path, source: str) -> None:
    twitch = {"channel": "alice", "clip_source": source}
    files: dict[str, Any] = {
        "tiers.json": {"tiers": {"pro": {"label": "Pro", "features": {}}}},
        "creators.json": {"creators": [{
            "creator_id": "alice", "tier": "pro", "platforms": {"twitch": twitch},
            "limits": {"clip_pre_roll_seconds": 0.5, "clip_min_cooldown_seconds": 0},
        }]},
        "triggers.json": {"triggers": []},
        "system.json": {"clips": {"post_roll_seconds": 0.5, "segment_seconds": 1}},
    }  # fmt: skip
    config = tmp_path / "config"
    config.mkdir()
    for name, body in files.items():
        (config / name).write_text(json.dumps(body))


def start_child(tmp_path: Path, hook_url: str, name: str) -> subprocess.Popen[bytes]:
    args = [str(tmp_path / d) for d in ("config", "data", "state")] + [str(tmp_path)]
    env = {**os.environ, "STREAMSUITES_DISCORD_CLIP_WEBHOOK_URL": hook_url}
    with (tmp_path / f"{name}.log").open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.integration.clip_jobs_child", *args],
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip


async def wait_until(condition: Callable[[], object], process: subprocess.Popen[bytes]) -> None:
    # Across processes the signals are the webhook's request and the files the child fsyncs.
    async with asyncio.timeout(40):
        while not condition():
            assert process.poll() is None, f"child exited with {process.returncode}; see its .log"
            await asyncio.sleep(0.05)


def job_row(tmp_path: Path) -> tuple[str, int, dict[str, Any] | None]:
    with sqlite3.connect(tmp_path / "data" / "streamsuites.db") as db:
        row = db.execute(
            "SELECT status, attempts, result FROM jobs WHERE job_id = 'crash-clip'"
        ).fetchone()
    assert row is not None
    status, attempts, result = row
    return str(status), int(attempts), None if result is None else json.loads(result)


def sent(tmp_path: Path) -> list[str]:
    path = tmp_path / "sent.txt"
    return path.read_text().splitlines() if path.exists() else []


async def test_a_clip_job_killed_while_publishing_finishes_once_after_restart(
    tmp_path: Path, webhook: tuple[str, HoldingWebhook]
) -> None:
    require_binary("ffmpeg", "ffmpeg")
    hook_url, hook = webhook
    stream = HlsEmulator(locate_ffmpeg(), size="160x90", rate=15)
    await stream.start()
    try:
        write_config(tmp_path, stream.url)
        first = start_child(tmp_path, hook_url, "first")
        try:
            await wait_until(hook.first.is_set, first)
        finally:
            first.send_signal(signal.SIGKILL)
            await asyncio.to_thread(first.wait, 30)
        hook.release.set()
        assert job_row(tmp_path)[:2] == ("running", 1), "the kill left the job running"

        second = start_child(tmp_path, hook_url, "second")
        try:
            await wait_until(lambda: sent(tmp_path), second)
        finally:
            second.send_signal(signal.SIGTERM)
            assert await asyncio.to_thread(second.wait, 30) == 0
    finally:
        await stream.close()

    status, attempts, result = job_row(tmp_path)
    assert (status, attempts) == ("succeeded", 2)
    assert result is not None and result["state"] == "published"
    assert result["published_url"] == "https://cdn.discord.test/clip.mp4"
    clips = tmp_path / "data" / "clips"
    assert sorted(p.relative_to(clips) for p in clips.rglob("*.mp4")) == [
        Path("alice") / f"{result['clip_id']}.mp4"
    ]
    [reply] = sent(tmp_path)
    assert reply.startswith("Clip ready:") and result["clip_id"] in reply
    assert len(hook.uploads) == 2 and all(b"ftyp" in body for body in hook.uploads)
