"""Where a finished clip goes, each target saying truthfully whether it got there.

- :class:`LocalFolder` copies the MP4, thumbnail and metadata under ``<root>/<creator_id>/``;
  it is always configured, so a clip is never only in the work folder.
- :class:`DiscordWebhook` posts the title with the MP4 attached (multipart, ``payload_json`` +
  ``files[0]``) to a webhook URL taken from the environment; a file over the upload limit is
  posted as a link instead, when a public link exists, and fails with the reason otherwise.
- :class:`TwitchCreateClip` asks Twitch to make its own clip of the live broadcast (Helix
  ``POST /clips?broadcaster_id=``, token with ``clips:edit``): that clip is Twitch's, not our
  MP4, and is edited on Twitch at the returned ``edit_url``.

A target never raises: :func:`publish_clip` turns each into a :class:`PublishOutcome`, with
the HTTP status and the platform's message on failure. Nothing is retried here; the job queue
decides whether a failed target is worth another try.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import shutil
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Protocol

import aiohttp

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Mapping, Sequence
    from pathlib import Path

    from streamsuites.clips.model import ClipResult

__all__ = [
    "DISCORD_WEBHOOK_ENV",
    "DiscordWebhook",
    "LocalFolder",
    "PublishOutcome",
    "PublishTarget",
    "TwitchCreateClip",
    "public_link",
    "public_url",
    "publish_clip",
]

DISCORD_WEBHOOK_ENV: Final = "STREAMSUITES_DISCORD_CLIP_WEBHOOK_URL"


def public_url(base_url: str, creator_id: str, file_name: str) -> str:
    """Return where a clip's file is served under `base_url` (the published folder's URL)."""
    return f"{base_url.rstrip('/')}/{creator_id}/{file_name}"


def public_link(base_url: str | None, creator_id: str) -> Callable[[ClipResult], str | None] | None:
    """Return the public link of `creator_id`'s clips published under `base_url`, if one is set.

    It is the URL :class:`LocalFolder` reports; :class:`DiscordWebhook` posts it in place of a
    file over its upload limit.
    """
    if base_url is None:
        return None
    return lambda clip: public_url(base_url, creator_id, clip.video_path.name)


DISCORD_UPLOAD_LIMIT: Final = 10 * 1024 * 1024
"""Discord's attachment limit for webhooks on servers without boosts (10 MiB)."""
TWITCH_HELIX_URL: Final = "https://api.twitch.tv/helix"
_TIMEOUT: Final = aiohttp.ClientTimeout(total=60.0)
_MESSAGE_LIMIT: Final = 300


@dataclass(frozen=True, slots=True, kw_only=True)
class PublishOutcome:
    """What one target did with one clip."""

    target: str
    ok: bool
    url: str | None = None
    reason: str | None = None
    """Why it failed, in words for the dashboard; None on success."""


class PublishTarget(Protocol):
    """Somewhere a clip can be published."""

    name: str

    async def publish(self, clip: ClipResult, *, creator_id: str) -> PublishOutcome:
        """Publish `clip`; report failure as an outcome, never by raising."""
        ...


async def publish_clip(
    clip: ClipResult, targets: Sequence[PublishTarget], *, creator_id: str
) -> list[PublishOutcome]:
    """Publish `clip` to every target at once; one outcome per target, in target order."""
    return list(await asyncio.gather(*(_guarded(t, clip, creator_id) for t in targets)))


async def _guarded(target: PublishTarget, clip: ClipResult, creator_id: str) -> PublishOutcome:
    try:
        return await target.publish(clip, creator_id=creator_id)
    except (aiohttp.ClientError, OSError, TimeoutError, ValueError) as exc:
        reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return PublishOutcome(target=target.name, ok=False, reason=reason)


class LocalFolder:
    """Copies the clip's files under ``<root>/<creator_id>/``."""

    name = "local"

    def __init__(self, root: Path, *, public_base_url: str | None = None) -> None:
        self.root = root
        self.public_base_url = public_base_url
        """When set, the outcome's URL is ``<public_base_url>/<creator_id>/<clip_id>.mp4``."""

    async def publish(self, clip: ClipResult, *, creator_id: str) -> PublishOutcome:
        """Copy the files (in a thread: a clip is megabytes)."""
        folder = self.root / creator_id
        await asyncio.to_thread(self._copy, clip, folder)
        video = folder / clip.video_path.name
        url = (
            public_url(self.public_base_url, creator_id, video.name)
            if self.public_base_url
            else video.resolve().as_uri()
        )
        return PublishOutcome(target=self.name, ok=True, url=url)

    @staticmethod
    def _copy(clip: ClipResult, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for path in (clip.video_path, clip.thumbnail_path, clip.metadata_path):
            temp = folder / f".{path.name}.tmp"
            shutil.copyfile(path, temp)
            temp.replace(folder / path.name)


class DiscordWebhook:
    """Posts a clip to a Discord webhook; see the module docstring."""

    name = "discord"

    def __init__(
        self,
        url: str,
        *,
        session: aiohttp.ClientSession | None = None,
        upload_limit: int = DISCORD_UPLOAD_LIMIT,
        link: Callable[[ClipResult], str | None] | None = None,
    ) -> None:
        self.url = url
        self._session = session
        self.upload_limit = upload_limit
        self._link = link

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str],
        *,
        session: aiohttp.ClientSession | None = None,
        link: Callable[[ClipResult], str | None] | None = None,
    ) -> DiscordWebhook | None:
        """Return the target configured by ``STREAMSUITES_DISCORD_CLIP_WEBHOOK_URL``, or None."""
        url = env.get(DISCORD_WEBHOOK_ENV, "").strip()
        return cls(url, session=session, link=link) if url else None

    async def publish(self, clip: ClipResult, *, creator_id: str) -> PublishOutcome:
        """Upload the MP4 with the title, or post a link when the file is too big."""
        size = clip.video_path.stat().st_size
        if size <= self.upload_limit:
            return await self._post(_upload_form(clip))
        link = self._link(clip) if self._link is not None else None
        if link is None:
            limit_mb, size_mb = self.upload_limit / 2**20, size / 2**20
            reason = f"clip is {size_mb:.1f} MiB, over the {limit_mb:.0f} MiB upload limit, "
            return self._failed(reason + "and no public link is configured")
        return await self._post(aiohttp.JsonPayload(_message(f"{clip.title}\n{link}")))

    async def _post(self, body: aiohttp.FormData | aiohttp.JsonPayload) -> PublishOutcome:
        async with (
            _session(self._session) as session,
            session.post(
                self.url, params={"wait": "true"}, data=body, timeout=_TIMEOUT
            ) as response,
        ):
            if response.status in (200, 204):
                return PublishOutcome(target=self.name, ok=True, url=await _message_url(response))
            return self._failed(await _http_reason(response))

    def _failed(self, reason: str) -> PublishOutcome:
        return PublishOutcome(target=self.name, ok=False, reason=reason)


def _message(content: str) -> dict[str, Any]:
    # No pings from a clip title: a title is chat text and may contain "@everyone".
    return {"content": content, "allowed_mentions": {"parse": []}}


def _upload_form(clip: ClipResult) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("payload_json", json.dumps(_message(clip.title)),
                   content_type="application/json")  # fmt: skip
    # A file object, not bytes: aiohttp warns about (and may refuse) bytes bodies over 1 MiB.
    video = io.BytesIO(clip.video_path.read_bytes())
    form.add_field("files[0]", video, filename=clip.video_path.name, content_type="video/mp4")
    return form


async def _message_url(response: aiohttp.ClientResponse) -> str | None:
    """Return the posted message's first attachment URL, when Discord sent the message back."""
    if response.status != 200:
        return None
    try:
        message = await response.json(content_type=None)
    except ValueError:
        return None
    attachments = message.get("attachments") if isinstance(message, dict) else None
    if isinstance(attachments, list) and attachments and isinstance(attachments[0], dict):
        url = attachments[0].get("url")
        return url if isinstance(url, str) else None
    return None


async def _http_reason(response: aiohttp.ClientResponse) -> str:
    text = " ".join((await response.text()).split())[:_MESSAGE_LIMIT]
    return f"HTTP {response.status}: {text or response.reason or 'no message'}"


@contextlib.asynccontextmanager
async def _session(given: aiohttp.ClientSession | None) -> AsyncIterator[aiohttp.ClientSession]:
    """Use the given session, or a fresh one closed afterwards."""
    if given is not None:
        yield given
        return
    async with aiohttp.ClientSession() as own:
        yield own


_TWITCH_REASONS: Final = {
    401: "Twitch refused the token (it needs the clips:edit scope)",
    403: "the broadcaster does not allow clips",
    404: "the broadcaster is not live",
}


class TwitchCreateClip:
    """Asks Twitch Helix to clip the live broadcast of `broadcaster_id`."""

    name = "twitch"

    def __init__(
        self,
        *,
        broadcaster_id: str,
        client_id: str,
        token: str,
        base_url: str = TWITCH_HELIX_URL,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self.broadcaster_id = broadcaster_id
        self._client_id = client_id
        self._token = token
        self.base_url = base_url.rstrip("/")
        self._session = session

    async def publish(self, clip: ClipResult, *, creator_id: str) -> PublishOutcome:
        """Create the Twitch clip; its edit URL is the outcome's URL."""
        headers = {"Authorization": f"Bearer {self._token}", "Client-Id": self._client_id}
        async with _session(self._session) as session, session.post(
            f"{self.base_url}/clips", params={"broadcaster_id": self.broadcaster_id},
            headers=headers, timeout=_TIMEOUT,
        ) as response:  # fmt: skip
            if response.status == 202:
                return self._created(await response.json(content_type=None))
            reason = await _http_reason(response)
            known = _TWITCH_REASONS.get(response.status)
            return self._failed(f"{known} ({reason})" if known else reason)

    def _created(self, body: object) -> PublishOutcome:
        data = body.get("data") if isinstance(body, dict) else None
        if not (isinstance(data, list) and data and isinstance(data[0], dict)):
            return self._failed("Twitch answered 202 without a clip")
        edit_url = data[0].get("edit_url")
        return PublishOutcome(target=self.name, ok=True, url=str(edit_url or data[0].get("id")))

    def _failed(self, reason: str) -> PublishOutcome:
        return PublishOutcome(target=self.name, ok=False, reason=reason)
