from __future__ import annotations

import pytest

from streamsuites.state.health import aggregate_status, latest, latest_failure, live_heartbeat
from streamsuites.state.runtime_state import ConnectorHealth, ConnectorStatus, effective_status

S = ConnectorStatus


@pytest.mark.parametrize(
    ("statuses", "enabled", "paused", "expected"),
    [
        ([S.CONNECTED, S.AUTH_FAILED, S.BACKOFF], True, False, S.AUTH_FAILED),
        ([S.CONNECTED, S.BACKOFF, S.STALE], True, False, S.BACKOFF),
        ([S.CONNECTED, S.STALE, S.CONNECTING], True, False, S.STALE),
        ([S.CONNECTED, S.CONNECTING], True, False, S.CONNECTING),
        ([S.CONNECTED, S.STOPPED], True, False, S.CONNECTED),
        ([S.STOPPED], True, False, S.STOPPED),
        ([], True, False, S.STOPPED),
        ([S.CONNECTED], False, False, S.DISABLED),
        ([S.DISABLED, S.DISABLED], True, False, S.DISABLED),
        ([S.CONNECTED], True, True, S.PAUSED),
        ([S.PAUSED, S.DISABLED], True, False, S.PAUSED),
        ([S.DISABLED, S.CONNECTED], True, False, S.CONNECTED),
        ([], True, True, S.PAUSED),
    ],
)
def test_aggregate_status(
    statuses: list[ConnectorStatus], enabled: bool, paused: bool, expected: ConnectorStatus
) -> None:
    assert aggregate_status(statuses, enabled=enabled, paused=paused) is expected


def connector(status: ConnectorStatus, **fields: float | str | None) -> ConnectorHealth:
    health = ConnectorHealth(creator_id="c", platform="twitch", status=status)
    for name, value in fields.items():
        setattr(health, name, value)
    return health


def test_latest_ignores_unknown_values() -> None:
    assert latest([None, 3.0, 1.0, None]) == 3.0
    assert latest([None]) is None


def test_live_heartbeat_only_counts_connected_connectors() -> None:
    live = connector(S.CONNECTED, last_frame_at=100.0)
    quiet = connector(S.CONNECTED, last_frame_at=10.0, stale_after=5.0)
    failing = connector(S.BACKOFF, last_frame_at=150.0)
    assert live_heartbeat([live, quiet, failing], now=101.0) == 100.0
    assert live_heartbeat([quiet, failing], now=101.0) is None


def test_latest_failure_picks_the_newest_error() -> None:
    old = connector(S.BACKOFF, last_error="old", last_error_at=1.0)
    new = connector(S.AUTH_FAILED, last_error="new", last_error_at=2.0)
    reason_only = connector(S.BACKOFF, reason="why")
    assert latest_failure([old, new], now=3.0) == "new"
    assert latest_failure([reason_only], now=3.0) == "why"
    assert latest_failure([connector(S.BACKOFF)], now=3.0) == "backoff"
    assert latest_failure([connector(S.CONNECTED)], now=3.0) is None


def test_a_polling_connector_is_not_stale_before_its_planned_poll() -> None:
    health = ConnectorHealth(
        creator_id="a", platform="youtube", status=ConnectorStatus.CONNECTED, stale_after=90.0
    )
    health.last_frame_at = 1000.0
    health.next_frame_due = 1000.0 + 120  # the planner chose a 2-minute interval
    assert effective_status(health, 1000.0 + 150) is ConnectorStatus.CONNECTED
    assert effective_status(health, 1000.0 + 120 + 91) is ConnectorStatus.STALE
    health.next_frame_due = None
    assert effective_status(health, 1000.0 + 91) is ConnectorStatus.STALE
