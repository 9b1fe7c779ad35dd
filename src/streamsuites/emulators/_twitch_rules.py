"""What the Twitch IRC emulator decides, as pure code: logins, send limits and the tags it writes.

Nothing here does I/O; every time is an argument. The session module asks these functions and
writes what they return. The behaviour follows ``platform-protocols.md`` §1.2-1.5.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from streamsuites.connectors.twitch.protocol import IrcMessage, escape_tag_value, format_message
from streamsuites.connectors.twitch.ratelimit import (
    CHAT_LIMIT,
    CHAT_WINDOW,
    DUPLICATE_WINDOW,
    JOIN_LIMIT,
    JOIN_WINDOW,
    PRIVILEGED_CHAT_LIMIT,
    SlidingWindow,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "JOIN_DROPPED",
    "KNOWN_CAPS",
    "SERVER",
    "JoinPolicy",
    "Login",
    "LoginRefused",
    "SendPolicy",
    "decide_login",
    "format_line",
    "notice",
    "user_id",
    "user_tags",
]

SERVER: Final = "tmi.twitch.tv"
KNOWN_CAPS: Final = frozenset({"twitch.tv/tags", "twitch.tv/commands", "twitch.tv/membership"})
LOGIN_FAILED: Final = "Login authentication failed"
BAD_AUTH: Final = "Improperly formatted auth"
JOIN_DROPPED: Final = "join_ratelimit"
"""The :attr:`ClientLine.refused` of a JOIN line the JOIN limit dropped (Twitch has no msg-id)."""
_ANONYMOUS: Final = re.compile(r"justinfan\d+")
NOTICE_TEXTS: Final[Mapping[str, str]] = {
    "msg_ratelimit": "Your message was not sent because you are sending messages too quickly.",
    "msg_duplicate": (
        "Your message was not sent because it is identical to the previous one you sent,"
        " less than 30 seconds ago."
    ),
}


@dataclass(frozen=True, slots=True)
class Login:
    """An accepted login: the account's name, and the token used (None when anonymous)."""

    login: str
    token: str | None

    @property
    def anonymous(self) -> bool:
        """Whether this is a read-only ``justinfan`` login."""
        return self.token is None


@dataclass(frozen=True, slots=True)
class LoginRefused:
    """A refused login, with the NOTICE text Twitch sends before closing."""

    text: str


def decide_login(
    password: str | None, nick: str, tokens: Mapping[str, str]
) -> Login | LoginRefused:
    """Decide a login from its PASS (None if not sent) and NICK against `tokens` (token → login).

    ``justinfan<digits>`` is anonymous whatever the PASS. Otherwise a PASS must have come first
    and read ``oauth:<token>``, and the token must belong to the NICK.
    """
    nick = nick.lower()
    if _ANONYMOUS.fullmatch(nick):
        return Login(nick, None)
    if password is None or not password.startswith("oauth:"):
        return LoginRefused(BAD_AUTH)
    token = password.removeprefix("oauth:")
    if tokens.get(token) != nick:
        return LoginRefused(LOGIN_FAILED)
    return Login(nick, token)


class SendPolicy:
    """Twitch's chat limits as the server applies them: refuse, or accept and count.

    Per account: 20 PRIVMSGs in any 30 s, 100 where the account is broadcaster or moderator, and
    no text identical to the account's previous one in that channel within 30 s. A refused
    message is not counted.
    """

    __slots__ = ("_duplicate_window", "_last", "_limit", "_privileged_limit", "_window", "_windows")

    def __init__(
        self,
        *,
        limit: int = CHAT_LIMIT,
        privileged_limit: int = PRIVILEGED_CHAT_LIMIT,
        window: float = CHAT_WINDOW,
        duplicate_window: float = DUPLICATE_WINDOW,
    ) -> None:
        self._limit = limit
        self._privileged_limit = max(privileged_limit, limit)
        self._window = window
        self._duplicate_window = duplicate_window
        self._windows: dict[str, SlidingWindow] = {}
        self._last: dict[tuple[str, str], tuple[str, float]] = {}

    def check(
        self, login: str, channel: str, text: str, *, privileged: bool, now: float
    ) -> str | None:
        """Return the msg-id refusing `text` at `now`, or None after counting it as sent."""
        window = self._windows.setdefault(
            login, SlidingWindow(self._privileged_limit, self._window)
        )
        if window.delay(now, limit=self._privileged_limit if privileged else self._limit) > 0:
            return "msg_ratelimit"
        last = self._last.get((login, channel))
        if last is not None and last[0] == text and now - last[1] < self._duplicate_window:
            return "msg_duplicate"
        window.record(now)
        self._last[(login, channel)] = (text, now)
        return None


class JoinPolicy:
    """Twitch's JOIN limit as the server applies it: 20 attempts in any 10 s per account.

    Each channel of a JOIN line is one attempt. Twitch answers an attempt over the limit with
    nothing at all (clients see no JOIN echo and time out, e.g. tmi.js's "No response from
    Twitch"), so the emulator drops it without a reply. A dropped attempt is not counted.
    """

    __slots__ = ("_limit", "_window", "_windows")

    def __init__(self, *, limit: int = JOIN_LIMIT, window: float = JOIN_WINDOW) -> None:
        self._limit = limit
        self._window = window
        self._windows: dict[str, SlidingWindow] = {}

    def check(self, login: str, *, now: float) -> bool:
        """Return whether `login` may JOIN at `now`, counting the attempt if it may."""
        window = self._windows.setdefault(login, SlidingWindow(self._limit, self._window))
        if window.delay(now) > 0:
            return False
        window.record(now)
        return True


def user_id(login: str) -> str:
    """Return the stable numeric id the emulator gives `login` (a channel's is its room-id)."""
    return str(zlib.crc32(login.encode()) % 900_000_000 + 100_000_000)


def user_tags(login: str, channel: str, *, moderator: bool) -> dict[str, str]:
    """Return the user tags of `login` in `channel` (for PRIVMSG and USERSTATE)."""
    broadcaster = login == channel
    badges = "broadcaster/1" if broadcaster else "moderator/1" if moderator else ""
    return {
        "badge-info": "",
        "badges": badges,
        "color": "",
        "display-name": login,
        "mod": "1" if moderator and not broadcaster else "0",
        "subscriber": "0",
        "turbo": "0",
        "user-type": "mod" if moderator and not broadcaster else "",
    }


def notice(target: str, text: str, msg_id: str | None = None) -> IrcMessage:
    """Return a server NOTICE to `target` (``*`` before login, else ``#channel``)."""
    tags = {"msg-id": msg_id} if msg_id else {}
    return IrcMessage(tags=tags, source=SERVER, command="NOTICE", params=[target, text])


def format_line(msg: IrcMessage, *, with_tags: bool) -> str:
    """Return `msg` as Twitch writes it: every tag as ``key=value``, even an empty one."""
    bare = format_message(IrcMessage(source=msg.source, command=msg.command, params=msg.params))
    if not (with_tags and msg.tags):
        return bare
    tags = ";".join(f"{key}={escape_tag_value(value)}" for key, value in msg.tags.items())
    return f"@{tags} {bare}"


def source_of(login: str) -> str:
    """Return the IRC source Twitch gives a user: ``login!login@login.tmi.twitch.tv``."""
    return f"{login}!{login}@{login}.{SERVER}"


def userstate(channel: str, login: str, *, moderator: bool, msg_id: str = "") -> IrcMessage:
    """Return the USERSTATE for `login` in `channel` (with the id of its message, if any)."""
    tags = {**user_tags(login, channel, moderator=moderator), "emote-sets": "0"}
    if msg_id:
        tags["id"] = msg_id
    return IrcMessage(
        tags=dict(sorted(tags.items())), source=SERVER, command="USERSTATE", params=[f"#{channel}"]
    )


def join_replies(channel: str, nick: str, names: list[str], *, moderator: bool) -> list[IrcMessage]:
    """Return what follows a JOIN echo: NAMES (353, 366), USERSTATE and the full ROOMSTATE."""
    target, host = f"#{channel}", f"{nick}.{SERVER}"
    roomstate = {
        "emote-only": "0",
        "followers-only": "-1",
        "r9k": "0",
        "room-id": user_id(channel),
        "slow": "0",
        "subs-only": "0",
    }
    return [
        IrcMessage(source=host, command="353", params=[nick, "=", target, " ".join(names)]),
        IrcMessage(source=host, command="366", params=[nick, target, "End of /NAMES list"]),
        userstate(channel, nick, moderator=moderator),
        IrcMessage(tags=roomstate, source=SERVER, command="ROOMSTATE", params=[target]),
    ]


def privmsg(
    channel: str,
    login: str,
    text: str,
    *,
    moderator: bool,
    msg_id: str,
    now: float,
    extra: Mapping[str, str] | None = None,
) -> IrcMessage:
    """Return the PRIVMSG Twitch delivers for `login`'s `text`, with every tag; `extra` wins."""
    tags = user_tags(login, channel, moderator=moderator)
    tags.update(
        {
            "emotes": "",
            "first-msg": "0",
            "flags": "",
            "id": msg_id,
            "returning-chatter": "0",
            "room-id": user_id(channel),
            "tmi-sent-ts": str(int(now * 1000)),
            "user-id": user_id(login),
        }
    )
    tags.update(extra or {})
    return IrcMessage(
        tags=dict(sorted(tags.items())),
        source=source_of(login),
        command="PRIVMSG",
        params=[f"#{channel}", text],
    )
