"""What the YouTube emulator puts on the wire: resource bodies and Google's error envelope.

Pure functions of their arguments (time comes in as `now`), so the shapes can be checked
against the discovery document without a server. The emulator's state lives elsewhere
(``_youtube_world``); this module only knows how YouTube spells things.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

__all__ = [
    "DETAILS_KEYS",
    "ApiError",
    "Author",
    "amount_display",
    "display_message",
    "error_body",
    "etag",
    "list_response",
    "live_chat_id_for",
    "rfc3339",
    "super_chat_tier",
]

Json = dict[str, Any]

DETAILS_KEYS: Final[dict[str, str | None]] = {
    "textMessageEvent": "textMessageDetails",
    "superChatEvent": "superChatDetails",
    "superStickerEvent": "superStickerDetails",
    "newSponsorEvent": "newSponsorDetails",
    "memberMilestoneChatEvent": "memberMilestoneChatDetails",
    "membershipGiftingEvent": "membershipGiftingDetails",
    "giftMembershipReceivedEvent": "giftMembershipReceivedDetails",
    "messageDeletedEvent": "messageDeletedDetails",
    "messageRetractedEvent": "messageRetractedDetails",
    "userBannedEvent": "userBannedDetails",
    "pollEvent": "pollDetails",
    "giftEvent": "giftDetails",
    "fanFundingEvent": "fanFundingEventDetails",
    "tombstone": None,
    "chatEndedEvent": None,
    "sponsorOnlyModeStartedEvent": None,
    "sponsorOnlyModeEndedEvent": None,
}
"""Each ``snippet.type`` the emulator can post → the snippet key of its details object."""

_SILENT_TYPES: Final = frozenset(
    {"messageDeletedEvent", "messageRetractedEvent", "userBannedEvent", "tombstone"}
)
"""Types YouTube sends with ``hasDisplayContent: false`` and no ``displayMessage``."""

_DOMAINS: Final = {
    "quotaExceeded": "youtube.quota",
    "rateLimitExceeded": "youtube.liveChat",
    "liveChatEnded": "youtube.liveChat",
    "liveChatDisabled": "youtube.liveChat",
    "liveChatNotFound": "youtube.liveChat",
    "messageTextInvalid": "youtube.liveChat",
    "messageTextRequired": "youtube.liveChat",
    "liveChatIdRequired": "youtube.liveChat",
    "typeRequired": "youtube.liveChat",
    "invalidPageToken": "youtube.parameter",
    "missingRequiredParameter": "youtube.parameter",
    "invalidFilters": "youtube.parameter",
    "keyInvalid": "usageLimits",
    "userRateLimitExceeded": "usageLimits",
}
"""The ``errors[].domain`` of each reason; any other reason is in ``global``."""

_MESSAGES: Final = {
    "quotaExceeded": "The request cannot be completed because you have exceeded your quota.",
    "rateLimitExceeded": "The request was sent too soon after the previous one.",
    "liveChatEnded": "The specified live chat is no longer live.",
    "liveChatDisabled": "Live chat is not enabled for the specified broadcast.",
    "liveChatNotFound": "The live chat that you are trying to retrieve cannot be found.",
    "messageTextInvalid": "The message text is not valid (it is longer than 200 characters).",
    "invalidPageToken": "The request specifies an invalid page token.",
    "keyInvalid": "API key not valid. Please pass a valid API key.",
    "authError": "Invalid Credentials",
    "required": "Login Required.",
    "forbidden": "The request is not properly authorized.",
    "backendError": "Backend Error",
}
_STATUSES: Final = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}
_SYMBOLS: Final = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "BRL": "R$"}
_NO_DECIMALS: Final = frozenset({"JPY", "KRW"})
_TIER_FLOORS: Final = (1, 2, 5, 10, 20, 50, 100)
"""Super Chat tiers 1-7 by amount in dollar-sized units: tier 1 below 2, tier 2 below 5…"""
_TIER_SCALE: Final = {"JPY": 100, "KRW": 1000, "INR": 80}
"""Currencies whose unit is far smaller than a dollar: ¥200 is a tier-2 Super Chat."""


class ApiError(Exception):
    """A request the emulator answers with Google's error envelope."""

    def __init__(self, status: int, reason: str, message: str | None = None) -> None:
        super().__init__(message or _MESSAGES.get(reason, reason))
        self.status = status
        self.reason = reason
        self.message = message or _MESSAGES.get(reason, reason)


def error_body(error: ApiError) -> Json:
    """Return the ``{"error": {...}}`` body Google sends for `error`."""
    detail: Json = {
        "message": error.message,
        "domain": _DOMAINS.get(error.reason, "global"),
        "reason": error.reason,
    }
    if error.reason in {"authError", "required"}:
        detail |= {"location": "Authorization", "locationType": "header"}
    return {
        "error": {
            "code": error.status,
            "message": error.message,
            "errors": [detail],
            "status": _STATUSES.get(error.status, "UNKNOWN"),
        }
    }


@dataclass(frozen=True, slots=True)
class Author:
    """Who posts a chat message, with the roles YouTube shows in ``authorDetails``."""

    display_name: str
    channel_id: str = ""
    """Empty: derived from the display name, so the same name is the same channel."""
    owner: bool = False
    moderator: bool = False
    member: bool = False
    verified: bool = False

    @property
    def id(self) -> str:
        """The author's channel id (``UC`` + 22 characters)."""
        return self.channel_id or channel_id_for(self.display_name)

    def details(self) -> Json:
        """Return the ``authorDetails`` object."""
        return {
            "channelId": self.id,
            "channelUrl": f"http://www.youtube.com/channel/{self.id}",
            "displayName": self.display_name,
            "profileImageUrl": f"https://yt3.ggpht.com/emulator/{self.id}/s88-c-k-no-mo-rj-c0xffffff/photo.jpg",
            "isVerified": self.verified,
            "isChatOwner": self.owner,
            "isChatSponsor": self.member,
            "isChatModerator": self.moderator,
        }

    def profile(self) -> Json:
        """Return the ``ChannelProfileDetails`` object (as a banned user is described)."""
        full = self.details()
        return {key: full[key] for key in ("channelId", "channelUrl", "displayName")} | {
            "profileImageUrl": full["profileImageUrl"]
        }


def channel_id_for(name: str) -> str:
    """Return a stable channel id for a display name: ``UC`` + 22 base64url characters."""
    return "UC" + _b64(hashlib.sha256(name.encode()).digest())[:22]


def live_chat_id_for(video_id: str) -> str:
    """Return the liveChatId of a video's chat, shaped as YouTube's (base64 of a small proto)."""
    return _b64(b"\n\r\n\x0b" + video_id.encode())


def etag(content: object) -> str:
    """Return an etag that changes when `content` does."""
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).digest()
    return _b64(digest)[:27]


def rfc3339(now: float) -> str:
    """Return `now` (epoch seconds) as YouTube writes times: UTC, milliseconds, ``Z``."""
    return datetime.fromtimestamp(now, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def list_response(
    kind: str, items: list[Json], *, total: int | None = None, **extra: object
) -> Json:
    """Return a ``youtube#…ListResponse`` body around `items`."""
    body: Json = {"kind": f"youtube#{kind}", "etag": etag(items)}
    body |= {key: value for key, value in extra.items() if value is not None}
    body["pageInfo"] = {
        "totalResults": len(items) if total is None else total,
        "resultsPerPage": len(items),
    }
    body["items"] = items
    return body


def amount_display(amount_micros: int, currency: str) -> str:
    """Return how YouTube shows an amount: ``$5.00``, ``¥200``, ``CHF 3.50``."""
    units = amount_micros / 1_000_000
    number = f"{units:,.0f}" if currency in _NO_DECIMALS else f"{units:,.2f}"
    symbol = _SYMBOLS.get(currency)
    return f"{symbol}{number}" if symbol else f"{currency} {number}"


def super_chat_tier(amount_micros: int, currency: str = "USD") -> int:
    """Return the tier (1-7) of an amount, roughly as YouTube colours Super Chats."""
    units = amount_micros / 1_000_000 / _TIER_SCALE.get(currency, 1)
    return 1 + sum(1 for floor in _TIER_FLOORS[1:] if units >= floor)


def display_message(snippet_type: str, details: Json, author: Author) -> str | None:
    """Return the ``displayMessage`` YouTube would show, or None for a type it leaves blank."""
    if snippet_type in _SILENT_TYPES:
        return None
    name = author.display_name
    match snippet_type:
        case "textMessageEvent":
            return str(details.get("messageText", ""))
        case "superChatEvent" | "fanFundingEvent":
            comment = details.get("userComment", "")
            return f'{details.get("amountDisplayString", "")} from {name}: "{comment}"'
        case "superStickerEvent":
            return f"Super Sticker {details.get('amountDisplayString', '')} from {name}"
        case "newSponsorEvent":
            return f"Welcome to {details.get('memberLevelName', 'Member')}, {name}!"
        case "memberMilestoneChatEvent":
            return str(details.get("userComment", ""))
        case "chatEndedEvent":
            return "The chat has ended."
    return f"{snippet_type} from {name}"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")
