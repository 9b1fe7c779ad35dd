"""YouTube live chat messages → normalized events. Pure: the only module that reads their fields.

One small function per ``snippet.type``, registered in :data:`_TYPES`; the full mapping, with
the reasons behind each choice, is in ``docs/platforms/youtube-events.md``. In short:

* ``textMessageEvent`` → :class:`ChatMessage`, text from ``textMessageDetails.messageText``.
* ``superChatEvent``/``superStickerEvent`` → :class:`PaidSupport` with the amount in micros;
  ``fanFundingEvent`` and ``giftEvent`` (jewels, pseudo-currency ``JEWELS``) → ``other``.
* ``newSponsorEvent``, ``memberMilestoneChatEvent``, ``membershipGiftingEvent``,
  ``giftMembershipReceivedEvent`` → :class:`Membership`.
* ``messageDeletedEvent``, ``messageRetractedEvent``, ``tombstone`` → :class:`Moderation`
  ``message_deleted``; ``userBannedEvent`` → ``ban`` or ``timeout``.
* ``chatEndedEvent`` → :class:`StreamState` offline; polls and members-only mode →
  :class:`SystemEvent`.

Nothing is dropped silently. ``invalidType`` and types this module does not know become a
warning :class:`SystemEvent` coded ``youtube_unknown_type``; a known type whose value cannot be
read (an ``amountMicros`` that is not a number) becomes one coded ``youtube_invalid_message``
that says which field is wrong. Either keeps the item's event id, so redeliveries still dedupe.

Event ids are ``youtube:<message id>``; messages a deletion points at are named the same way in
``target_message_id``, so the id of a removed message is the event id it was logged under.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Final

from streamsuites.connectors.youtube.models import (
    AuthorDetails,
    LiveChatMessageSnippet,
    PollDetails,
    PollMetadata,
    to_builtins,
)
from streamsuites.events import (
    Author,
    ChatMessage,
    Fragment,
    Membership,
    Moderation,
    Money,
    PaidSupport,
    ReplyTo,
    StreamState,
    SystemEvent,
    content_event_id,
    native_event_id,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from streamsuites.connectors.youtube.models import (
        ChannelProfileDetails,
        FanFundingEventDetails,
        LiveChatMessage,
        LiveChatMessageListResponse,
        SuperChatDetails,
        SuperStickerDetails,
    )
    from streamsuites.events import Event

    _PaidDetails = SuperChatDetails | SuperStickerDetails | FanFundingEventDetails

__all__ = [
    "CODE_INVALID",
    "CODE_POLL",
    "CODE_UNKNOWN_TYPE",
    "JEWELS",
    "InvalidMessage",
    "parse_uint",
    "translate_message",
    "translate_page",
]

CODE_UNKNOWN_TYPE: Final = "youtube_unknown_type"
CODE_INVALID: Final = "youtube_invalid_message"
CODE_POLL: Final = "youtube_poll"
JEWELS: Final = "JEWELS"
"""Pseudo-currency of YouTube's jewels, like Twitch's ``BITS``: one jewel is 1,000,000 micros."""

_UINT64_MAX: Final = 2**64 - 1
_DECIMAL: Final = re.compile(r"[0-9]{1,20}")
_NO_SNIPPET: Final = LiveChatMessageSnippet()

Common = dict[str, Any]
"""The fields every event of one message shares (creator, channel, times, author, raw item)."""


class InvalidMessage(ValueError):
    """A known message type carries a value that cannot be read; the text names the field."""


def translate_page(
    page: LiveChatMessageListResponse,
    *,
    creator_id: str,
    channel: str,
    received_at: datetime,
    stream_id: str | None = None,
    backfill: bool = False,
) -> list[Event]:
    """Return the events of a page's ``items``, in order.

    ``activePollItem`` is ignored: it repeats on every page while a poll runs, and the poll's
    changes reach the log through its ``pollEvent`` items.
    """
    events: list[Event] = []
    for item in page.items:
        events += translate_message(
            item,
            creator_id=creator_id,
            channel=channel,
            received_at=received_at,
            stream_id=stream_id,
            backfill=backfill,
        )
    return events


def translate_message(
    item: LiveChatMessage,
    *,
    creator_id: str,
    channel: str,
    received_at: datetime,
    stream_id: str | None = None,
    backfill: bool = False,
) -> list[Event]:
    """Return the events one chat item makes (always one, so nothing disappears unseen)."""
    snippet = item.snippet or _NO_SNIPPET
    common: Common = {
        "event_id": _event_id(item, snippet),
        "creator_id": creator_id,
        "platform": "youtube",
        "channel": channel,
        "occurred_at": snippet.published_at or received_at,
        "received_at": received_at,
        "stream_id": stream_id or snippet.live_chat_id,
        "author": _author(item.author_details, snippet.author_channel_id),
        "backfill": backfill,
        "raw": to_builtins(item),
    }
    handler = _TYPES.get(snippet.type, _unknown_type)
    try:
        return [handler(snippet, common)]
    except InvalidMessage as exc:
        return [_invalid(snippet, common, exc)]


def parse_uint(value: str | None, field: str) -> int:
    """Return the unsigned 64-bit integer YouTube sends as a string in `field`.

    Raises :class:`InvalidMessage` naming `field` when it is missing, not decimal, or too big.
    """
    if value is None:
        raise InvalidMessage(f"{field} is missing")
    if not _DECIMAL.fullmatch(value) or int(value) > _UINT64_MAX:
        raise InvalidMessage(f"{field} is {value!r}, not an unsigned 64-bit integer")
    return int(value)


def _event_id(item: LiveChatMessage, snippet: LiveChatMessageSnippet) -> str:
    if item.id:
        return native_event_id("youtube", item.id)
    # YouTube always sends an id; without one, hash what pins the item down so a redelivery
    # still dedupes.
    when = snippet.published_at.isoformat() if snippet.published_at else ""
    parts = (snippet.live_chat_id or "", snippet.type, snippet.author_channel_id or "", when)
    return content_event_id("youtube", *parts, snippet.display_message or "")


def _author(details: AuthorDetails | None, channel_id: str | None) -> Author | None:
    if details is None:
        return Author(id=channel_id) if channel_id else None
    return Author(
        id=details.channel_id or channel_id or "",
        display_name=details.display_name or "",
        roles=_roles(details),
        avatar_url=details.profile_image_url,
    )


def _roles(details: AuthorDetails) -> tuple[str, ...]:
    held = (
        ("broadcaster", details.is_chat_owner),
        ("moderator", details.is_chat_moderator),
        ("member", details.is_chat_sponsor),
        ("verified", details.is_verified),
    )
    # Sorted by name, as the Twitch translator sorts its roles, so equal sets encode equally.
    return tuple(sorted(role for role, has in held if has))


def _profile_author(profile: ChannelProfileDetails | None) -> Author | None:
    if profile is None or not profile.channel_id:
        return None
    return Author(
        id=profile.channel_id,
        display_name=profile.display_name or "",
        avatar_url=profile.profile_image_url,
    )


def _text(text: str | None) -> Common:
    """Return the ``text`` and ``fragments`` fields for plain text (YouTube marks up nothing)."""
    if not text:
        return {}
    return {"text": text, "fragments": (Fragment(text=text),)}


def _money(details: _PaidDetails, where: str) -> Money:
    if not details.currency:
        raise InvalidMessage(f"snippet.{where}.currency is missing")
    amount = parse_uint(details.amount_micros, f"snippet.{where}.amountMicros")
    return Money(
        amount_micros=amount,
        currency=details.currency,
        display=details.amount_display_string or None,
    )


def _message_id(native: str | None) -> str | None:
    return native_event_id("youtube", native) if native else None


# --- one function per snippet type ---------------------------------------------------------


def _text_message(snippet: LiveChatMessageSnippet, common: Common) -> ChatMessage:
    details = snippet.text_message_details
    # messageText is what the user typed; displayMessage is only a fallback for an item that
    # left the details out.
    text = details.message_text if details and details.message_text else snippet.display_message
    return ChatMessage(**common, **_text(text))


def _super_chat(snippet: LiveChatMessageSnippet, common: Common) -> PaidSupport:
    details = snippet.super_chat_details
    if details is None:
        raise InvalidMessage("snippet.superChatDetails is missing")
    return PaidSupport(
        **common,
        **_text(details.user_comment),
        amount=_money(details, "superChatDetails"),
        support_type="superchat",
        tier=details.tier,
    )


def _super_sticker(snippet: LiveChatMessageSnippet, common: Common) -> PaidSupport:
    details = snippet.super_sticker_details
    if details is None:
        raise InvalidMessage("snippet.superStickerDetails is missing")
    sticker = details.super_sticker_metadata
    return PaidSupport(
        **common,
        **_text(sticker.alt_text if sticker else None),
        amount=_money(details, "superStickerDetails"),
        support_type="supersticker",
        tier=details.tier,
        sticker_id=sticker.sticker_id if sticker else None,
    )


def _fan_funding(snippet: LiveChatMessageSnippet, common: Common) -> PaidSupport:
    details = snippet.fan_funding_event_details
    if details is None:
        raise InvalidMessage("snippet.fanFundingEventDetails is missing")
    return PaidSupport(
        **common,
        **_text(details.user_comment),
        amount=_money(details, "fanFundingEventDetails"),
        support_type="other",
    )


def _gift(snippet: LiveChatMessageSnippet, common: Common) -> PaidSupport:
    details = snippet.gift_details
    if details is None or details.jewels_amount is None:
        raise InvalidMessage("snippet.giftDetails.jewelsAmount is missing")
    if details.jewels_amount < 0:
        raise InvalidMessage(f"snippet.giftDetails.jewelsAmount is {details.jewels_amount}")
    # A combo of N gifts is N times the gift's value.
    jewels = details.jewels_amount * max(details.combo_count or 1, 1)
    return PaidSupport(
        **common,
        **_text(details.gift_name or details.alt_text),
        amount=Money(amount_micros=jewels * 1_000_000, currency=JEWELS),
        support_type="other",
    )


def _new_sponsor(snippet: LiveChatMessageSnippet, common: Common) -> Membership:
    details = snippet.new_sponsor_details
    # An upgrade comes from someone who already was a member: they renew at a higher level
    # rather than join, so "new member" greetings do not fire for them.
    upgrade = details is not None and details.is_upgrade
    return Membership(
        **common,
        membership_type="resub" if upgrade else "new",
        tier=(details.member_level_name or None) if details else None,
    )


def _member_milestone(snippet: LiveChatMessageSnippet, common: Common) -> Membership:
    details = snippet.member_milestone_chat_details
    if details is None:
        return Membership(**common, membership_type="milestone")
    return Membership(
        **common,
        **_text(details.user_comment),
        membership_type="milestone",
        tier=details.member_level_name or None,
        months=details.member_month,
    )


def _membership_gifting(snippet: LiveChatMessageSnippet, common: Common) -> Membership:
    details = snippet.membership_gifting_details
    return Membership(
        **common,
        membership_type="gift_bundle",
        tier=(details.gift_memberships_level_name or None) if details else None,
        gift_count=details.gift_memberships_count if details else None,
    )


def _gift_received(snippet: LiveChatMessageSnippet, common: Common) -> Membership:
    # The item's author is the one who received; the gifter is known by channel id only, and
    # the purchase it belongs to is linked as reply_to (the gifting message's event id).
    details = snippet.gift_membership_received_details
    recipient = common.pop("author")
    gifter = details.gifter_channel_id if details else None
    origin = _message_id(details.associated_membership_gifting_message_id if details else None)
    return Membership(
        **common,
        author=Author(id=gifter) if gifter else None,
        reply_to=ReplyTo(message_id=origin) if origin else None,
        membership_type="gift_received",
        tier=(details.member_level_name or None) if details else None,
        recipient=recipient,
    )


def _message_deleted(snippet: LiveChatMessageSnippet, common: Common) -> Moderation:
    details = snippet.message_deleted_details
    target = _message_id(details.deleted_message_id if details else None)
    return Moderation(**common, action="message_deleted", target_message_id=target)


def _message_retracted(snippet: LiveChatMessageSnippet, common: Common) -> Moderation:
    details = snippet.message_retracted_details
    target = _message_id(details.retracted_message_id if details else None)
    return Moderation(
        **common, action="message_deleted", target_message_id=target, reason="retracted"
    )


def _tombstone(snippet: LiveChatMessageSnippet, common: Common) -> Moderation:
    # A tombstone stands in the place of a message that was removed, under that message's id.
    # Its event id gets a suffix, or the log would take it for a redelivery of the message.
    target = common["event_id"]
    common["event_id"] = f"{target}:tombstone"
    return Moderation(
        **common, action="message_deleted", target_message_id=target, reason="tombstone"
    )


def _user_banned(snippet: LiveChatMessageSnippet, common: Common) -> Moderation:
    details = snippet.user_banned_details
    if details is None:
        raise InvalidMessage("snippet.userBannedDetails is missing")
    # banType decides; without one, a duration still means the ban ends.
    temporary = details.ban_type == "temporary" or (
        details.ban_type != "permanent" and details.ban_duration_seconds is not None
    )
    duration = (
        parse_uint(details.ban_duration_seconds, "snippet.userBannedDetails.banDurationSeconds")
        if temporary
        else None
    )
    return Moderation(
        **common,
        action="timeout" if temporary else "ban",
        target=_profile_author(details.banned_user_details),
        duration_seconds=duration,
    )


def _poll(snippet: LiveChatMessageSnippet, common: Common) -> SystemEvent:
    # The event model has no place for tallies: the options are the fragments, in display
    # order, and the tallies and status stay in raw.snippet.pollDetails (see the events doc).
    details = snippet.poll_details or PollDetails()
    metadata = details.metadata or PollMetadata()
    options = tuple(Fragment(text=option.option_text or "") for option in metadata.options)
    return SystemEvent(
        **common,
        text=metadata.question_text or "",
        fragments=options,
        level="info",
        code=CODE_POLL,
    )


def _chat_ended(snippet: LiveChatMessageSnippet, common: Common) -> StreamState:
    return StreamState(**common, state="offline")


def _members_only(code: str) -> Callable[[LiveChatMessageSnippet, Common], SystemEvent]:
    def translate(snippet: LiveChatMessageSnippet, common: Common) -> SystemEvent:
        return SystemEvent(**common, **_text(snippet.display_message), level="info", code=code)

    return translate


def _unknown_type(snippet: LiveChatMessageSnippet, common: Common) -> SystemEvent:
    return SystemEvent(
        **common, text=snippet.type or "(no type)", level="warning", code=CODE_UNKNOWN_TYPE
    )


def _invalid(snippet: LiveChatMessageSnippet, common: Common, exc: InvalidMessage) -> SystemEvent:
    return SystemEvent(**common, text=f"{snippet.type}: {exc}", level="warning", code=CODE_INVALID)


_TYPES: Final[dict[str, Callable[[LiveChatMessageSnippet, Common], Event]]] = {
    "textMessageEvent": _text_message,
    "superChatEvent": _super_chat,
    "superStickerEvent": _super_sticker,
    "fanFundingEvent": _fan_funding,
    "giftEvent": _gift,
    "newSponsorEvent": _new_sponsor,
    "memberMilestoneChatEvent": _member_milestone,
    "membershipGiftingEvent": _membership_gifting,
    "giftMembershipReceivedEvent": _gift_received,
    "messageDeletedEvent": _message_deleted,
    "messageRetractedEvent": _message_retracted,
    "tombstone": _tombstone,
    "userBannedEvent": _user_banned,
    "pollEvent": _poll,
    "chatEndedEvent": _chat_ended,
    "sponsorOnlyModeStartedEvent": _members_only("youtube_members_only_on"),
    "sponsorOnlyModeEndedEvent": _members_only("youtube_members_only_off"),
    # invalidType is YouTube's own "unknown": it falls through to _unknown_type.
}
