"""The normalized event model: what every platform's traffic becomes.

Events are frozen msgspec structs with no I/O handles. Each kind is tagged by a ``kind`` field in
its JSON form, and :func:`encode_event` is the one canonical encoding (fixed field order, sorted
keys inside ``raw``, UTC timestamps with microseconds, default values left out), so the same event
always encodes to the same bytes. ``docs/events.md`` describes every field.

Money is kept as integer micros of a currency unit (``5_000_000`` USD micros is $5.00). Twitch
bits use the pseudo-currency ``"BITS"``, so 100 bits are ``100_000_000`` BITS micros.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any, Final, Literal

import msgspec

__all__ = [
    "EVENT_KINDS",
    "PLATFORMS",
    "ROLES",
    "Author",
    "ChatMessage",
    "Event",
    "Fragment",
    "Membership",
    "Moderation",
    "Money",
    "PaidSupport",
    "ReplyTo",
    "StreamState",
    "SystemEvent",
    "content_event_id",
    "decode_event",
    "encode_event",
    "event_kind",
    "from_epoch_ms",
    "native_event_id",
]

PLATFORMS: Final = ("twitch", "youtube", "rumble", "kick", "discord", "streamsuites")
ROLES: Final = ("broadcaster", "moderator", "vip", "subscriber", "member", "verified", "staff")


class Author(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Who sent an event, as the platform describes them."""

    id: str
    login: str = ""
    display_name: str = ""
    roles: tuple[str, ...] = ()
    """Sorted subset of :data:`ROLES`."""
    badges: tuple[str, ...] = ()
    """Platform badges as ``name/version`` strings, in platform order."""
    color: str | None = None
    avatar_url: str | None = None

    def has_role(self, role: str) -> bool:
        """Return whether the author holds `role`."""
        return role in self.roles


class Fragment(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A run of message text; an emote fragment carries the emote's id (and image URL if known)."""

    text: str
    emote_id: str | None = None
    emote_url: str | None = None


class Money(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """An amount as integer micros of `currency` (ISO 4217, or ``BITS``)."""

    amount_micros: int
    currency: str
    display: str | None = None
    """The platform's own rendering, e.g. ``"$5.00"``."""


class ReplyTo(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """The message an event answers."""

    message_id: str
    author_login: str | None = None
    text: str | None = None


class _EventBase(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, tag_field="kind"):
    event_id: str
    """Stable across redeliveries: ``<platform>:<native id>``, or a content hash (see below)."""
    creator_id: str
    platform: str
    channel: str
    occurred_at: datetime
    """Platform time, aware UTC."""
    received_at: datetime
    """When our connector read it, aware UTC."""
    stream_id: str | None = None
    """The platform's broadcast or chat id, where it names one."""
    author: Author | None = None
    text: str = ""
    fragments: tuple[Fragment, ...] = ()
    amount: Money | None = None
    reply_to: ReplyTo | None = None
    backfill: bool = False
    """History read on (re)connect; kept in the log but never fires triggers."""
    raw: Any = None
    """The platform payload as received (an IRC line, a JSON object), when kept."""

    def __post_init__(self) -> None:
        # Every event passes here, so the common case (both times already UTC) is one check.
        if self.occurred_at.tzinfo is not UTC or self.received_at.tzinfo is not UTC:
            self._times_to_utc()

    def _times_to_utc(self) -> None:
        # A naive time would encode without an offset and mean different instants to different
        # readers, so it is refused; other offsets are moved to UTC to keep the encoding canonical.
        for name in ("occurred_at", "received_at"):
            moment: datetime = getattr(self, name)
            if moment.tzinfo is None:
                raise ValueError("event times must be timezone-aware (UTC)")
            if moment.tzinfo is not UTC:
                msgspec.structs.force_setattr(self, name, moment.astimezone(UTC))


class ChatMessage(_EventBase, frozen=True, kw_only=True, tag="chat_message"):
    """A chat message."""

    is_action: bool = False
    """IRC ``/me``."""
    first_message: bool = False
    """The author's first message in this channel."""


class PaidSupport(_EventBase, frozen=True, kw_only=True, tag="paid_support"):
    """Money sent with or without a message: Super Chat, Super Sticker, bits, Rumble rant."""

    support_type: Literal["superchat", "supersticker", "bits", "rant", "other"]
    tier: int | None = None
    sticker_id: str | None = None


class Membership(_EventBase, frozen=True, kw_only=True, tag="membership"):
    """A subscription or channel membership, given or received."""

    membership_type: Literal["new", "resub", "milestone", "gift", "gift_bundle", "gift_received"]
    tier: str | None = None
    """Twitch ``1000``/``2000``/``3000``/``Prime``; YouTube's level name."""
    months: int | None = None
    """Cumulative months, where the platform says."""
    gift_count: int | None = None
    recipient: Author | None = None


class Moderation(_EventBase, frozen=True, kw_only=True, tag="moderation"):
    """A moderator removed a message, banned or timed out a user, or cleared chat."""

    action: Literal["message_deleted", "ban", "timeout", "chat_cleared"]
    target: Author | None = None
    target_message_id: str | None = None
    duration_seconds: int | None = None
    reason: str | None = None


class StreamState(_EventBase, frozen=True, kw_only=True, tag="stream_state"):
    """The stream went online or offline, or a raid arrived (`author` is the raider)."""

    state: Literal["online", "offline", "raid"]
    title: str | None = None
    viewers: int | None = None


class SystemEvent(_EventBase, frozen=True, kw_only=True, tag="system"):
    """Something the platform or the runtime says about the channel (a notice, a room mode)."""

    level: Literal["info", "warning", "error"] = "info"
    code: str = ""


Event = ChatMessage | PaidSupport | Membership | Moderation | StreamState | SystemEvent

_KIND_OF: Final[dict[type, str]] = {
    kind: str(kind.__struct_config__.tag)
    for kind in (ChatMessage, PaidSupport, Membership, Moderation, StreamState, SystemEvent)
}
EVENT_KINDS: Final = tuple(_KIND_OF.values())

_encoder = msgspec.json.Encoder(order="deterministic")
_decoder = msgspec.json.Decoder(Event)


def encode_event(event: Event) -> bytes:
    """Return the canonical JSON encoding of `event`."""
    return _encoder.encode(event)


def decode_event(data: bytes | str) -> Event:
    """Decode one canonical JSON event; raises :class:`msgspec.ValidationError` on bad input."""
    event: Event = _decoder.decode(data)
    return event


def event_kind(event: Event) -> str:
    """Return the tag of `event` (``"chat_message"``, ``"membership"``, …)."""
    return _KIND_OF[type(event)]


def native_event_id(platform: str, native_id: str) -> str:
    """Return the event id for a platform that gives each item a stable id."""
    return f"{platform}:{native_id}"


def content_event_id(platform: str, *parts: str) -> str:
    """Return an event id hashed from content, for platforms that give no stable id.

    The parts should pin the item down (channel, author id, platform time, text); the same parts
    always give the same id, so a redelivered item is recognised as a duplicate.
    """
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f"{platform}:h:{digest}"


def from_epoch_ms(ms: int | float) -> datetime:
    """Return the aware UTC datetime for a platform timestamp in epoch milliseconds."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC)
