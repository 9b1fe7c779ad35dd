"""Finding a creator's live broadcast and its ``liveChatId``, by the cheapest path available.

=======================  =========================================================  ======
credentials / config     calls, per check                                           units
=======================  =========================================================  ======
option ``video_id``      ``videos.list`` (liveStreamingDetails)                      1
OAuth                    ``liveBroadcasts.list`` (``broadcastStatus=active``)        1
API key                  ``playlistItems.list`` (the channel's uploads, newest 5)    2
                         + ``videos.list`` of those ids
API key, fallback        ``search.list`` (``eventType=live``) + ``videos.list``      101
=======================  =========================================================  ======

The uploads playlist is learned once per connector with ``channels.list`` (1 unit; by
``forHandle`` for an @handle). ``search.list`` is used only when the creator's config allows it
(``search_fallback``), when the cheap path found nothing, at most once per
``search_interval_seconds``, and only from the budget outside the send reserve. Discovery calls
may use the reserve otherwise: finding the stream matters more than a later send.

A video counts as live when it has an ``activeLiveChatId`` and no ``actualEndTime``. Chats this
connector saw end are never bound again, even while YouTube still lists them as active.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from streamsuites.connectors.youtube.models import (
    decode_broadcasts,
    decode_channels,
    decode_playlist_items,
    decode_search,
    decode_videos,
)

if TYPE_CHECKING:
    from collections.abc import Collection
    from datetime import datetime

    from streamsuites.connectors.youtube.client import YouTubeApi
    from streamsuites.connectors.youtube.config import YouTubeConfig

__all__ = ["Discovery", "LiveChat"]

_RECENT_UPLOADS = 5


@dataclass(frozen=True, slots=True)
class LiveChat:
    """A live broadcast with an open chat."""

    live_chat_id: str
    video_id: str
    title: str
    channel_id: str
    planned_seconds: float | None = None
    """From the actual start to the scheduled end, when the broadcast has a schedule."""
    started_at: float | None = None
    """When the stream actually started (epoch seconds), if the platform says."""


class Discovery:
    """Looks for the live chat to follow; keeps what it learned (the uploads playlist)."""

    def __init__(self, config: YouTubeConfig) -> None:
        self._config = config
        self._uploads: str | None = None
        self._channel_id = config.channel_id
        self._last_search: float | None = None

    @property
    def path(self) -> str:
        """The discovery path these credentials and settings use, for status messages."""
        if self._config.video_id:
            return "videos.list"
        return "liveBroadcasts.list" if self._config.oauth else "uploads playlist"

    async def find(self, api: YouTubeApi, now: float, *, ended: Collection[str]) -> LiveChat | None:
        """Return the live chat to follow, or None if nothing is live (skipping `ended` chats)."""
        config = self._config
        if config.video_id:
            return await self._live_video(api, [config.video_id], ended)
        if config.oauth is not None:
            return await self._own_broadcast(api, ended)
        found = await self._live_video(api, await self._recent_uploads(api), ended)
        if found is None and self._may_search(now):
            self._last_search = now
            found = await self._live_video(api, await self._search(api), ended)
        return found

    async def _own_broadcast(self, api: YouTubeApi, ended: Collection[str]) -> LiveChat | None:
        params = {"part": "id,snippet,status", "broadcastStatus": "active", "broadcastType": "all"}
        page = decode_broadcasts(
            await api.get(
                "liveBroadcasts.list", "youtube/v3/liveBroadcasts", params, reserve_ok=True
            )
        )
        for item in page.items:
            snippet = item.snippet
            if snippet is None or not snippet.live_chat_id or snippet.live_chat_id in ended:
                continue
            if snippet.actual_end_time is not None:
                continue
            return LiveChat(
                snippet.live_chat_id,
                item.id,
                snippet.title or "",
                snippet.channel_id or self._channel_id or "",
                _planned(snippet.actual_start_time, snippet.scheduled_end_time),
                _epoch(snippet.actual_start_time),
            )
        return None

    async def _recent_uploads(self, api: YouTubeApi) -> list[str]:
        uploads = self._uploads or await self._uploads_playlist(api)
        if uploads is None:
            return []
        params = {
            "part": "contentDetails",
            "playlistId": uploads,
            "maxResults": str(_RECENT_UPLOADS),
        }
        page = decode_playlist_items(
            await api.get("playlistItems.list", "youtube/v3/playlistItems", params, reserve_ok=True)
        )
        return [
            i.content_details.video_id
            for i in page.items
            if i.content_details is not None and i.content_details.video_id
        ]

    async def _uploads_playlist(self, api: YouTubeApi) -> str | None:
        params = {"part": "id,contentDetails"}
        if self._channel_id:
            params["id"] = self._channel_id
        else:
            params["forHandle"] = self._config.handle or ""
        page = decode_channels(
            await api.get("channels.list", "youtube/v3/channels", params, reserve_ok=True)
        )
        for item in page.items:
            details = item.content_details
            related = details.related_playlists if details is not None else None
            if related is not None and related.uploads:
                self._channel_id = item.id
                self._uploads = related.uploads
                return self._uploads
        return None

    def _may_search(self, now: float) -> bool:
        if not self._config.search_fallback or not self._channel_id:
            return False
        last = self._last_search
        return last is None or now - last >= self._config.search_interval_seconds

    async def _search(self, api: YouTubeApi) -> list[str]:
        params = {
            "part": "id",
            "channelId": self._channel_id or "",
            "eventType": "live",
            "type": "video",
            "maxResults": "5",
        }
        page = decode_search(await api.get("search.list", "youtube/v3/search", params))
        return [i.id.video_id for i in page.items if i.id is not None and i.id.video_id]

    async def _live_video(
        self, api: YouTubeApi, video_ids: list[str], ended: Collection[str]
    ) -> LiveChat | None:
        if not video_ids:
            return None
        params = {"part": "id,snippet,liveStreamingDetails", "id": ",".join(video_ids)}
        page = decode_videos(
            await api.get("videos.list", "youtube/v3/videos", params, reserve_ok=True)
        )
        for video in page.items:
            details = video.live_streaming_details
            if details is None or not details.active_live_chat_id:
                continue
            if details.actual_end_time is not None or details.active_live_chat_id in ended:
                continue
            snippet = video.snippet
            title = snippet.title if snippet is not None and snippet.title else ""
            channel = snippet.channel_id if snippet is not None and snippet.channel_id else ""
            return LiveChat(
                details.active_live_chat_id,
                video.id,
                title,
                channel or self._channel_id or "",
                _planned(details.actual_start_time, details.scheduled_end_time),
                _epoch(details.actual_start_time),
            )
        return None


def _epoch(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


def _planned(start: datetime | None, end: datetime | None) -> float | None:
    """Return the seconds from `start` to the scheduled `end`, when both are known and in order."""
    if start is None or end is None or end <= start:
        return None
    return (end - start).total_seconds()
