"""Twitch's send limits as pure bookkeeping: every method takes ``now``; nothing sleeps or sends.

The Twitch connector's ``Sender`` asks :meth:`ChannelLimits.next_send` before each PRIVMSG, turns
a positive delay into ``SendOutcome.retry``, and feeds every send-path NOTICE back through
:meth:`ChannelLimits.on_notice`, whose :class:`NoticeEffect` is a retry or a failure with a
reason. Nothing here ever drops a message: it says "wait", "send this text" or "fail because".

The numbers and where they come from (docs/reference: ``platform-protocols.md`` §1.4-1.5, which
cites dev.twitch.tv/docs/chat and dev.twitch.tv/docs/irc/msg-id):

- Chat: 20 PRIVMSG per sliding 30 s per user; 100 per 30 s in a channel where USERSTATE says the
  account is broadcaster or moderator (:data:`CHAT_LIMIT`, :data:`PRIVILEGED_CHAT_LIMIT`,
  :data:`CHAT_WINDOW`). The counter is per account across channels, so one account-wide
  :class:`SlidingWindow` may be shared by every :class:`ChannelLimits` of a connection; each
  channel checks it against its own limit (20 or 100). Twitch's bucket refills at an unknown phase
  (pajbot/tmi-rate-limits), hence a sliding window of the bucket size rather than a fixed one.
- JOIN: 20 per 10 s per user (:data:`JOIN_LIMIT`, :data:`JOIN_WINDOW`). Verified bots had 2,000;
  pass another limit to :class:`JoinLimiter` for those.
- Message length: 500 Unicode code points (:data:`MAX_MESSAGE_LENGTH`), counted as Twitch counts
  them: code points, not UTF-8 bytes or UTF-16 units. A Python ``str`` is a sequence of code points.
- Duplicates: a message identical to the account's previous one in the same channel within 30 s
  is refused with ``msg_duplicate`` (:data:`DUPLICATE_WINDOW`).

Strategies chosen:

- **Splitting** (:func:`split_message`): break at the last whitespace that fits; a word longer
  than the limit is hard-split, moved back so as not to separate a combining mark, variation
  selector, emoji modifier or ZWJ from its neighbour. An action (``/me …``) keeps ``/me `` on every
  part, so the whole text still reads as one action; the prefix counts toward the limit. Parts
  are sized for :data:`SEND_LENGTH` (500 minus the duplicate suffix) by :meth:`ChannelLimits.split`,
  so the suffix can always be added without passing 500.
- **Duplicates** (:class:`DuplicateGuard`): append an invisible suffix, space + U+E0000, to a text
  identical to the last one sent in the channel within the window, alternating: ``hi``,
  ``hi<suffix>``, ``hi``. Delaying would hold the whole channel queue up to 30 s behind one
  repeated reply ("!uptime" twice); the suffix costs two code points and is the long-standing
  practice of Twitch clients (e.g. dank-twitch-irc's alternate message modifier), so Twitch
  accepts it and viewers see the same text.
- **NOTICE feedback** (:meth:`ChannelLimits.on_notice`): ``msg_ratelimit`` pauses the channel for a
  full window (30 s) and retries; ``msg_slowmode`` pauses for the ROOMSTATE ``slow`` seconds (30 s
  if unknown) and retries; ``msg_duplicate`` retries after 1 s (the guard has toggled the suffix),
  or after 30 s if a second one arrives within 30 s, when the suffix evidently did not help. Every
  other send-path msg-id (banned, timed out, followers/subs/emote-only, phone or email
  verification, AutoMod…) fails with a human-readable reason. An **unknown** msg-id fails too, with
  the id in the reason: retrying a refusal we do not understand could repeat it forever, and the
  failure is visible on the dashboard. Slow mode is not applied to a privileged channel, since
  Twitch exempts broadcasters and moderators from it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from streamsuites.actions.outbox import SendOutcome
from streamsuites.connectors.text import split_text

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = [
    "CHAT_LIMIT",
    "CHAT_WINDOW",
    "DUPLICATE_SUFFIX",
    "DUPLICATE_WINDOW",
    "JOIN_LIMIT",
    "JOIN_WINDOW",
    "MAX_MESSAGE_LENGTH",
    "PRIVILEGED_CHAT_LIMIT",
    "SEND_LENGTH",
    "ChannelLimits",
    "DuplicateGuard",
    "JoinLimiter",
    "NoticeEffect",
    "SlidingWindow",
    "is_send_notice",
    "split_message",
]

CHAT_LIMIT: Final = 20
"""PRIVMSGs per :data:`CHAT_WINDOW` in a channel where the account is not broadcaster or mod."""
PRIVILEGED_CHAT_LIMIT: Final = 100
"""PRIVMSGs per :data:`CHAT_WINDOW` in a channel where the account is broadcaster or moderator."""
CHAT_WINDOW: Final = 30.0
JOIN_LIMIT: Final = 20
JOIN_WINDOW: Final = 10.0
MAX_MESSAGE_LENGTH: Final = 500
"""Twitch's limit, in Unicode code points."""
DUPLICATE_WINDOW: Final = 30.0
DUPLICATE_SUFFIX: Final = " \U000e0000"
"""Appended to every other repeat of a text; invisible in Twitch's chat."""
SEND_LENGTH: Final = MAX_MESSAGE_LENGTH - len(DUPLICATE_SUFFIX)
"""The part length :meth:`ChannelLimits.split` uses, leaving room for the suffix."""

_RATELIMIT_PAUSE: Final = CHAT_WINDOW
"""After ``msg_ratelimit`` the window is full by Twitch's count: wait until it has surely slid."""
_SLOW_MODE_FALLBACK: Final = 30.0
_DUPLICATE_RETRY: Final = 1.0
_ME: Final = "/me "

_FAIL_REASONS: Final[dict[str, str]] = {
    "msg_banned": "the bot account is banned from this channel",
    "msg_bad_characters": "the message contains characters Twitch does not allow",
    "msg_channel_blocked": "the channel's moderation settings blocked the message",
    "msg_channel_suspended": "the channel does not exist or has been suspended",
    "msg_emoteonly": "the channel is in emote-only mode",
    "msg_followersonly": "the channel is in followers-only mode",
    "msg_followersonly_followed": "followers-only mode: followed too recently",
    "msg_followersonly_zero": "the channel is in followers-only mode",
    "msg_r9k": "the channel is in unique-chat mode and the message is not unique",
    "msg_rejected": "AutoMod is holding the message for moderator review",
    "msg_rejected_mandatory": "the channel's blocked terms rejected the message",
    "msg_requires_verified_phone_number": "the channel requires a verified phone number",
    "msg_subsonly": "the channel is in subscribers-only mode",
    "msg_suspended": "the bot account is suspended",
    "msg_timedout": "the bot account is timed out in this channel",
    "msg_verified_email": "the channel requires a verified email address",
}


class SlidingWindow:
    """At most `limit` events in any `window` seconds; remembers only the last `limit` times.

    Times passed to :meth:`record` should not go backwards; one that does is recorded as the
    latest time seen, which only makes the window stricter.
    """

    __slots__ = ("_times", "_window")

    def __init__(self, limit: int, window: float) -> None:
        if window <= 0:
            raise ValueError(f"window must be positive, got {window}")
        self._window = window
        self._times: deque[float] = deque(maxlen=_checked(limit))

    @property
    def limit(self) -> int:
        """The most events allowed in one window."""
        return self._times.maxlen or 0

    @property
    def window(self) -> float:
        """The window's length in seconds."""
        return self._window

    def set_limit(self, limit: int) -> None:
        """Change the limit, keeping the most recent events (as many as the new limit)."""
        self._times = deque(self._times, maxlen=_checked(limit))

    def delay(self, now: float, *, limit: int | None = None) -> float:
        """Return 0 if an event may happen at `now`, else the seconds until one may.

        `limit` checks against a stricter limit than the window's own, as a non-moderator
        channel does on an account-wide window.
        """
        n = self._effective(limit)
        if len(self._times) < n:
            return 0.0
        return max(self._times[-n] + self._window - now, 0.0)

    def available(self, now: float, *, limit: int | None = None) -> int:
        """Return how many events may happen at `now`."""
        n = self._effective(limit)
        recent = sum(1 for t in list(self._times)[-n:] if t + self._window > now)
        return n - recent

    def record(self, now: float) -> None:
        """Note one event at `now`."""
        latest = self._times[-1] if self._times else now
        self._times.append(max(now, latest))

    def _effective(self, limit: int | None) -> int:
        if limit is None:
            return self.limit
        if not 1 <= limit <= self.limit:
            raise ValueError(f"limit must be within 1..{self.limit}, got {limit}")
        return limit


def _checked(limit: int) -> int:
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    return limit


def split_message(text: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Split `text` into non-empty parts of at most `limit` code points (see `split_text`).

    ``/me `` is repeated on every part, so each one is still an action.
    """
    text = text.strip()
    if text.startswith(_ME) and text[len(_ME) :].strip():
        return [_ME + part for part in split_text(text[len(_ME) :], limit - len(_ME))]
    return split_text(text, limit)


@dataclass(frozen=True, slots=True)
class _Sent:
    text: str
    at: float


class DuplicateGuard:
    """Keeps a repeated text from going out byte-identical within Twitch's duplicate window.

    Holds one entry per channel: the last text sent there and when.
    """

    __slots__ = ("_last", "_max_length", "_window")

    def __init__(
        self, window: float = DUPLICATE_WINDOW, *, max_length: int = MAX_MESSAGE_LENGTH
    ) -> None:
        self._window = window
        self._max_length = max_length
        self._last: dict[str, _Sent] = {}

    def prepare(self, channel: str, text: str, now: float) -> str:
        """Return the text to send: `text`, or `text` with the suffix toggled if it repeats.

        `text` must leave room for the suffix (:data:`SEND_LENGTH` by default), so the result
        never exceeds `max_length`.
        """
        if len(text) > self._max_length - len(DUPLICATE_SUFFIX):
            raise ValueError(f"text of {len(text)} code points leaves no room for the suffix")
        last = self._last.get(channel)
        if last is None or last.text != text or last.at + self._window <= now:
            return text
        return _toggled(text)

    def record(self, channel: str, sent_text: str, now: float) -> None:
        """Note that `sent_text` went out in `channel` at `now`."""
        self._last[channel] = _Sent(sent_text, now)


def _toggled(text: str) -> str:
    bare = text.removesuffix(DUPLICATE_SUFFIX)
    return bare if bare != text and bare.strip() else text + DUPLICATE_SUFFIX


def is_send_notice(msg_id: str) -> bool:
    """Whether a NOTICE msg-id answers a PRIVMSG (``msg_…``), not a room-state change."""
    return msg_id.startswith("msg_")


@dataclass(frozen=True, slots=True)
class NoticeEffect:
    """What a NOTICE means for the message it refused: retry after a delay, or fail."""

    reason: str
    retry_after: float | None = None
    """Seconds to wait before trying again; ``None`` means the message has failed for good."""

    def outcome(self) -> SendOutcome:
        """Return the outbox outcome for the refused message."""
        if self.retry_after is None:
            return SendOutcome.failed(self.reason)
        return SendOutcome.retry(self.retry_after, self.reason)


class ChannelLimits:
    """Everything that decides when, and as what text, the next PRIVMSG to one channel may go.

    `account` is the chat window, shared by every channel of one account to follow Twitch's
    per-account count; by default the channel gets a window of its own. Its limit must be
    :data:`PRIVILEGED_CHAT_LIMIT`, the largest a channel may check against.
    """

    __slots__ = (
        "_account",
        "_channel",
        "_guard",
        "_last_duplicate",
        "_last_sent",
        "_paused_until",
        "_privileged",
        "_slow",
    )

    def __init__(self, channel: str, *, account: SlidingWindow | None = None) -> None:
        self._channel = channel
        if account is None:
            account = SlidingWindow(PRIVILEGED_CHAT_LIMIT, CHAT_WINDOW)
        elif account.limit < PRIVILEGED_CHAT_LIMIT:
            raise ValueError(f"the account window's limit must be {PRIVILEGED_CHAT_LIMIT}")
        self._account = account
        self._guard = DuplicateGuard()
        self._privileged = False
        self._slow = 0.0
        self._last_sent: float | None = None
        self._paused_until = float("-inf")
        self._last_duplicate: float | None = None

    @property
    def limit(self) -> int:
        """PRIVMSGs allowed per :data:`CHAT_WINDOW` here."""
        return PRIVILEGED_CHAT_LIMIT if self._privileged else CHAT_LIMIT

    def set_privileged(self, privileged: bool) -> None:
        """Record whether USERSTATE shows the account as broadcaster or moderator here."""
        self._privileged = privileged

    def set_slow_mode(self, seconds: float) -> None:
        """Record ROOMSTATE's ``slow`` seconds (0 = off): the least gap between our messages."""
        self._slow = max(seconds, 0.0)

    def next_send(self, now: float) -> float:
        """Return 0 if a message may go at `now`, else the seconds to wait."""
        return max(
            self._account.delay(now, limit=self.limit),
            self._paused_until - now,
            self._slow_gap(now),
            0.0,
        )

    def split(self, text: str) -> list[str]:
        """Split `text` into parts that fit, with room for the duplicate suffix."""
        return split_message(text, SEND_LENGTH)

    def prepare(self, part: str, now: float) -> str:
        """Return the text to send for `part` (one of :meth:`split`'s), duplicate-proofed."""
        return self._guard.prepare(self._channel, part, now)

    def sent(self, text: str, now: float) -> None:
        """Note that `text` (as returned by :meth:`prepare`) was written at `now`."""
        self._account.record(now)
        self._guard.record(self._channel, text, now)
        self._last_sent = now

    def on_notice(self, msg_id: str, now: float) -> NoticeEffect:
        """Apply a send-path NOTICE to the channel and say what becomes of the refused message."""
        handler = self._retry_handlers().get(msg_id)
        if handler is not None:
            return handler(now)
        reason = _FAIL_REASONS.get(msg_id, "Twitch refused the message for an unknown reason")
        return NoticeEffect(f"{reason} ({msg_id})")

    def _retry_handlers(self) -> dict[str, Callable[[float], NoticeEffect]]:
        return {
            "msg_ratelimit": self._on_ratelimit,
            "msg_slowmode": self._on_slow_mode,
            "msg_duplicate": self._on_duplicate,
        }

    def _slow_gap(self, now: float) -> float:
        if self._privileged or self._last_sent is None:
            return 0.0
        return self._last_sent + self._slow - now

    def _pause(self, now: float, seconds: float) -> None:
        self._paused_until = max(self._paused_until, now + seconds)

    def _on_ratelimit(self, now: float) -> NoticeEffect:
        self._pause(now, _RATELIMIT_PAUSE)
        return NoticeEffect("Twitch rate limit hit (msg_ratelimit)", _RATELIMIT_PAUSE)

    def _on_slow_mode(self, now: float) -> NoticeEffect:
        wait = self._slow or _SLOW_MODE_FALLBACK
        self._pause(now, wait)
        return NoticeEffect("the channel is in slow mode (msg_slowmode)", wait)

    def _on_duplicate(self, now: float) -> NoticeEffect:
        last, self._last_duplicate = self._last_duplicate, now
        repeated = last is not None and now - last < DUPLICATE_WINDOW
        wait = DUPLICATE_WINDOW if repeated else _DUPLICATE_RETRY
        return NoticeEffect("Twitch refused a duplicate message (msg_duplicate)", wait)


class JoinLimiter:
    """Paces JOINs: 20 per 10 s by default."""

    __slots__ = ("_window",)

    def __init__(self, limit: int = JOIN_LIMIT, window: float = JOIN_WINDOW) -> None:
        self._window = SlidingWindow(limit, window)

    def delay(self, now: float) -> float:
        """Return 0 if a JOIN may be sent at `now`, else the seconds until one may."""
        return self._window.delay(now)

    def take(self, channels: Sequence[str], now: float) -> list[str]:
        """Return the leading `channels` that may be joined at `now`, recording them as sent."""
        taken = list(channels[: self._window.available(now)])
        for _ in taken:
            self._window.record(now)
        return taken
