"""What the API shows of the runtime's state, built without I/O from values passed in.

:func:`build_creators` is the ``/api/v1/creators`` document and the ``creators`` of the
WebSocket's state message: every configured creator with the health of each of its connectors.
Times are ISO-8601 UTC strings (``…Z``) or null, as in the state files.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from streamsuites.state.render import iso, iso_datetime
from streamsuites.state.snapshot import (
    connector_healths,
    connector_liveness,
    creator_identity,
    creator_ids,
)

if TYPE_CHECKING:
    from streamsuites.config.model import Config
    from streamsuites.eventlog import Session
    from streamsuites.state.runtime_state import ConnectorHealth, RuntimeState

__all__ = ["build_creators", "session_json"]


def build_creators(state: RuntimeState, config: Config, now: float) -> dict[str, Any]:
    """Return the creators document at `now`."""
    return {
        "generated_at": iso(now),
        "creators": [_creator(cid, state, config, now) for cid in creator_ids(state, config)],
    }


def _creator(creator_id: str, state: RuntimeState, config: Config, now: float) -> dict[str, Any]:
    identity = creator_identity(creator_id, state, config)
    return {
        "creator_id": creator_id,
        "display_name": identity["display_name"] or creator_id,
        "enabled": identity["enabled"],
        "platforms": [_platform(h, now) for h in connector_healths(state, creator_id=creator_id)],
    }


def _platform(health: ConnectorHealth, now: float) -> dict[str, Any]:
    return {
        "platform": health.platform,
        **connector_liveness(health, now),
        "next_retry_at": iso(health.next_retry_at),
        "counters": asdict(health.counters),
    }


def session_json(session: Session) -> dict[str, Any]:
    """Return one session of the event log as the API shows it."""
    return {
        "session_id": session.session_id,
        "creator_id": session.creator_id,
        "platform": session.platform,
        "channel": session.channel,
        "stream_id": session.stream_id,
        "started_at": iso_datetime(session.started_at),
        "ended_at": iso_datetime(session.ended_at),
        "event_count": session.event_count,
        "first_seq": session.first_seq,
        "last_seq": session.last_seq,
    }
