"""The audit log: one row per ``action_id``, the proof that an action ran at most once.

A row is written either finished in one go (together with the outbox or jobs row the action
produced, in the same transaction) or first as ``pending`` (a *claim*, before an effect outside
the database such as an HTTP call) and then finished. ``docs/actions.md`` explains which
actions take which path and what a ``pending`` row found after a restart means.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Final

from streamsuites.actions.descriptor import decode_descriptor, encode_descriptor

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable

    from streamsuites.actions.database import ActionDatabase
    from streamsuites.actions.descriptor import ActionDescriptor

__all__ = [
    "ActionResult",
    "ActionStatus",
    "AuditLog",
    "AuditRecord",
    "Timing",
    "create_table",
    "insert_claim",
    "insert_finished",
    "update_finished",
]


class ActionStatus(StrEnum):
    """Where an action's execution stands."""

    PENDING = "pending"
    """Claimed; its effect may or may not have happened (only seen after a crash)."""
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"
    """Deliberately not performed, with the reason (e.g. a reducer refused a vote)."""


@dataclass(frozen=True, slots=True)
class ActionResult:
    """How an execution ended; `reason` says why for ``failed`` and ``skipped``."""

    status: ActionStatus
    reason: str | None = None

    @classmethod
    def succeeded(cls, reason: str | None = None) -> ActionResult:
        """Return a success, optionally with a note (``"queued"``)."""
        return cls(ActionStatus.SUCCEEDED, reason)

    @classmethod
    def failed(cls, reason: str) -> ActionResult:
        """Return a failure with its reason."""
        return cls(ActionStatus.FAILED, reason)

    @classmethod
    def skipped(cls, reason: str) -> ActionResult:
        """Return a deliberate skip with its reason."""
        return cls(ActionStatus.SKIPPED, reason)


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditRecord:
    """One row of the audit log."""

    descriptor: ActionDescriptor
    status: ActionStatus
    reason: str | None
    started_at: float
    finished_at: float | None
    duration_ms: float | None

    @property
    def finished(self) -> bool:
        """Whether the execution ended (anything but ``pending``)."""
        return self.status is not ActionStatus.PENDING


@dataclass(frozen=True, slots=True, kw_only=True)
class Timing:
    """When an execution started and ended (epoch seconds) and how long it took."""

    started_at: float
    finished_at: float
    duration_ms: float


_TABLE: Final = """
CREATE TABLE IF NOT EXISTS action_audit (
    action_id   TEXT PRIMARY KEY,
    action_type TEXT NOT NULL,
    creator_id  TEXT NOT NULL,
    platform    TEXT NOT NULL,
    trigger_id  TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    descriptor  TEXT NOT NULL,
    status      TEXT NOT NULL
                CHECK (status IN ('pending', 'succeeded', 'failed', 'skipped')),
    reason      TEXT,
    started_at  REAL NOT NULL,
    finished_at REAL,
    duration_ms REAL
)"""
_PENDING_INDEX: Final = (
    "CREATE INDEX IF NOT EXISTS action_audit_pending ON action_audit (started_at)"
    " WHERE status = 'pending'"
)
_COLUMNS: Final = "descriptor, status, reason, started_at, finished_at, duration_ms"
_INSERT: Final = (
    "INSERT INTO action_audit (action_id, action_type, creator_id, platform, trigger_id,"
    " event_id, descriptor, status, reason, started_at, finished_at, duration_ms)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_FINISH: Final = (
    "UPDATE action_audit SET status = ?, reason = ?, finished_at = ?, duration_ms = ?"
    " WHERE action_id = ? AND status = 'pending'"
)


def create_table(conn: sqlite3.Connection) -> None:
    """Create the audit table if it does not exist."""
    conn.execute(_TABLE)
    conn.execute(_PENDING_INDEX)


def insert_finished(
    conn: sqlite3.Connection, descriptor: ActionDescriptor, result: ActionResult, timing: Timing
) -> None:
    """Record a finished execution; raises :class:`sqlite3.IntegrityError` if already recorded."""
    conn.execute(
        _INSERT,
        (
            *_identity(descriptor),
            result.status.value,
            result.reason,
            timing.started_at,
            timing.finished_at,
            timing.duration_ms,
        ),
    )


def insert_claim(conn: sqlite3.Connection, descriptor: ActionDescriptor, started_at: float) -> None:
    """Record that `descriptor` is about to be performed (``pending``)."""
    row = (*_identity(descriptor), ActionStatus.PENDING.value, None, started_at, None, None)
    conn.execute(_INSERT, row)


def update_finished(
    conn: sqlite3.Connection, action_id: str, result: ActionResult, timing: Timing
) -> bool:
    """Finish a ``pending`` row; return False if there was none to finish."""
    params = (result.status.value, result.reason, timing.finished_at, timing.duration_ms, action_id)
    return conn.execute(_FINISH, params).rowcount == 1


def _identity(descriptor: ActionDescriptor) -> tuple[str, ...]:
    return (
        descriptor.action_id,
        descriptor.action_type,
        descriptor.creator_id,
        descriptor.platform,
        descriptor.trigger_id,
        descriptor.event_id,
        encode_descriptor(descriptor).decode(),
    )


def _record(row: tuple[str, str, str | None, float, float | None, float | None]) -> AuditRecord:
    descriptor, status, reason, started_at, finished_at, duration_ms = row
    return AuditRecord(
        descriptor=decode_descriptor(descriptor),
        status=ActionStatus(status),
        reason=reason,
        started_at=started_at,
        finished_at=finished_at,
        duration_ms=duration_ms,
    )


def _get(conn: sqlite3.Connection, action_id: str) -> AuditRecord | None:
    sql = f"SELECT {_COLUMNS} FROM action_audit WHERE action_id = ?"
    row = conn.execute(sql, (action_id,)).fetchone()
    return None if row is None else _record(row)


def _pending(conn: sqlite3.Connection) -> list[AuditRecord]:
    sql = f"SELECT {_COLUMNS} FROM action_audit WHERE status = 'pending' ORDER BY started_at"
    return [_record(row) for row in conn.execute(sql)]


def _recent(conn: sqlite3.Connection, limit: int) -> list[AuditRecord]:
    sql = f"SELECT {_COLUMNS} FROM action_audit ORDER BY started_at DESC, rowid DESC LIMIT ?"
    return [_record(row) for row in conn.execute(sql, (limit,))]


class AuditLog:
    """Async access to the audit table of an :class:`ActionDatabase`."""

    def __init__(self, db: ActionDatabase) -> None:
        self._db = db

    async def get(self, action_id: str) -> AuditRecord | None:
        """Return the record of `action_id`, or None if it never ran."""
        return await self._db.read(lambda conn: _get(conn, action_id))

    async def pending(self) -> list[AuditRecord]:
        """Return the claims never finished (left by a crash), oldest first."""
        return await self._db.read(_pending)

    async def recent(self, limit: int = 100) -> list[AuditRecord]:
        """Return the newest `limit` records, newest first."""
        return await self._db.read(lambda conn: _recent(conn, limit))

    async def record(
        self,
        descriptor: ActionDescriptor,
        result: ActionResult,
        timing: Timing,
        write: Callable[[sqlite3.Connection], object] | None = None,
    ) -> None:
        """Record a finished execution and, in the same transaction, the rows `write` adds."""

        def record(conn: sqlite3.Connection) -> None:
            insert_finished(conn, descriptor, result, timing)
            if write is not None:
                write(conn)

        await self._db.transact(record)

    async def claim(self, descriptor: ActionDescriptor, started_at: float) -> None:
        """Record `descriptor` as ``pending`` before performing an effect outside the DB."""
        await self._db.transact(lambda conn: insert_claim(conn, descriptor, started_at))

    async def finish(self, action_id: str, result: ActionResult, timing: Timing) -> bool:
        """Finish a claim; return False if `action_id` had no ``pending`` row."""
        return await self._db.transact(
            lambda conn: update_finished(conn, action_id, result, timing)
        )
