"""The durable outbox: chat messages waiting for, or done with, their platform's sender.

A row is added in the same transaction as the audit record of the ``send_chat_message`` action
that produced it, keyed by that ``action_id``. A dispatcher (:mod:`.dispatcher`) then moves it
``queued → sending → delivered | failed``, back to ``queued`` when the platform asks us to wait,
or to ``expired`` when its time to live runs out. Every end state carries its reason; no row is
ever deleted silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    import sqlite3

    from streamsuites.actions.database import ActionDatabase

__all__ = [
    "INTERRUPTED_SENDING",
    "OutboundMessage",
    "OutboxRow",
    "OutboxStatus",
    "OutboxStore",
    "SendOutcome",
    "Sender",
    "create_table",
    "expire_due",
    "insert_message",
    "interrupt_sending",
    "mark_done",
    "mark_retry",
    "mark_sending",
    "next_due",
]

INTERRUPTED_SENDING: Final = "interrupted by restart while sending; delivery unknown"


class OutboxStatus(StrEnum):
    """Where an outbox row stands."""

    QUEUED = "queued"
    SENDING = "sending"
    DELIVERED = "delivered"
    FAILED = "failed"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboundMessage:
    """One chat message to send; `channel` empty means the connector's own channel."""

    action_id: str
    creator_id: str
    platform: str
    channel: str
    text: str
    reply_to: str | None = None
    """The platform id of the message this one answers, where the platform threads replies."""


@dataclass(frozen=True, slots=True)
class SendOutcome:
    """What a sender did with a message."""

    status: Literal["delivered", "failed", "retry_after"]
    reason: str | None = None
    retry_after: float = 0.0
    """For ``retry_after``: seconds to wait; the message was certainly not sent."""

    @classmethod
    def delivered(cls) -> SendOutcome:
        """Return the outcome of a message the platform accepted."""
        return cls("delivered")

    @classmethod
    def failed(cls, reason: str) -> SendOutcome:
        """Return the outcome of a message the platform refused for good."""
        return cls("failed", reason)

    @classmethod
    def retry(cls, after: float, reason: str) -> SendOutcome:
        """Return "not sent; try again after `after` seconds" (rate limit, reconnecting)."""
        return cls("retry_after", reason, max(after, 0.0))

    @classmethod
    def partial(cls, cause: SendOutcome, sent: int, total: int) -> SendOutcome:
        """Fail a message split in `total` parts whose part ``sent + 1`` did not go out.

        Not a retry, even if `cause` is one: retrying would repeat the parts already sent.
        """
        return cls.failed(
            f"part {sent + 1} of {total} not sent ({cause.reason}); the first {sent} went out"
        )


@runtime_checkable
class Sender(Protocol):
    """A connected connector's way to post chat; registered with a dispatcher while connected.

    Return :meth:`SendOutcome.retry` only when the message was certainly not sent: a raised
    exception is recorded as a failure, because the message may have gone out.
    """

    async def send(self, message: OutboundMessage) -> SendOutcome:
        """Send `message` to the platform."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxRow:
    """One outbox row."""

    message: OutboundMessage
    status: OutboxStatus
    reason: str | None
    attempts: int
    created_at: float
    updated_at: float
    expires_at: float
    next_attempt_at: float


_TABLE: Final = """
CREATE TABLE IF NOT EXISTS outbox (
    action_id       TEXT PRIMARY KEY,
    creator_id      TEXT NOT NULL,
    platform        TEXT NOT NULL,
    channel         TEXT NOT NULL,
    text            TEXT NOT NULL,
    reply_to        TEXT,
    status          TEXT NOT NULL
                    CHECK (status IN ('queued', 'sending', 'delivered', 'failed', 'expired')),
    reason          TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      REAL NOT NULL,
    updated_at      REAL NOT NULL,
    expires_at      REAL NOT NULL,
    next_attempt_at REAL NOT NULL
)"""
_QUEUE_INDEX: Final = (
    "CREATE INDEX IF NOT EXISTS outbox_open ON outbox (creator_id, platform, status)"
    " WHERE status IN ('queued', 'sending')"
)
_COLUMNS: Final = (
    "action_id, creator_id, platform, channel, text, reply_to, status, reason, attempts,"
    " created_at, updated_at, expires_at, next_attempt_at"
)
_INSERT: Final = (
    "INSERT INTO outbox (action_id, creator_id, platform, channel, text, reply_to, status,"
    " created_at, updated_at, expires_at, next_attempt_at)"
    " VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?)"
)
_NEXT_DUE: Final = (
    f"SELECT {_COLUMNS} FROM outbox WHERE creator_id = ? AND platform = ?"
    " AND status = 'queued' AND next_attempt_at <= ? AND expires_at > ? ORDER BY rowid LIMIT 1"
)
_SET_SENDING: Final = (
    "UPDATE outbox SET status = 'sending', attempts = attempts + 1, updated_at = ?"
    " WHERE action_id = ? AND status = 'queued'"
)
_SET_DONE: Final = (
    "UPDATE outbox SET status = ?, reason = ?, updated_at = ?"
    " WHERE action_id = ? AND status = 'sending'"
)
_SET_RETRY: Final = (
    "UPDATE outbox SET status = 'queued', reason = ?, next_attempt_at = ?, updated_at = ?"
    " WHERE action_id = ? AND status = 'sending'"
)
_EXPIRE: Final = (
    "UPDATE outbox SET status = 'expired', updated_at = ?,"
    " reason = ? || COALESCE(' (last: ' || reason || ')', '')"
    " WHERE creator_id = ? AND platform = ? AND status = 'queued' AND expires_at <= ?"
    " RETURNING action_id"
)
_INTERRUPT: Final = (
    "UPDATE outbox SET status = 'failed', reason = ?, updated_at = ?"
    " WHERE creator_id = ? AND platform = ? AND status = 'sending' RETURNING action_id"
)


def create_table(conn: sqlite3.Connection) -> None:
    """Create the outbox table if it does not exist."""
    conn.execute(_TABLE)
    conn.execute(_QUEUE_INDEX)


def insert_message(
    conn: sqlite3.Connection, message: OutboundMessage, *, now: float, ttl: float
) -> None:
    """Queue `message`; raises :class:`sqlite3.IntegrityError` if its action_id is queued."""
    m = message
    row = (m.action_id, m.creator_id, m.platform, m.channel, m.text, m.reply_to)
    conn.execute(_INSERT, (*row, now, now, now + ttl, now))


def next_due(
    conn: sqlite3.Connection, creator_id: str, platform: str, now: float
) -> OutboxRow | None:
    """Return the oldest queued, unexpired row of a connector that may be sent at `now`."""
    row = conn.execute(_NEXT_DUE, (creator_id, platform, now, now)).fetchone()
    return None if row is None else _row(row)


def mark_sending(conn: sqlite3.Connection, action_id: str, now: float) -> bool:
    """Move a queued row to ``sending`` and count the attempt; False if it was not queued."""
    return conn.execute(_SET_SENDING, (now, action_id)).rowcount == 1


def mark_done(
    conn: sqlite3.Connection,
    action_id: str,
    status: OutboxStatus,
    reason: str | None,
    now: float,
) -> bool:
    """Move a ``sending`` row to its end state."""
    return conn.execute(_SET_DONE, (status.value, reason, now, action_id)).rowcount == 1


def mark_retry(
    conn: sqlite3.Connection, action_id: str, *, at: float, reason: str | None, now: float
) -> bool:
    """Put a ``sending`` row back in the queue, not to be sent before `at`."""
    return conn.execute(_SET_RETRY, (reason, at, now, action_id)).rowcount == 1


def expire_due(
    conn: sqlite3.Connection, creator_id: str, platform: str, *, now: float, reason: str
) -> list[str]:
    """Expire the connector's queued rows whose time to live has run out; return their ids."""
    rows = conn.execute(_EXPIRE, (now, reason, creator_id, platform, now)).fetchall()
    return [action_id for (action_id,) in rows]


def interrupt_sending(
    conn: sqlite3.Connection, creator_id: str, platform: str, now: float
) -> list[str]:
    """Fail the rows a crash left in ``sending`` (they may have gone out); return their ids."""
    params = (INTERRUPTED_SENDING, now, creator_id, platform)
    return [action_id for (action_id,) in conn.execute(_INTERRUPT, params).fetchall()]


def _rows(
    conn: sqlite3.Connection, creator_id: str | None, platform: str | None
) -> list[OutboxRow]:
    sql = (
        f"SELECT {_COLUMNS} FROM outbox WHERE (?1 IS NULL OR creator_id = ?1)"
        " AND (?2 IS NULL OR platform = ?2) ORDER BY rowid"
    )
    return [_row(row) for row in conn.execute(sql, (creator_id, platform))]


def _row(row: tuple[Any, ...]) -> OutboxRow:
    action_id, creator_id, platform, channel, text, reply_to, *rest = row
    status, reason, attempts, created_at, updated_at, expires_at, next_attempt_at = rest
    message = OutboundMessage(
        action_id=action_id,
        creator_id=creator_id,
        platform=platform,
        channel=channel,
        text=text,
        reply_to=reply_to,
    )
    return OutboxRow(
        message=message,
        status=OutboxStatus(status),
        reason=reason,
        attempts=attempts,
        created_at=created_at,
        updated_at=updated_at,
        expires_at=expires_at,
        next_attempt_at=next_attempt_at,
    )


class OutboxStore:
    """Read access to the outbox, for tests, the dashboard and the crash test."""

    def __init__(self, db: ActionDatabase) -> None:
        self._db = db

    async def rows(
        self, *, creator_id: str | None = None, platform: str | None = None
    ) -> list[OutboxRow]:
        """Return the rows (of one creator and/or platform), oldest first."""
        return await self._db.read(lambda conn: _rows(conn, creator_id, platform))

    async def get(self, action_id: str) -> OutboxRow | None:
        """Return the row of `action_id`, if any."""
        sql = f"SELECT {_COLUMNS} FROM outbox WHERE action_id = ?"
        row = await self._db.read(lambda conn: conn.execute(sql, (action_id,)).fetchone())
        return None if row is None else _row(row)
