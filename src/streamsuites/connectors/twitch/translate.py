"""Twitch IRC messages → normalized events. Pure: the only module that reads Twitch's tags.

One small function per IRC command, registered in :data:`_COMMANDS`; USERNOTICE dispatches
again on its ``msg-id`` through :data:`_USERNOTICES`. What each kind becomes:

* PRIVMSG → :class:`ChatMessage` (``/me`` sets ``is_action``, ``first-msg=1`` sets
  ``first_message``, ``reply-parent-*`` tags give ``reply_to``), or :class:`PaidSupport`
  (``support_type="bits"``) when it carries a ``bits`` tag.
* USERNOTICE ``sub``/``resub``/``subgift``/``anonsubgift``/``submysterygift``/
  ``anonsubmysterygift`` → :class:`Membership`; ``raid`` → :class:`StreamState`; any other
  ``msg-id`` (``announcement``, ``giftpaidupgrade``, ``bitsbadgetier``, …) → an info
  :class:`SystemEvent` whose code is the ``msg-id`` and whose text is the user's message, or
  Twitch's ``system-msg`` when there is none.
* CLEARCHAT → :class:`Moderation` ``timeout`` (with ``ban-duration``), ``ban`` (a target, no
  duration) or ``chat_cleared`` (no target); CLEARMSG → ``message_deleted``.
* ROOMSTATE → info :class:`SystemEvent` code ``roomstate``, text the modes present
  (``slow=30 subs-only=1``); NOTICE → :class:`SystemEvent` coded by its ``msg-id`` (``notice``
  without one), level warning for ``msg_*`` ids (a message was refused) and id-less notices,
  else info; RECONNECT → info :class:`SystemEvent` code ``reconnect``.
* USERSTATE, GLOBALUSERSTATE, PING, JOIN, CAP, numerics and unknown commands → no event. The
  connector reads the bot's own roles from USERSTATE with :func:`user_roles`.

Event ids are ``twitch:<id tag>`` where Twitch gives one, else a content hash of the channel,
command, ``tmi-sent-ts`` (or receive time) and what identifies the item.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final

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
    from_epoch_ms,
    native_event_id,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from streamsuites.connectors.twitch.protocol import IrcMessage
    from streamsuites.events import Event

__all__ = ["fragments", "translate", "user_roles"]

_log = logging.getLogger("streamsuites.twitch")

_BADGE_ROLES: Final = {
    "broadcaster": "broadcaster",
    "moderator": "moderator",
    "vip": "vip",
    "subscriber": "subscriber",
    "founder": "subscriber",
    "staff": "staff",
    "admin": "staff",
    "global_mod": "staff",
}
_USER_TYPE_ROLES: Final = {"mod": "moderator", "staff": "staff", "admin": "staff"}
_ROOM_MODES: Final = ("emote-only", "followers-only", "r9k", "slow", "subs-only")
_ACTION_PREFIX: Final = "\x01ACTION "
_MAX_UNKNOWN_LOGGED: Final = 256
_unknown_logged: set[str] = set()

Common = dict[str, Any]
"""The fields every event of one message shares (creator, channel, times, raw line)."""


def translate(msg: IrcMessage, *, creator_id: str, received_at: datetime) -> list[Event]:
    """Return the events `msg` makes: none for lines that are not events (PING, JOIN, …)."""
    handler = _COMMANDS.get(msg.command)
    if handler is None:
        _log_unknown(msg.command)
        return []
    event = handler(msg, _common(msg, creator_id, received_at))
    return [] if event is None else [event]


def user_roles(msg: IrcMessage) -> tuple[str, ...]:
    """Return the roles the tags of `msg` grant (USERSTATE: the bot's own roles in a channel)."""
    tags = msg.tags
    return _roles(
        tags.get("badges", ""),
        tags.get("mod", ""),
        "vip" in tags,
        tags.get("subscriber", ""),
        tags.get("user-type", ""),
    )


def _log_unknown(kind: str) -> None:
    if kind not in _unknown_logged and len(_unknown_logged) < _MAX_UNKNOWN_LOGGED:
        _unknown_logged.add(kind)
        _log.debug("twitch: no event for %r lines", kind)


def _common(msg: IrcMessage, creator_id: str, received_at: datetime) -> Common:
    sent = msg.tags.get("tmi-sent-ts", "")
    return {
        "creator_id": creator_id,
        "platform": "twitch",
        "channel": _channel(msg),
        "occurred_at": from_epoch_ms(int(sent)) if sent.isdigit() else received_at,
        "received_at": received_at,
        "raw": msg.line,
    }


def _channel(msg: IrcMessage) -> str:
    target = msg.params[0] if msg.params else ""
    return target[1:] if target[:1] == "#" else ""


def _event_id(msg: IrcMessage, common: Common, *parts: str) -> str:
    native = msg.tags.get("id")
    if native:
        return native_event_id("twitch", native)
    when = msg.tags.get("tmi-sent-ts") or common["received_at"].isoformat()
    return content_event_id("twitch", common["channel"], msg.command, when, *parts)


@lru_cache(maxsize=4096)
def _roles(badges: str, mod: str, vip: bool, subscriber: str, user_type: str) -> tuple[str, ...]:
    # Cached: a channel's chatters share a handful of badge sets.
    roles = {_BADGE_ROLES.get(badge.partition("/")[0], "") for badge in badges.split(",")}
    roles.add(_USER_TYPE_ROLES.get(user_type, ""))
    if mod == "1":
        roles.add("moderator")
    if vip:
        roles.add("vip")
    if subscriber == "1":
        roles.add("subscriber")
    roles.discard("")
    return tuple(sorted(roles))


def _author(msg: IrcMessage) -> Author:
    tags = msg.tags
    badges = tags.get("badges", "")
    return Author(
        id=tags.get("user-id", ""),
        login=tags.get("login") or msg.nick,
        display_name=tags.get("display-name", ""),
        roles=user_roles(msg),
        badges=tuple(badges.split(",")) if badges else (),
        color=tags.get("color") or None,
    )


def _body(msg: IrcMessage) -> tuple[str, bool]:
    text = msg.params[1] if len(msg.params) > 1 else ""
    if text.startswith(_ACTION_PREFIX):
        return text[len(_ACTION_PREFIX) :].removesuffix("\x01"), True
    return text, False


def fragments(text: str, emotes: str) -> tuple[Fragment, ...]:
    """Split `text` into text and emote runs from an ``emotes`` tag (code point ranges).

    A tag that does not fit the text gives one text run instead of an error.
    """
    if not emotes:
        return (Fragment(text=text),) if text else ()
    try:
        ranges = sorted(_emote_ranges(emotes))
    except ValueError:
        return (Fragment(text=text),)
    return _split_runs(text, ranges) or (Fragment(text=text),)


def _emote_ranges(emotes: str) -> list[tuple[int, int, str]]:
    ranges = []
    for entry in emotes.split("/"):
        emote_id, _, spans = entry.partition(":")
        for span in spans.split(","):
            start, _, end = span.partition("-")
            ranges.append((int(start), int(end), emote_id))
    return ranges


def _split_runs(text: str, ranges: list[tuple[int, int, str]]) -> tuple[Fragment, ...]:
    runs: list[Fragment] = []
    position = 0
    for start, end, emote_id in ranges:
        if start < position or end < start or end >= len(text):
            return ()
        if start > position:
            runs.append(Fragment(text=text[position:start]))
        runs.append(Fragment(text=text[start : end + 1], emote_id=emote_id))
        position = end + 1
    if position < len(text):
        runs.append(Fragment(text=text[position:]))
    return tuple(runs)


def _reply_to(tags: dict[str, str]) -> ReplyTo | None:
    parent = tags.get("reply-parent-msg-id")
    if not parent:
        return None
    return ReplyTo(
        message_id=parent,
        author_login=tags.get("reply-parent-user-login") or None,
        text=tags.get("reply-parent-msg-body") or None,
    )


def translate_privmsg(msg: IrcMessage, common: Common) -> ChatMessage | PaidSupport | None:
    """Return a chat message, or a cheer when it carries bits; None without channel and text."""
    if not common["channel"] or len(msg.params) < 2:
        return None
    tags = msg.tags
    text, is_action = _body(msg)
    fields = {
        **common,
        "event_id": _event_id(msg, common, tags.get("user-id", ""), text),
        "author": _author(msg),
        "text": text,
        "fragments": fragments(text, tags.get("emotes", "")),
        "reply_to": _reply_to(tags),
    }
    bits = tags.get("bits", "")
    if bits.isdigit():
        amount = Money(amount_micros=int(bits) * 1_000_000, currency="BITS")
        return PaidSupport(**fields, amount=amount, support_type="bits")
    return ChatMessage(**fields, is_action=is_action, first_message=tags.get("first-msg") == "1")


def translate_usernotice(msg: IrcMessage, common: Common) -> Event | None:
    """Return a sub, gift, raid or other channel notice, by its ``msg-id``."""
    kind = msg.tags.get("msg-id", "")
    if not kind:
        _log_unknown("USERNOTICE without msg-id")
        return None
    common["event_id"] = _event_id(msg, common, kind, msg.tags.get("user-id", ""))
    common["author"] = _author(msg)
    common["text"] = _body(msg)[0]
    return _USERNOTICES.get(kind, _notice_generic)(msg, common)


def _int_tag(tags: dict[str, str], key: str) -> int | None:
    value = tags.get(key, "")
    return int(value) if value.isdigit() else None


def _sub(msg: IrcMessage, common: Common) -> Membership:
    tags = msg.tags
    return Membership(
        **common,
        membership_type="new" if tags["msg-id"] == "sub" else "resub",
        tier=tags.get("msg-param-sub-plan") or None,
        months=_int_tag(tags, "msg-param-cumulative-months"),
    )


def _subgift(msg: IrcMessage, common: Common) -> Membership:
    tags = msg.tags
    recipient = Author(
        id=tags.get("msg-param-recipient-id", ""),
        login=tags.get("msg-param-recipient-user-name", ""),
        display_name=tags.get("msg-param-recipient-display-name", ""),
    )
    return Membership(
        **common,
        membership_type="gift",
        tier=tags.get("msg-param-sub-plan") or None,
        months=_int_tag(tags, "msg-param-months"),
        gift_count=1,
        recipient=recipient,
    )


def _mystery_gift(msg: IrcMessage, common: Common) -> Membership:
    return Membership(
        **common,
        membership_type="gift_bundle",
        tier=msg.tags.get("msg-param-sub-plan") or None,
        gift_count=_int_tag(msg.tags, "msg-param-mass-gift-count"),
    )


def _raid(msg: IrcMessage, common: Common) -> StreamState:
    return StreamState(**common, state="raid", viewers=_int_tag(msg.tags, "msg-param-viewerCount"))


def _notice_generic(msg: IrcMessage, common: Common) -> SystemEvent:
    common["text"] = common["text"] or msg.tags.get("system-msg", "")
    return SystemEvent(**common, level="info", code=msg.tags["msg-id"])


def translate_clearchat(msg: IrcMessage, common: Common) -> Moderation:
    """Return a timeout (``ban-duration`` given), a ban, or chat cleared (no target)."""
    tags = msg.tags
    login = msg.params[1] if len(msg.params) > 1 else ""
    target_id = tags.get("target-user-id", "")
    common["event_id"] = _event_id(msg, common, target_id, login)
    if not login:
        return Moderation(**common, action="chat_cleared")
    duration = _int_tag(tags, "ban-duration")
    return Moderation(
        **common,
        action="ban" if duration is None else "timeout",
        target=Author(id=target_id, login=login),
        duration_seconds=duration,
    )


def translate_clearmsg(msg: IrcMessage, common: Common) -> Moderation:
    """Return a deleted message; Twitch names its author by login only (the target id is empty)."""
    tags = msg.tags
    target_message = tags.get("target-msg-id", "")
    common["event_id"] = _event_id(msg, common, target_message)
    login = tags.get("login", "")
    return Moderation(
        **common,
        action="message_deleted",
        target=Author(id="", login=login) if login else None,
        target_message_id=target_message or None,
        text=msg.params[1] if len(msg.params) > 1 else "",
    )


def translate_roomstate(msg: IrcMessage, common: Common) -> SystemEvent:
    """Return the room's chat modes (all on join, then only the one that changed)."""
    modes = " ".join(f"{mode}={msg.tags[mode]}" for mode in _ROOM_MODES if mode in msg.tags)
    common["event_id"] = _event_id(msg, common, modes)
    return SystemEvent(**common, level="info", code="roomstate", text=modes)


def translate_notice(msg: IrcMessage, common: Common) -> SystemEvent:
    """Return a server notice: a refused message (``msg_*``), a mode change, a login failure."""
    code = msg.tags.get("msg-id", "")
    text = msg.trailing if len(msg.params) > 1 else ""
    common["event_id"] = _event_id(msg, common, code, text)
    warn = not code or code.startswith("msg_")
    return SystemEvent(
        **common, level="warning" if warn else "info", code=code or "notice", text=text
    )


def translate_reconnect(msg: IrcMessage, common: Common) -> SystemEvent:
    """Return the notice that Twitch restarts this server: the connector should reconnect."""
    common["event_id"] = _event_id(msg, common)
    return SystemEvent(**common, level="info", code="reconnect")


_COMMANDS: Final[dict[str, Callable[[IrcMessage, Common], Event | None]]] = {
    "PRIVMSG": translate_privmsg,
    "USERNOTICE": translate_usernotice,
    "CLEARCHAT": translate_clearchat,
    "CLEARMSG": translate_clearmsg,
    "ROOMSTATE": translate_roomstate,
    "NOTICE": translate_notice,
    "RECONNECT": translate_reconnect,
}

_USERNOTICES: Final[dict[str, Callable[[IrcMessage, Common], Event]]] = {
    "sub": _sub,
    "resub": _sub,
    "subgift": _subgift,
    "anonsubgift": _subgift,
    "submysterygift": _mystery_gift,
    "anonsubmysterygift": _mystery_gift,
    "raid": _raid,
}
