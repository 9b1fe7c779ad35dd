"""The YouTube emulator's world: channels, their videos and broadcasts, and live chats.

State changes take `now` (epoch seconds) and, where a deadline matters, `mono` (monotonic
seconds), both read by the caller from the emulator's clock. The resource builders return
bodies shaped as the discovery document's schemas, filtered to the parts a request asked for.
"""

from __future__ import annotations

import base64
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from streamsuites.emulators._youtube_wire import (
    DETAILS_KEYS,
    ApiError,
    Author,
    amount_display,
    display_message,
    etag,
    live_chat_id_for,
    rfc3339,
    super_chat_tier,
)

if TYPE_CHECKING:
    from collections.abc import Collection

__all__ = ["Channel", "Chat", "Stream", "Video", "World"]

Json = dict[str, Any]

_ALPHABET: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_THUMB: Final = {"url": "https://i.ytimg.com/vi/emulator/default.jpg", "width": 120, "height": 90}


@dataclass(frozen=True, slots=True)
class Stream:
    """A live stream the emulator started: its video, its chat and its broadcast."""

    video_id: str
    live_chat_id: str
    broadcast_id: str
    """YouTube gives a broadcast the id of its video, and so does the emulator."""
    channel_id: str


@dataclass(slots=True)
class Channel:
    """A YouTube channel: ``UC…`` id, ``@handle``, and its uploads (oldest first)."""

    id: str
    handle: str
    title: str
    created_at: float
    videos: list[Video] = field(default_factory=list)

    @property
    def uploads(self) -> str:
        """The uploads playlist id: the channel id with ``UU`` for ``UC``."""
        return "UU" + self.id[2:]

    @property
    def author(self) -> Author:
        """The channel as a chat author (owner of its own chats)."""
        return Author(self.title, channel_id=self.id, owner=True, verified=True)


@dataclass(slots=True)
class Chat:
    """A live chat; `messages` is every message ever posted, oldest first."""

    id: str
    video: Video
    messages: list[Json] = field(default_factory=list)
    ended_mono: float | None = None
    disabled: bool = False
    active_poll: Json | None = None


@dataclass(slots=True)
class Video:
    """An upload; a live stream while `started_at` is set and `ended_at` is not."""

    id: str
    channel: Channel
    title: str
    published_at: float
    started_at: float | None = None
    ended_at: float | None = None
    scheduled_end_at: float | None = None
    """When the broadcast is scheduled to end, if it has a schedule."""
    chat: Chat | None = None

    @property
    def live(self) -> bool:
        """Whether the video is streaming now."""
        return self.started_at is not None and self.ended_at is None


class World:
    """Every channel, video and chat of one emulator."""

    def __init__(self, *, seed: int | None = 0) -> None:
        self.channels: dict[str, Channel] = {}
        self.videos: dict[str, Video] = {}
        self.chats: dict[str, Chat] = {}
        self._random = random.Random(seed)

    # Channels and streams

    def add_channel(
        self, channel_id: str, handle: str | None, title: str, *, now: float
    ) -> Channel:
        """Add a channel (or return it if it exists); the handle defaults to ``@<title>``."""
        if not channel_id.startswith("UC"):
            raise ValueError(f"a channel id starts with 'UC', got {channel_id!r}")
        if channel_id not in self.channels:
            handle = "@" + (handle or title.replace(" ", "")).removeprefix("@")
            self.channels[channel_id] = Channel(channel_id, handle, title, now)
        return self.channels[channel_id]

    def channel(self, ref: str) -> Channel | None:
        """Return the channel with id `ref`, or with handle `ref` (``@`` optional, any case)."""
        if ref in self.channels:
            return self.channels[ref]
        handle = "@" + ref.removeprefix("@").lower()
        return next((c for c in self.channels.values() if c.handle.lower() == handle), None)

    def add_video(self, channel: Channel, title: str, video_id: str | None, *, now: float) -> Video:
        """Upload a video to `channel`'s uploads playlist."""
        video_id = video_id or self._new_id(11)
        if video_id in self.videos:
            raise ValueError(f"video {video_id!r} exists already")
        video = Video(video_id, channel, title, now)
        self.videos[video_id] = video
        channel.videos.append(video)
        return video

    def start_stream(
        self,
        channel: Channel,
        title: str,
        video_id: str | None,
        *,
        now: float,
        scheduled_end_at: float | None = None,
    ) -> Stream:
        """Go live on `channel`: a new video with a broadcast and a chat."""
        video = self.add_video(channel, title, video_id, now=now)
        video.started_at, video.scheduled_end_at = now, scheduled_end_at
        video.chat = Chat(live_chat_id_for(video.id), video)
        self.chats[video.chat.id] = video.chat
        return Stream(video.id, video.chat.id, video.id, channel.id)

    def end_stream(self, video: Video, *, now: float, mono: float, ended_event: bool) -> None:
        """Stop `video`'s stream; its chat answers ``liveChatEnded`` after the grace."""
        if not video.live or video.chat is None:
            raise ValueError(f"video {video.id!r} is not live")
        if ended_event:
            self.post(video.chat, "chatEndedEvent", {}, video.channel.author, now=now)
        video.ended_at = now
        video.chat.ended_mono = mono
        video.chat.active_poll = None

    def live_videos(self, channel: Channel) -> list[Video]:
        """Return `channel`'s live videos, newest first."""
        return [video for video in reversed(channel.videos) if video.live]

    # Chat messages

    def post(
        self,
        chat: Chat,
        snippet_type: str,
        details: Json,
        author: Author,
        *,
        now: float,
        message_id: str | None = None,
    ) -> str:
        """Append a message of `snippet_type` to `chat`; return its id."""
        if snippet_type not in DETAILS_KEYS:
            raise ValueError(f"unknown liveChatMessage type {snippet_type!r}")
        details = _complete(snippet_type, details)
        snippet = self._snippet(chat, snippet_type, details, author, now)
        message_id = message_id or "LCC." + self._new_id(64)
        content = {"id": message_id, "snippet": snippet, "authorDetails": author.details()}
        chat.messages.append({"kind": "youtube#liveChatMessage", "etag": etag(content), **content})
        if snippet_type == "pollEvent":
            active = details.get("status") == "active"
            chat.active_poll = chat.messages[-1] if active else None
        return message_id

    def _snippet(
        self, chat: Chat, snippet_type: str, details: Json, author: Author, now: float
    ) -> Json:
        shown = display_message(snippet_type, details, author)
        snippet: Json = {
            "type": snippet_type,
            "liveChatId": chat.id,
            "authorChannelId": author.id,
            "publishedAt": rfc3339(now),
            "hasDisplayContent": shown is not None,
        }
        if shown is not None:
            snippet["displayMessage"] = shown
        key = DETAILS_KEYS[snippet_type]
        if key is not None:
            snippet[key] = details
        return snippet

    def open_chat(self, chat_id: str, *, mono: float, grace: float) -> Chat:
        """Return the chat a list or insert names; raise the error YouTube would answer."""
        chat = self.chats.get(chat_id)
        if chat is None:
            raise ApiError(404, "liveChatNotFound")
        if chat.disabled:
            raise ApiError(403, "liveChatDisabled")
        if chat.ended_mono is not None and mono >= chat.ended_mono + grace:
            raise ApiError(403, "liveChatEnded")
        return chat

    def _new_id(self, length: int) -> str:
        return "".join(self._random.choice(_ALPHABET) for _ in range(length))


def page_token(chat: Chat, index: int) -> str:
    """Return the opaque token that continues `chat` after its first `index` messages."""
    return base64.urlsafe_b64encode(f"{chat.id}|{index}".encode()).decode().rstrip("=")


def page_index(chat: Chat, token: str) -> int:
    """Return the message index a page token points at; 400 ``invalidPageToken`` if it is bad."""
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        chat_id, _, number = text.rpartition("|")
        index = int(number)
    except ValueError:
        raise ApiError(400, "invalidPageToken") from None
    if chat_id != chat.id or not 0 <= index <= len(chat.messages):
        raise ApiError(400, "invalidPageToken")
    return index


def _complete(snippet_type: str, details: Json) -> Json:
    """Fill the derived fields a scenario or test may leave out (display string, tier)."""
    if snippet_type in {"superChatEvent", "superStickerEvent", "fanFundingEvent"}:
        micros, currency = int(details.get("amountMicros", 0)), str(details.get("currency", "USD"))
        details = {
            "tier": super_chat_tier(micros, currency),
            "amountMicros": str(micros),
            "currency": currency,
            "amountDisplayString": amount_display(micros, currency),
        } | details
        if snippet_type == "fanFundingEvent":
            details.pop("tier")
        details["amountMicros"] = str(details["amountMicros"])
    return details


# Resources, filtered to the requested parts


def filter_parts(resource: Json, parts: Collection[str]) -> Json:
    """Keep ``kind``, ``etag``, ``id`` and the requested parts of `resource`."""
    return {k: v for k, v in resource.items() if k in {"kind", "etag", "id"} or k in parts}


def video_resource(video: Video, parts: Collection[str]) -> Json:
    """Return a ``youtube#video`` with the snippet and liveStreamingDetails parts."""
    resource: Json = {"kind": "youtube#video", "id": video.id, "snippet": _video_snippet(video)}
    if video.started_at is not None:
        resource["liveStreamingDetails"] = _streaming_details(video)
    resource["etag"] = etag(resource)
    return filter_parts(resource, parts)


def _video_snippet(video: Video) -> Json:
    """Return the snippet a video and a search result for it share."""
    return {
        "publishedAt": rfc3339(video.published_at),
        "channelId": video.channel.id,
        "title": video.title,
        "description": "",
        "thumbnails": {"default": _THUMB},
        "channelTitle": video.channel.title,
        "liveBroadcastContent": "live" if video.live else "none",
    }


def _streaming_details(video: Video) -> Json:
    assert video.started_at is not None
    details: Json = {
        "actualStartTime": rfc3339(video.started_at),
        "scheduledStartTime": rfc3339(video.started_at),
    }
    if video.scheduled_end_at is not None:
        details["scheduledEndTime"] = rfc3339(video.scheduled_end_at)
    if video.ended_at is not None:
        details["actualEndTime"] = rfc3339(video.ended_at)
    elif video.chat is not None:
        details["concurrentViewers"] = "1"
        details["activeLiveChatId"] = video.chat.id
    return details


def channel_resource(channel: Channel, parts: Collection[str]) -> Json:
    """Return a ``youtube#channel`` with the snippet and contentDetails parts."""
    resource: Json = {
        "kind": "youtube#channel",
        "id": channel.id,
        "snippet": {
            "title": channel.title,
            "description": "",
            "customUrl": channel.handle.lower(),
            "publishedAt": rfc3339(channel.created_at),
            "thumbnails": {"default": _THUMB},
        },
        "contentDetails": {"relatedPlaylists": {"likes": "", "uploads": channel.uploads}},
    }
    resource["etag"] = etag(resource)
    return filter_parts(resource, parts)


def playlist_item_resource(video: Video, position: int, parts: Collection[str]) -> Json:
    """Return a ``youtube#playlistItem`` of the uploads playlist."""
    channel = video.channel
    resource: Json = {
        "kind": "youtube#playlistItem",
        "id": base64.urlsafe_b64encode(f"{channel.uploads}.{video.id}".encode()).decode(),
        "snippet": {
            "publishedAt": rfc3339(video.published_at),
            "channelId": channel.id,
            "title": video.title,
            "description": "",
            "thumbnails": {"default": _THUMB},
            "channelTitle": channel.title,
            "playlistId": channel.uploads,
            "position": position,
            "resourceId": {"kind": "youtube#video", "videoId": video.id},
            "videoOwnerChannelTitle": channel.title,
            "videoOwnerChannelId": channel.id,
        },
        "contentDetails": {
            "videoId": video.id,
            "videoPublishedAt": rfc3339(video.published_at),
        },
    }
    resource["etag"] = etag(resource)
    return filter_parts(resource, parts)


def broadcast_resource(video: Video, parts: Collection[str]) -> Json:
    """Return a ``youtube#liveBroadcast`` for a video that streamed."""
    assert video.started_at is not None and video.chat is not None
    snippet: Json = {
        "publishedAt": rfc3339(video.published_at),
        "channelId": video.channel.id,
        "title": video.title,
        "description": "",
        "thumbnails": {"default": _THUMB},
        "scheduledStartTime": rfc3339(video.started_at),
        "actualStartTime": rfc3339(video.started_at),
        "isDefaultBroadcast": False,
        "liveChatId": video.chat.id,
    }
    if video.scheduled_end_at is not None:
        snippet["scheduledEndTime"] = rfc3339(video.scheduled_end_at)
    if video.ended_at is not None:
        snippet["actualEndTime"] = rfc3339(video.ended_at)
    resource: Json = {
        "kind": "youtube#liveBroadcast",
        "id": video.id,
        "snippet": snippet,
        "status": {
            "lifeCycleStatus": "live" if video.live else "complete",
            "privacyStatus": "public",
            "recordingStatus": "recording" if video.live else "recorded",
            "madeForKids": False,
            "selfDeclaredMadeForKids": False,
        },
        "contentDetails": {"enableAutoStart": True, "enableAutoStop": True},
    }
    resource["etag"] = etag(resource)
    return filter_parts(resource, parts)


def search_result(video: Video) -> Json:
    """Return a ``youtube#searchResult`` for a live video."""
    resource: Json = {
        "kind": "youtube#searchResult",
        "id": {"kind": "youtube#video", "videoId": video.id},
        "snippet": _video_snippet(video),
    }
    resource["etag"] = etag(resource)
    return resource
