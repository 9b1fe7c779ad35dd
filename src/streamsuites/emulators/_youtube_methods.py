"""The YouTube Data API methods the emulator answers, one function each, free of HTTP.

Each method takes a :class:`Call` (query parameters, the caller's project and OAuth grant, the
JSON body) and returns the response body, or raises :class:`ApiError` with the reason YouTube
would give. The HTTP layer (``youtube_api``) authenticates, charges quota and injects faults
around them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from streamsuites.emulators._youtube_wire import ApiError, Author, list_response, rfc3339
from streamsuites.emulators._youtube_world import (
    Channel,
    Chat,
    Video,
    broadcast_resource,
    channel_resource,
    filter_parts,
    page_index,
    page_token,
    playlist_item_resource,
    search_result,
    video_resource,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from streamsuites.clock import Clock
    from streamsuites.emulators._youtube_ledger import TokenGrant
    from streamsuites.emulators._youtube_world import World

__all__ = ["Call", "ChatSettings", "Methods"]

Json = dict[str, Any]

MAX_MESSAGE_CHARS: Final = 200
"""Longest text ``liveChatMessages.insert`` accepts (the limit commonly cited for YouTube)."""


@dataclass(slots=True)
class Call:
    """One API request as the methods see it."""

    method: str
    params: dict[str, str]
    project: str | None = None
    grant: TokenGrant | None = None
    body: Json = field(default_factory=dict)

    @property
    def parts(self) -> set[str]:
        """The requested ``part`` values; 400 when the parameter is missing."""
        return set(self.required("part").split(","))

    def required(self, name: str) -> str:
        """Return parameter `name`; 400 ``required`` when it is missing or empty."""
        value = self.params.get(name, "")
        if not value:
            raise ApiError(400, "required", f"Required parameter: {name}")
        return value

    def number(self, name: str, default: int, low: int, high: int) -> int:
        """Return integer parameter `name` clamped to [low, high]; 400 when not a number."""
        text = self.params.get(name)
        if text is None:
            return default
        try:
            return min(max(int(text), low), high)
        except ValueError:
            raise ApiError(400, "invalidParameter", f"Invalid value for {name}: {text}") from None


@dataclass(frozen=True, slots=True)
class ChatSettings:
    """How the chats behave; see :class:`~streamsuites.emulators.YouTubeApiEmulator`."""

    polling_interval_ms: int = 5000
    polling_jitter_ms: int = 0
    enforce_polling_interval: bool = True
    history: int = 20
    chat_end_grace: float = 30.0


class Methods:
    """The API methods over one :class:`World`, timed by `clock`."""

    def __init__(
        self,
        world: World,
        settings: ChatSettings,
        clock: Clock,
        owner_of: Callable[[TokenGrant], Channel | None],
        *,
        seed: int | None = 0,
    ) -> None:
        self._world = world
        self._settings = settings
        self._clock = clock
        self._owner_of = owner_of
        self._random = random.Random(seed)
        self._next_poll: dict[tuple[str, str | None], float] = {}

    # liveChatMessages

    def list_messages(self, call: Call) -> Json:
        """``liveChatMessages.list``: history first, then everything after the page token."""
        parts, size = call.parts, call.number("maxResults", 500, 200, 2000)
        chat = self._open(call.required("liveChatId"))
        self._check_pace(chat, call.project)
        token = call.params.get("pageToken")
        start = page_index(chat, token) if token else self._history_start(chat)
        items = chat.messages[start : start + size]
        end = start + len(items)
        interval = 0 if end < len(chat.messages) else self._interval()
        self._next_poll[chat.id, call.project] = self._clock.monotonic() + interval / 1000
        return self._page(chat, [filter_parts(m, parts) for m in items], end, interval)

    def _page(self, chat: Chat, items: list[Json], end: int, interval: int) -> Json:
        ended = chat.video.ended_at
        poll = chat.active_poll
        return list_response(
            "liveChatMessageListResponse",
            items,
            nextPageToken=page_token(chat, end),
            pollingIntervalMillis=interval,
            offlineAt=rfc3339(ended) if ended is not None else None,
        ) | ({"activePollItem": poll} if poll is not None else {})

    def _history_start(self, chat: Chat) -> int:
        return max(0, len(chat.messages) - self._settings.history)

    def _interval(self) -> int:
        jitter = self._settings.polling_jitter_ms
        return self._settings.polling_interval_ms + (
            self._random.randint(0, jitter) if jitter else 0
        )

    def _check_pace(self, chat: Chat, project: str | None) -> None:
        due = self._next_poll.get((chat.id, project))
        enforced = self._settings.enforce_polling_interval
        if enforced and due is not None and self._clock.monotonic() < due:
            raise ApiError(403, "rateLimitExceeded")

    def _open(self, chat_id: str) -> Chat:
        grace = self._settings.chat_end_grace
        return self._world.open_chat(chat_id, mono=self._clock.monotonic(), grace=grace)

    def insert_message(self, call: Call) -> Json:
        """``liveChatMessages.insert``: a text message from the token's channel."""
        parts = call.parts
        snippet = call.body.get("snippet")
        snippet = snippet if isinstance(snippet, dict) else {}
        chat_id, text = _insert_fields(snippet)
        chat = self._open(chat_id)
        if chat.ended_mono is not None:
            raise ApiError(403, "liveChatEnded")
        assert call.grant is not None
        author = self._author(call.grant, chat)
        details = {"messageText": text}
        self._world.post(chat, "textMessageEvent", details, author, now=self._clock.time())
        return filter_parts(chat.messages[-1], parts)

    def _author(self, grant: TokenGrant, chat: Chat) -> Author:
        channel = self._owner_of(grant)
        if channel is None:
            raise ApiError(403, "forbidden", "The token's account has no YouTube channel.")
        return Author(
            channel.title,
            channel_id=channel.id,
            owner=channel is chat.video.channel,
            verified=True,
        )

    # Discovery

    def list_videos(self, call: Call) -> Json:
        """``videos.list`` by ``id`` (comma-separated); unknown ids are left out."""
        parts, ids = call.parts, call.required("id").split(",")
        videos = [self._world.videos[i] for i in ids if i in self._world.videos]
        return list_response("videoListResponse", [video_resource(v, parts) for v in videos])

    def list_channels(self, call: Call) -> Json:
        """``channels.list`` by ``id``, ``forHandle`` or ``mine``."""
        parts = call.parts
        channels = self._channels(call)
        items = [channel_resource(c, parts) for c in channels]
        return list_response("channelListResponse", items)

    def _channels(self, call: Call) -> list[Channel]:
        params = call.params
        found: list[Channel | None]
        if "id" in params:
            found = [self._world.channels.get(i) for i in params["id"].split(",")]
        elif "forHandle" in params:
            found = [self._world.channel("@" + params["forHandle"].removeprefix("@"))]
        elif params.get("mine") == "true" and call.grant is not None:
            found = [self._owner_of(call.grant)]
        else:
            raise ApiError(400, "missingRequiredParameter", "No filter selected.")
        return [channel for channel in found if channel is not None]

    def list_playlist_items(self, call: Call) -> Json:
        """``playlistItems.list`` of a channel's uploads playlist, newest first."""
        parts, playlist = call.parts, call.required("playlistId")
        channel = next((c for c in self._world.channels.values() if c.uploads == playlist), None)
        if channel is None:
            raise ApiError(404, "playlistNotFound", "The playlist cannot be found.")
        newest = list(reversed(channel.videos))
        start, size = _offset(call), call.number("maxResults", 5, 0, 50)
        page = [
            playlist_item_resource(video, start + i, parts)
            for i, video in enumerate(newest[start : start + size])
        ]
        return _paged("playlistItemListResponse", page, start, size, len(newest))

    def list_broadcasts(self, call: Call) -> Json:
        """``liveBroadcasts.list`` of the token's channel by ``broadcastStatus``/``mine``/``id``."""
        parts, params = call.parts, call.params
        if not {"broadcastStatus", "mine", "id"} & params.keys():
            raise ApiError(400, "missingRequiredParameter", "No filter selected.")
        assert call.grant is not None
        channel = self._owner_of(call.grant)
        videos = [v for v in reversed(channel.videos) if v.chat is not None] if channel else []
        if "id" in params:
            videos = [v for v in videos if v.id in params["id"].split(",")]
        status = params.get("broadcastStatus", "all")
        videos = [v for v in videos if _status_matches(v, status)]
        size = call.number("maxResults", 5, 0, 50)
        items = [broadcast_resource(v, parts) for v in videos[:size]]
        return list_response("liveBroadcastListResponse", items, total=len(videos))

    def search(self, call: Call) -> Json:
        """``search.list`` of one channel's videos, optionally only live (``eventType``)."""
        call.required("part")  # results carry the snippet whatever the parts say
        params = call.params
        event = params.get("eventType")
        if event is not None and params.get("type") != "video":
            raise ApiError(400, "invalidSearchFilter", "eventType needs type=video.")
        channel = self._world.channels.get(params.get("channelId", ""))
        videos = list(reversed(channel.videos)) if channel is not None else []
        videos = [v for v in videos if event is None or _event_matches(v, event)]
        size = call.number("maxResults", 5, 0, 50)
        items = [search_result(v) for v in videos[:size]]
        return list_response("searchListResponse", items, total=len(videos), regionCode="US")


def _insert_fields(snippet: Json) -> tuple[str, str]:
    chat_id = snippet.get("liveChatId")
    if not isinstance(chat_id, str) or not chat_id:
        raise ApiError(400, "liveChatIdRequired", "The liveChatId is required.")
    kind = snippet.get("type")
    if not kind:
        raise ApiError(400, "typeRequired", "The snippet.type is required.")
    if kind != "textMessageEvent":
        raise ApiError(400, "invalidValue", f"Messages of type {kind} cannot be inserted.")
    details = snippet.get("textMessageDetails")
    text = details.get("messageText") if isinstance(details, dict) else None
    if not isinstance(text, str) or not text:
        raise ApiError(400, "messageTextRequired", "The message text is required.")
    if len(text) > MAX_MESSAGE_CHARS:
        raise ApiError(400, "messageTextInvalid")
    return chat_id, text


def _status_matches(video: Video, status: str) -> bool:
    if status == "active":
        return video.live
    if status == "completed":
        return not video.live
    return status != "upcoming"


def _event_matches(video: Video, event: str) -> bool:
    if event == "live":
        return video.live
    if event == "completed":
        return video.ended_at is not None
    return event != "upcoming"


def _offset(call: Call) -> int:
    token = call.params.get("pageToken")
    if token is None:
        return 0
    if not token.startswith("OFFSET") or not token[6:].isdigit():
        raise ApiError(400, "invalidPageToken")
    return int(token[6:])


def _paged(kind: str, items: list[Json], start: int, size: int, total: int) -> Json:
    after = start + len(items)
    following = f"OFFSET{after}" if after < total and size else None
    previous = f"OFFSET{max(0, start - size)}" if start else None
    return list_response(kind, items, total=total, nextPageToken=following, prevPageToken=previous)
