"""Recent actions for the dashboard: what the triggers fired and how each action ended.

An action's own outcome is in the audit table, but for a chat reply ``succeeded`` only means
"queued": whether the platform took it is the outbox row's status. One read joins the two, so
the dashboard shows a reply as ``succeeded · delivered`` or ``succeeded · failed (reason)``
without a second round trip. The query reads the tables of :mod:`streamsuites.actions.audit`
and :mod:`streamsuites.actions.outbox` directly, like the metrics do, and never writes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from streamsuites.state.render import iso

if TYPE_CHECKING:
    import sqlite3

    from streamsuites.actions.database import ActionDatabase

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "recent_actions"]

DEFAULT_LIMIT: Final = 50
MAX_LIMIT: Final = 500
_RECENT: Final = (
    "SELECT a.action_id, a.action_type, a.creator_id, a.platform, a.trigger_id, a.event_id,"
    " a.status, a.reason, a.started_at, a.finished_at, a.duration_ms,"
    " o.status, o.reason, o.attempts, o.text, o.updated_at"
    " FROM action_audit AS a LEFT JOIN outbox AS o ON o.action_id = a.action_id"
    " WHERE (?1 IS NULL OR a.creator_id = ?1)"
    " ORDER BY a.rowid DESC LIMIT ?2"
)
"""Newest recorded first. The table has no index on ``started_at``; walking the rowid backwards
reads only the rows returned (plus other creators' rows when filtering), so the dashboard can
ask every half second however long the audit log has grown."""


def _send(row: tuple[Any, ...]) -> dict[str, Any] | None:
    status, reason, attempts, text, updated_at = row
    if status is None:
        return None
    return {
        "status": status,
        "reason": reason,
        "attempts": attempts,
        "text": text,
        "updated_at": iso(updated_at),
    }


def _action(row: tuple[Any, ...]) -> dict[str, Any]:
    action_id, action_type, creator_id, platform, trigger_id, event_id, *rest = row
    status, reason, started_at, finished_at, duration_ms, *send = rest
    return {
        "action_id": action_id,
        "action_type": action_type,
        "creator_id": creator_id,
        "platform": platform,
        "trigger_id": trigger_id,
        "event_id": event_id,
        "status": status,
        "reason": reason,
        "started_at": iso(started_at),
        "finished_at": iso(finished_at),
        "duration_ms": duration_ms,
        "send": _send(tuple(send)),
    }


def _recent(conn: sqlite3.Connection, creator_id: str | None, limit: int) -> list[dict[str, Any]]:
    return [_action(row) for row in conn.execute(_RECENT, (creator_id, limit))]


async def recent_actions(
    db: ActionDatabase, *, creator_id: str | None = None, limit: int = DEFAULT_LIMIT
) -> list[dict[str, Any]]:
    """Return the last `limit` actions recorded (of one creator), newest first, as the API shows.

    ``send`` is the outbox row of a chat reply (status, reason, attempts, text), else null.
    """
    return await db.read(lambda conn: _recent(conn, creator_id, limit))
