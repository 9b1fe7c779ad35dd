"""What a compiled trigger is: frozen values built once from config, read by the engine.

A trigger says *when* (its type, text match, event filter, platforms, permission, cooldowns) and
*what* (its action templates). Nothing here does I/O or holds state; the cooldown state lives in
:class:`~streamsuites.triggers.cooldowns.EngineState`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from collections.abc import Mapping

    from streamsuites.events import Author

__all__ = [
    "EVENT_SUBTYPES",
    "PERMISSION_NAMES",
    "ActionTemplate",
    "EventFilter",
    "Permission",
    "Trigger",
    "TriggerType",
    "author_permission",
]


class TriggerType(StrEnum):
    """How a trigger recognises its events."""

    COMMAND = "command"
    """The first word of a message is the command or one of its aliases (``!uptime``)."""
    KEYWORD = "keyword"
    """A keyword occurs in the message as a whole word, ignoring case."""
    REGEX = "regex"
    """An RE2 regular expression matches somewhere in the message."""
    EVENT = "event"
    """A non-text event of a listed kind (a Super Chat, a sub, a raid)."""
    CHAT_BEHAVIOUR = "chat_behaviour"
    """A ``match``/``response`` entry of chat_behaviour.json."""


class Permission(IntEnum):
    """Who may fire a trigger; each level admits every level above it."""

    EVERYONE = 0
    SUBSCRIBER = 1
    VIP = 2
    MODERATOR = 3
    BROADCASTER = 4


PERMISSION_NAMES: Final[Mapping[str, Permission]] = {
    "everyone": Permission.EVERYONE,
    "subscriber": Permission.SUBSCRIBER,
    "member": Permission.SUBSCRIBER,
    "vip": Permission.VIP,
    "moderator": Permission.MODERATOR,
    "broadcaster": Permission.BROADCASTER,
}
"""Config names of the levels; ``member`` (YouTube) and ``subscriber`` (Twitch) are one level."""

_ROLE_LEVELS: Final = (
    ("broadcaster", Permission.BROADCASTER),
    ("moderator", Permission.MODERATOR),
    ("vip", Permission.VIP),
    ("subscriber", Permission.SUBSCRIBER),
    ("member", Permission.SUBSCRIBER),
)

EVENT_SUBTYPES: Final[Mapping[str, tuple[str, ...]]] = {
    "chat_message": (),
    "paid_support": ("superchat", "supersticker", "bits", "rant", "other"),
    "membership": ("new", "resub", "milestone", "gift", "gift_bundle", "gift_received"),
    "moderation": ("message_deleted", "ban", "timeout", "chat_cleared"),
    "stream_state": ("online", "offline", "raid"),
}
"""Event kinds a trigger may name in ``events``, with the values its ``types`` may list: the
event's ``support_type``, ``membership_type``, ``action`` or ``state``."""


def author_permission(author: Author | None) -> Permission:
    """Return the highest level the roles of `author` grant (EVERYONE for no author)."""
    if author is None:
        return Permission.EVERYONE
    for role, level in _ROLE_LEVELS:
        if role in author.roles:
            return level
    return Permission.EVERYONE


@dataclass(frozen=True, slots=True)
class EventFilter:
    """One event kind a trigger fires on, optionally narrowed to some of its types."""

    kind: str
    types: frozenset[str] = frozenset()
    """Empty means every type of `kind`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionTemplate:
    """One action of a trigger; every string in `payload` is a template rendered at fire time."""

    action_type: str
    payload: Mapping[str, Any]
    """The payload as configured, each string replaced by its parsed :class:`Template`."""
    platform: str | None = None
    """Where to send; None means the platform of the event that fired the trigger."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Trigger:
    """One trigger of one creator, validated and compiled."""

    trigger_id: str
    creator_id: str
    type: TriggerType
    actions: tuple[ActionTemplate, ...]
    commands: tuple[str, ...] = ()
    """Lowercased command and aliases, for COMMAND triggers."""
    keywords: tuple[tuple[str, bool], ...] = ()
    """Normalized keywords (lowercase, single spaces), each with whether it must be whole words."""
    patterns: tuple[str, ...] = ()
    """RE2 patterns searched anywhere in the message."""
    exact: tuple[str, ...] = ()
    """Normalized texts the whole message must equal (chat_behaviour ``equals_icase``)."""
    events: tuple[EventFilter, ...] = (EventFilter("chat_message"),)
    platforms: frozenset[str] = frozenset()
    """Empty means every platform."""
    permission: Permission = Permission.EVERYONE
    cooldown_seconds: float = 0.0
    """Global: after firing, the trigger is silent for everyone for this long."""
    user_cooldown_seconds: float = 0.0
    """Per user: after firing, the same user cannot fire it again for this long."""
    enabled: bool = True
    description: str = ""

    def accepts(self, kind: str, subtype: str | None) -> bool:
        """Return whether the event filter admits an event of `kind` and `subtype`."""
        for accepted in self.events:
            if accepted.kind == kind and (not accepted.types or subtype in accepted.types):
                return True
        return False
