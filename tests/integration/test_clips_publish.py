"""Publish targets over real HTTP: a local Discord-shaped webhook and the Helix emulator."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import BodyPartReader, web

from streamsuites.clips import ClipResult, ClipState, ClipWindow, CutMethod
from streamsuites.clips.export import ClipView, build_clips
from streamsuites.clips.publish import (
    DISCORD_WEBHOOK_ENV,
    DiscordWebhook,
    LocalFolder,
    PublishTarget,
    TwitchCreateClip,
    public_link,
    publish_clip,
)
from streamsuites.emulators.twitch_helix import HelixToken, TwitchHelixEmulator

T0 = 1_800_000_000.0
TITLE = "Run @everyone - 01/15/27 clip by ann [Ab12Cd]"
VIDEO = b"\x00\x00\x00\x18ftypisom" + bytes(range(256)) * 40


@pytest.fixture
def clip(tmp_path: Path) -> ClipResult:
    work = tmp_path / "work"
    work.mkdir()
    (work / "Ab12Cd.mp4").write_bytes(VIDEO)
    (work / "Ab12Cd.jpg").write_bytes(b"\xff\xd8\xff\xe0jpeg")
    (work / "Ab12Cd.json").write_text('{"clip_id": "Ab12Cd"}')
    return ClipResult(
        clip_id="Ab12Cd", title=TITLE, video_path=work / "Ab12Cd.mp4",
        thumbnail_path=work / "Ab12Cd.jpg", metadata_path=work / "Ab12Cd.json",
        requested=ClipWindow(start=T0, end=T0 + 12), actual=ClipWindow(start=T0, end=T0 + 12),
        duration_seconds=12.0, method=CutMethod.COPY,
    )  # fmt: skip


@dataclass
class Webhook:
    """A stand-in for Discord's webhook endpoint that records and checks what it gets."""

    status: int = 200
    received: list[dict[str, object]] = field(default_factory=list)
    url: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        assert request.query.get("wait") == "true"
        if request.content_type == "multipart/form-data":
            self.received.append(await self._multipart(request))
        else:
            assert request.content_type == "application/json"
            self.received.append({"json": await request.json()})
        if self.status != 200:
            return web.Response(status=self.status, text="upstream on fire")
        attachment = {"url": "https://cdn.discordapp.example/attachments/1/Ab12Cd.mp4"}
        return web.json_response({"id": "1", "attachments": [attachment]})

    async def _multipart(self, request: web.Request) -> dict[str, object]:
        parts: dict[str, object] = {}
        reader = await request.multipart()
        async for part in reader:
            assert isinstance(part, BodyPartReader)
            data = await part.read()
            parts[str(part.name)] = {
                "filename": part.filename,
                "type": part.headers.get("Content-Type"),
                "data": data,
            }
        return parts


@pytest_asyncio.fixture
async def webhook() -> AsyncIterator[Webhook]:
    hook = Webhook()
    app = web.Application(client_max_size=25 * 2**20)  # Discord takes files of many MiB
    app.router.add_post("/api/webhooks/1/token", hook.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    hook.url = f"http://127.0.0.1:{port}/api/webhooks/1/token"
    try:
        yield hook
    finally:
        await runner.cleanup()


@pytest_asyncio.fixture
async def helix() -> AsyncIterator[TwitchHelixEmulator]:
    tokens = {
        "good": HelixToken(client_id="cid", scopes=frozenset({"clips:edit"})),
        "noscope": HelixToken(client_id="cid", scopes=frozenset({"chat:read"})),
    }
    emulator = TwitchHelixEmulator(tokens=tokens, live={"1234"})
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.close()


@pytest.mark.asyncio
async def test_discord_gets_the_file_and_the_title_as_multipart(
    webhook: Webhook, clip: ClipResult
) -> None:
    target = DiscordWebhook.from_env({DISCORD_WEBHOOK_ENV: webhook.url})
    assert target is not None
    outcome = await target.publish(clip, creator_id="alice1")
    assert outcome.ok, outcome.reason
    assert outcome.url == "https://cdn.discordapp.example/attachments/1/Ab12Cd.mp4"
    (parts,) = webhook.received
    payload = parts["payload_json"]
    assert isinstance(payload, dict)
    assert payload["type"] == "application/json"
    assert json.loads(payload["data"]) == {"content": TITLE, "allowed_mentions": {"parse": []}}
    assert parts["files[0]"] == {"filename": "Ab12Cd.mp4", "type": "video/mp4", "data": VIDEO}


@pytest.mark.asyncio
async def test_a_clip_of_several_megabytes_is_uploaded_whole(
    webhook: Webhook, clip: ClipResult
) -> None:
    big = VIDEO * 300  # about 3 MiB: aiohttp treats bodies over 1 MiB differently
    clip.video_path.write_bytes(big)
    target = DiscordWebhook.from_env({DISCORD_WEBHOOK_ENV: webhook.url})
    assert target is not None
    outcome = await target.publish(clip, creator_id="alice1")
    assert outcome.ok, outcome.reason
    (parts,) = webhook.received
    assert parts["files[0]"] == {"filename": "Ab12Cd.mp4", "type": "video/mp4", "data": big}


@pytest.mark.asyncio
async def test_a_file_over_the_limit_is_posted_as_a_link(
    webhook: Webhook, clip: ClipResult
) -> None:
    target = DiscordWebhook(webhook.url, upload_limit=100, link=lambda c: f"https://x/{c.clip_id}")
    outcome = await target.publish(clip, creator_id="alice1")
    assert outcome.ok, outcome.reason
    assert webhook.received == [
        {"json": {"content": f"{TITLE}\nhttps://x/Ab12Cd", "allowed_mentions": {"parse": []}}}
    ]


@pytest.mark.asyncio
async def test_the_public_link_is_the_url_the_local_folder_reports(
    clip: ClipResult, tmp_path: Path
) -> None:
    assert public_link(None, "alice1") is None
    link = public_link("https://clips.example/streamsuites/", "alice1")
    assert link is not None
    folder = LocalFolder(tmp_path / "out", public_base_url="https://clips.example/streamsuites/")
    published = await folder.publish(clip, creator_id="alice1")
    assert link(clip) == published.url == "https://clips.example/streamsuites/alice1/Ab12Cd.mp4"


@pytest.mark.asyncio
async def test_too_big_without_a_link_fails_and_says_why(
    webhook: Webhook, clip: ClipResult
) -> None:
    outcome = await DiscordWebhook(webhook.url, upload_limit=100).publish(clip, creator_id="a")
    assert not outcome.ok
    assert outcome.reason is not None and "no public link is configured" in outcome.reason
    assert webhook.received == []


def test_no_webhook_in_the_environment_means_no_target() -> None:
    assert DiscordWebhook.from_env({}) is None
    assert DiscordWebhook.from_env({DISCORD_WEBHOOK_ENV: "  "}) is None


@pytest.mark.asyncio
async def test_helix_create_clip_sends_bearer_and_client_id(
    helix: TwitchHelixEmulator, clip: ClipResult
) -> None:
    target = TwitchCreateClip(
        broadcaster_id="1234", client_id="cid", token="good", base_url=helix.base_url
    )
    outcome = await target.publish(clip, creator_id="alice1")
    assert outcome.ok, outcome.reason
    assert outcome.url == "https://clips.twitch.tv/EmulatedClip1/edit"
    (request,) = helix.requests
    assert request.method == "POST" and request.path == "/helix/clips"
    assert request.query == {"broadcaster_id": "1234"}
    assert request.headers["Authorization"] == "Bearer good"
    assert request.headers["Client-Id"] == "cid"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("token", "broadcaster", "expected"),
    [
        ("noscope", "1234", "needs the clips:edit scope"),
        ("unknown", "1234", "Invalid OAuth token"),
        ("good", "999", "not live"),
    ],
)
async def test_helix_refusals_are_failed_outcomes_with_the_reason(
    helix: TwitchHelixEmulator, clip: ClipResult, token: str, broadcaster: str, expected: str
) -> None:
    target = TwitchCreateClip(
        broadcaster_id=broadcaster, client_id="cid", token=token, base_url=helix.base_url
    )
    outcome = await target.publish(clip, creator_id="alice1")
    assert not outcome.ok
    assert outcome.reason is not None and expected in outcome.reason
    assert helix.clips == []


@pytest.mark.asyncio
async def test_a_failing_target_is_recorded_as_failed_beside_the_others(
    webhook: Webhook, clip: ClipResult, tmp_path: Path
) -> None:
    webhook.status = 500
    unreachable = DiscordWebhook("http://127.0.0.1:9/api/webhooks/2/x")
    local = LocalFolder(tmp_path / "published")
    targets: list[PublishTarget] = [local, DiscordWebhook(webhook.url), unreachable]
    outcomes = await publish_clip(clip, targets, creator_id="alice1")

    assert [(o.target, o.ok) for o in outcomes] == [
        ("local", True),
        ("discord", False),
        ("discord", False),
    ]
    assert (tmp_path / "published" / "alice1" / "Ab12Cd.mp4").read_bytes() == VIDEO
    assert (tmp_path / "published" / "alice1" / "Ab12Cd.jpg").exists()
    assert outcomes[0].url == (tmp_path / "published" / "alice1" / "Ab12Cd.mp4").as_uri()
    assert outcomes[1].reason == "HTTP 500: upstream on fire"
    assert outcomes[2].reason is not None and "Connect" in outcomes[2].reason

    view = ClipView(
        clip_id="Ab12Cd",
        creator_id="alice1",
        state=ClipState.READY,
        platform="twitch",
        requested_at=T0,
        updated_at=T0 + 20,
        publish=outcomes,
    )
    exported = build_clips([view], now=T0 + 30)["clips"][0]["publish"]
    assert [(p["target"], p["ok"], p["reason"]) for p in exported][1] == (
        "discord",
        False,
        "HTTP 500: upstream on fire",
    )
