"""Typed shapes of the YouTube Data API v3 bodies the connector reads, and their decoders.

The names and fields follow the discovery document (``youtube.v3.discovery.json``): each
struct is one schema there, trimmed to the fields we use. Decoding is typed (msgspec), so a body
of the wrong shape fails at once with a :class:`msgspec.ValidationError` that names the JSON path
(``$.items[0].snippet.publishedAt``), instead of a ``KeyError`` somewhere downstream.

Three choices keep the decoding tolerant where YouTube is allowed to change and strict where a
wrong value would mislead:

* Unknown fields are ignored and almost every field is optional, because Google adds fields
  and leaves out empty ones.
* ``snippet.type`` and other enums are plain strings: a message type added next year must
  still decode, so the translator can turn it into a visible "unknown type" event rather than
  losing the whole page.
* 64-bit integers (``amountMicros``, ``banDurationSeconds``, ``tally``, ``concurrentViewers``)
  arrive as JSON strings. They stay strings here and are converted where they are used (see
  :func:`streamsuites.connectors.youtube.translate.parse_uint`), so one odd value spoils one
  message, not the page. Times must carry an offset, as RFC 3339 requires.

Error bodies are different: :func:`decode_error` never raises, since an error is already being
handled when it is read, and a proxy's HTML page must not hide the HTTP status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Final

import msgspec

__all__ = [
    "ApiError",
    "AuthorDetails",
    "Channel",
    "ChannelContentDetails",
    "ChannelListResponse",
    "ChannelProfileDetails",
    "ChannelSnippet",
    "FanFundingEventDetails",
    "GiftDetails",
    "GiftMembershipReceivedDetails",
    "LiveBroadcast",
    "LiveBroadcastListResponse",
    "LiveBroadcastSnippet",
    "LiveBroadcastStatus",
    "LiveChatMessage",
    "LiveChatMessageListResponse",
    "LiveChatMessageSnippet",
    "MemberMilestoneChatDetails",
    "MembershipGiftingDetails",
    "MessageDeletedDetails",
    "MessageRetractedDetails",
    "NewSponsorDetails",
    "PageInfo",
    "PlaylistItem",
    "PlaylistItemContentDetails",
    "PlaylistItemListResponse",
    "PlaylistItemSnippet",
    "PollDetails",
    "PollMetadata",
    "PollOption",
    "RelatedPlaylists",
    "ResourceId",
    "SearchListResponse",
    "SearchResult",
    "SuperChatDetails",
    "SuperStickerDetails",
    "SuperStickerMetadata",
    "TextMessageDetails",
    "TokenResponse",
    "UserBannedDetails",
    "Video",
    "VideoListResponse",
    "VideoLiveStreamingDetails",
    "VideoSnippet",
    "decode_broadcasts",
    "decode_channels",
    "decode_chat_page",
    "decode_error",
    "decode_message",
    "decode_playlist_items",
    "decode_search",
    "decode_token",
    "decode_videos",
    "to_builtins",
]

Time = Annotated[datetime, msgspec.Meta(tz=True)]
"""An RFC 3339 time; one without an offset is refused, since it names no instant."""

_ERROR_TEXT_LIMIT: Final = 500


class _Model(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, rename="camel"):
    """Base of every API struct: camelCase on the wire, snake_case in Python."""


class PageInfo(_Model, frozen=True):
    """Paging totals (``PageInfo``)."""

    total_results: int | None = None
    results_per_page: int | None = None


class _ListResponse(_Model, frozen=True):
    kind: str | None = None
    etag: str | None = None
    next_page_token: str | None = None
    page_info: PageInfo | None = None


# --- liveChatMessages ------------------------------------------------------------------------


class AuthorDetails(_Model, frozen=True):
    """Who wrote a chat message (``LiveChatMessageAuthorDetails``)."""

    channel_id: str | None = None
    channel_url: str | None = None
    display_name: str | None = None
    profile_image_url: str | None = None
    is_verified: bool = False
    is_chat_owner: bool = False
    is_chat_sponsor: bool = False
    """A channel member ("sponsor" is YouTube's old word for it)."""
    is_chat_moderator: bool = False


class ChannelProfileDetails(_Model, frozen=True):
    """A channel named inside a message, e.g. the banned user."""

    channel_id: str | None = None
    channel_url: str | None = None
    display_name: str | None = None
    profile_image_url: str | None = None


class TextMessageDetails(_Model, frozen=True):
    """``textMessageEvent``: the message as the user typed it."""

    message_text: str | None = None


class SuperChatDetails(_Model, frozen=True):
    """``superChatEvent``; ``amount_micros`` is a uint64 sent as a string."""

    amount_micros: str | None = None
    currency: str | None = None
    amount_display_string: str | None = None
    user_comment: str | None = None
    tier: int | None = None


class SuperStickerMetadata(_Model, frozen=True):
    """Which sticker a Super Sticker shows."""

    sticker_id: str | None = None
    alt_text: str | None = None
    alt_text_language: str | None = None


class SuperStickerDetails(_Model, frozen=True):
    """``superStickerEvent``; ``amount_micros`` is a uint64 sent as a string."""

    amount_micros: str | None = None
    currency: str | None = None
    amount_display_string: str | None = None
    tier: int | None = None
    super_sticker_metadata: SuperStickerMetadata | None = None


class FanFundingEventDetails(_Model, frozen=True):
    """``fanFundingEvent``, the deprecated predecessor of Super Chat."""

    amount_micros: str | None = None
    currency: str | None = None
    amount_display_string: str | None = None
    user_comment: str | None = None


class NewSponsorDetails(_Model, frozen=True):
    """``newSponsorEvent``: someone joined (or upgraded to) a membership level."""

    member_level_name: str | None = None
    is_upgrade: bool = False


class MemberMilestoneChatDetails(_Model, frozen=True):
    """``memberMilestoneChatEvent``: a member announces how long they have been one."""

    member_level_name: str | None = None
    member_month: int | None = None
    user_comment: str | None = None


class MembershipGiftingDetails(_Model, frozen=True):
    """``membershipGiftingEvent``: someone bought memberships for others."""

    gift_memberships_count: int | None = None
    gift_memberships_level_name: str | None = None


class GiftMembershipReceivedDetails(_Model, frozen=True):
    """``giftMembershipReceivedEvent``: the author received a gifted membership."""

    member_level_name: str | None = None
    gifter_channel_id: str | None = None
    associated_membership_gifting_message_id: str | None = None


class MessageDeletedDetails(_Model, frozen=True):
    """``messageDeletedEvent``: a moderator removed a message."""

    deleted_message_id: str | None = None


class MessageRetractedDetails(_Model, frozen=True):
    """``messageRetractedEvent``: the author took their message back."""

    retracted_message_id: str | None = None


class UserBannedDetails(_Model, frozen=True):
    """``userBannedEvent``; ``ban_duration_seconds`` is a uint64 string, for temporary bans."""

    banned_user_details: ChannelProfileDetails | None = None
    ban_type: str | None = None
    """``permanent`` or ``temporary``."""
    ban_duration_seconds: str | None = None


class PollOption(_Model, frozen=True):
    """One answer of a poll; ``tally`` is an int64 string."""

    option_text: str | None = None
    tally: str | None = None


class PollMetadata(_Model, frozen=True):
    """A poll's question and its options in display order."""

    question_text: str | None = None
    options: list[PollOption] = []


class PollDetails(_Model, frozen=True):
    """``pollEvent``; ``status`` is ``unknown``, ``active`` or ``closed``."""

    metadata: PollMetadata | None = None
    status: str | None = None


class GiftDetails(_Model, frozen=True):
    """``giftEvent``: a virtual gift bought with jewels."""

    gift_name: str | None = None
    gift_url: str | None = None
    alt_text: str | None = None
    language: str | None = None
    jewels_amount: int | None = None
    combo_count: int | None = None
    gift_duration: str | None = None
    has_visual_effect: bool = False


class LiveChatMessageSnippet(_Model, frozen=True):
    """What a message is: its ``type`` and exactly one details object for that type."""

    type: str = ""
    live_chat_id: str | None = None
    author_channel_id: str | None = None
    published_at: Time | None = None
    has_display_content: bool = False
    display_message: str | None = None
    text_message_details: TextMessageDetails | None = None
    super_chat_details: SuperChatDetails | None = None
    super_sticker_details: SuperStickerDetails | None = None
    fan_funding_event_details: FanFundingEventDetails | None = None
    new_sponsor_details: NewSponsorDetails | None = None
    member_milestone_chat_details: MemberMilestoneChatDetails | None = None
    membership_gifting_details: MembershipGiftingDetails | None = None
    gift_membership_received_details: GiftMembershipReceivedDetails | None = None
    message_deleted_details: MessageDeletedDetails | None = None
    message_retracted_details: MessageRetractedDetails | None = None
    user_banned_details: UserBannedDetails | None = None
    poll_details: PollDetails | None = None
    gift_details: GiftDetails | None = None


class LiveChatMessage(_Model, frozen=True):
    """One chat item (``LiveChatMessage``)."""

    kind: str | None = None
    etag: str | None = None
    id: str = ""
    snippet: LiveChatMessageSnippet | None = None
    author_details: AuthorDetails | None = None


class LiveChatMessageListResponse(_ListResponse, frozen=True):
    """One page of ``liveChatMessages.list``."""

    items: list[LiveChatMessage] = []
    polling_interval_millis: int | None = None
    offline_at: Time | None = None
    """Set once the stream has gone offline; the chat ends soon after."""
    active_poll_item: LiveChatMessage | None = None


# --- discovery: videos, channels, playlist items, broadcasts, search ------------------------


class VideoSnippet(_Model, frozen=True):
    """A video's title and owner; ``live_broadcast_content`` is ``none``/``upcoming``/``live``."""

    title: str | None = None
    channel_id: str | None = None
    live_broadcast_content: str | None = None
    published_at: Time | None = None


class VideoLiveStreamingDetails(_Model, frozen=True):
    """A broadcast's times and chat; ``active_live_chat_id`` is set only while it is live."""

    active_live_chat_id: str | None = None
    actual_start_time: Time | None = None
    actual_end_time: Time | None = None
    scheduled_start_time: Time | None = None
    scheduled_end_time: Time | None = None
    concurrent_viewers: str | None = None
    """A uint64 sent as a string."""


class Video(_Model, frozen=True):
    """One ``videos.list`` item."""

    id: str = ""
    snippet: VideoSnippet | None = None
    live_streaming_details: VideoLiveStreamingDetails | None = None


class VideoListResponse(_ListResponse, frozen=True):
    """A ``videos.list`` response."""

    items: list[Video] = []


class RelatedPlaylists(_Model, frozen=True):
    """The channel's system playlists; ``uploads`` lists its videos, newest first."""

    uploads: str | None = None
    likes: str | None = None


class ChannelContentDetails(_Model, frozen=True):
    """``ChannelContentDetails``."""

    related_playlists: RelatedPlaylists | None = None


class ChannelSnippet(_Model, frozen=True):
    """A channel's title and handle."""

    title: str | None = None
    custom_url: str | None = None


class Channel(_Model, frozen=True):
    """One ``channels.list`` item."""

    id: str = ""
    snippet: ChannelSnippet | None = None
    content_details: ChannelContentDetails | None = None


class ChannelListResponse(_ListResponse, frozen=True):
    """A ``channels.list`` response."""

    items: list[Channel] = []


class ResourceId(_Model, frozen=True):
    """A reference to a video, channel or playlist."""

    kind: str | None = None
    video_id: str | None = None
    channel_id: str | None = None
    playlist_id: str | None = None


class PlaylistItemSnippet(_Model, frozen=True):
    """When a video was added to a playlist, and which one it is."""

    published_at: Time | None = None
    title: str | None = None
    channel_id: str | None = None
    resource_id: ResourceId | None = None


class PlaylistItemContentDetails(_Model, frozen=True):
    """The video a playlist item points at."""

    video_id: str | None = None
    video_published_at: Time | None = None


class PlaylistItem(_Model, frozen=True):
    """One ``playlistItems.list`` item."""

    id: str = ""
    snippet: PlaylistItemSnippet | None = None
    content_details: PlaylistItemContentDetails | None = None


class PlaylistItemListResponse(_ListResponse, frozen=True):
    """A ``playlistItems.list`` response."""

    items: list[PlaylistItem] = []


class LiveBroadcastSnippet(_Model, frozen=True):
    """A broadcast's chat, title and times."""

    live_chat_id: str | None = None
    title: str | None = None
    channel_id: str | None = None
    actual_start_time: Time | None = None
    actual_end_time: Time | None = None
    scheduled_start_time: Time | None = None
    scheduled_end_time: Time | None = None


class LiveBroadcastStatus(_Model, frozen=True):
    """A broadcast's state; ``life_cycle_status`` is ``live`` while it streams."""

    life_cycle_status: str | None = None
    privacy_status: str | None = None


class LiveBroadcast(_Model, frozen=True):
    """One ``liveBroadcasts.list`` item."""

    id: str = ""
    snippet: LiveBroadcastSnippet | None = None
    status: LiveBroadcastStatus | None = None


class LiveBroadcastListResponse(_ListResponse, frozen=True):
    """A ``liveBroadcasts.list`` response."""

    items: list[LiveBroadcast] = []


class SearchResult(_Model, frozen=True):
    """One ``search.list`` item; ``id.video_id`` names the video found."""

    id: ResourceId | None = None


class SearchListResponse(_ListResponse, frozen=True):
    """A ``search.list`` response."""

    items: list[SearchResult] = []


# --- OAuth and errors ------------------------------------------------------------------------


class TokenResponse(msgspec.Struct, frozen=True, kw_only=True):
    """The OAuth token endpoint's answer to a refresh (snake_case on the wire)."""

    access_token: str
    expires_in: int
    """Seconds the token is valid for. Google always sends it, and without it the client could
    not plan the next refresh, so a body without it is refused."""
    token_type: str | None = None
    scope: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiError:
    """A failed call, read from Google's error envelope or the OAuth endpoint's error body."""

    status: int
    """The HTTP status."""
    code: int
    """``error.code`` (the HTTP status again, by Google's convention)."""
    message: str
    reasons: tuple[str, ...] = ()
    """``error.errors[].reason`` in order: ``quotaExceeded``, ``liveChatEnded``, …; for the
    OAuth endpoint its ``error`` (``invalid_grant``)."""
    rpc_status: str = ""
    """``error.status`` where Google sends it: ``PERMISSION_DENIED``, ``INVALID_ARGUMENT``, …"""
    detail_reasons: tuple[str, ...] = ()
    """``error.details[].reason`` (``google.rpc.ErrorInfo``), e.g. ``API_KEY_INVALID``."""

    @property
    def reason(self) -> str:
        """The first reason, or ``""`` when the body gave none."""
        return self.reasons[0] if self.reasons else ""


class _ErrorItem(msgspec.Struct, frozen=True):
    reason: str = ""
    message: str = ""


class _ErrorDetail(msgspec.Struct, frozen=True):
    reason: str = ""


class _GoogleError(msgspec.Struct, frozen=True):
    code: int | None = None
    message: str = ""
    status: str = ""
    errors: tuple[_ErrorItem, ...] = ()
    details: tuple[_ErrorDetail, ...] = ()


class _GoogleErrorBody(msgspec.Struct, frozen=True):
    error: _GoogleError


class _OAuthErrorBody(msgspec.Struct, frozen=True):
    error: str
    error_description: str = ""


def decode_error(data: bytes, status: int) -> ApiError:
    """Return the error a failed response describes; any body is accepted, even HTML."""
    try:
        body = msgspec.json.decode(data)
        if isinstance(body, dict) and isinstance(body.get("error"), str):
            return _oauth_error(msgspec.convert(body, _OAuthErrorBody), status)
        return _google_error(msgspec.convert(body, _GoogleErrorBody), status)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return ApiError(status=status, code=status, message=_body_text(data))


def _google_error(body: _GoogleErrorBody, status: int) -> ApiError:
    error = body.error
    return ApiError(
        status=status,
        code=status if error.code is None else error.code,
        message=error.message,
        reasons=tuple(item.reason for item in error.errors if item.reason),
        rpc_status=error.status,
        detail_reasons=tuple(detail.reason for detail in error.details if detail.reason),
    )


def _oauth_error(body: _OAuthErrorBody, status: int) -> ApiError:
    message = body.error_description or body.error
    return ApiError(status=status, code=status, message=message, reasons=(body.error,))


def _body_text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace").strip()[:_ERROR_TEXT_LIMIT]


# --- decoders --------------------------------------------------------------------------------

_chat_page = msgspec.json.Decoder(LiveChatMessageListResponse)
_message = msgspec.json.Decoder(LiveChatMessage)
_videos = msgspec.json.Decoder(VideoListResponse)
_channels = msgspec.json.Decoder(ChannelListResponse)
_playlist_items = msgspec.json.Decoder(PlaylistItemListResponse)
_broadcasts = msgspec.json.Decoder(LiveBroadcastListResponse)
_search = msgspec.json.Decoder(SearchListResponse)
_token = msgspec.json.Decoder(TokenResponse)


def decode_chat_page(data: bytes | str) -> LiveChatMessageListResponse:
    """Decode a ``liveChatMessages.list`` body."""
    return _chat_page.decode(data)


def decode_message(data: bytes | str) -> LiveChatMessage:
    """Decode the message ``liveChatMessages.insert`` returns."""
    return _message.decode(data)


def decode_videos(data: bytes | str) -> VideoListResponse:
    """Decode a ``videos.list`` body."""
    return _videos.decode(data)


def decode_channels(data: bytes | str) -> ChannelListResponse:
    """Decode a ``channels.list`` body."""
    return _channels.decode(data)


def decode_playlist_items(data: bytes | str) -> PlaylistItemListResponse:
    """Decode a ``playlistItems.list`` body."""
    return _playlist_items.decode(data)


def decode_broadcasts(data: bytes | str) -> LiveBroadcastListResponse:
    """Decode a ``liveBroadcasts.list`` body."""
    return _broadcasts.decode(data)


def decode_search(data: bytes | str) -> SearchListResponse:
    """Decode a ``search.list`` body."""
    return _search.decode(data)


def decode_token(data: bytes | str) -> TokenResponse:
    """Decode the OAuth token endpoint's success body."""
    return _token.decode(data)


def to_builtins(item: LiveChatMessage) -> dict[str, Any]:
    """Return `item` as plain JSON data in the API's own field names (for ``Event.raw``)."""
    raw: dict[str, Any] = msgspec.to_builtins(item)
    return raw
