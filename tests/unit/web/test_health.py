"""Which connectors /healthz reports as down too long, from their statuses over time."""

from __future__ import annotations

from streamsuites.state.runtime_state import ConnectorStatus, RuntimeState
from streamsuites.web.health import DownTracker, health_report


def state_with(**statuses: ConnectorStatus) -> RuntimeState:
    state = RuntimeState(started_at=0.0)
    for platform, status in statuses.items():
        health = state.connector("alice", platform)
        health.status = status
        health.connected_since = health.last_frame_at = 0.0
        health.stale_after = 1000.0
    return state


def test_a_connector_counts_as_down_from_the_first_time_it_was_seen_down() -> None:
    tracker = DownTracker(threshold=120)
    state = state_with(twitch=ConnectorStatus.BACKOFF, youtube=ConnectorStatus.CONNECTED)
    assert tracker.observe(state, 1000.0) == []
    assert tracker.observe(state, 1120.0) == []
    [down] = tracker.observe(state, 1120.5)
    assert (down.platform, down.status, down.seconds) == ("twitch", ConnectorStatus.BACKOFF, 120.5)
    assert down.to_json()["down_for_seconds"] == 120.5


def test_recovering_resets_the_clock() -> None:
    tracker = DownTracker(threshold=10)
    state = state_with(twitch=ConnectorStatus.BACKOFF)
    tracker.observe(state, 0.0)
    state.connector("alice", "twitch").status = ConnectorStatus.CONNECTED
    assert tracker.observe(state, 5.0) == []
    state.connector("alice", "twitch").status = ConnectorStatus.CONNECTING
    assert tracker.observe(state, 11.0) == []
    assert len(tracker.observe(state, 21.5)) == 1


def test_offline_disabled_and_paused_connectors_are_not_down() -> None:
    tracker = DownTracker(threshold=0)
    state = state_with(
        twitch=ConnectorStatus.OFFLINE, youtube=ConnectorStatus.DISABLED,
        kick=ConnectorStatus.PAUSED, rumble=ConnectorStatus.AUTH_FAILED,
    )  # fmt: skip
    tracker.observe(state, 0.0)
    assert [d.platform for d in tracker.observe(state, 1.0)] == ["rumble"]


def test_a_stale_connection_is_down() -> None:
    tracker = DownTracker(threshold=0)
    state = state_with(twitch=ConnectorStatus.CONNECTED)
    state.connector("alice", "twitch").stale_after = 5.0
    tracker.observe(state, 10.0)
    [down] = tracker.observe(state, 11.0)
    assert down.status is ConnectorStatus.STALE


def test_the_report_is_ok_only_when_serving_with_nothing_down() -> None:
    assert health_report(serving=True, down=[], threshold=120)["ok"] is True
    assert health_report(serving=False, down=[], threshold=120)["ok"] is False
    tracker = DownTracker(threshold=0)
    state = state_with(twitch=ConnectorStatus.BACKOFF)
    tracker.observe(state, 0.0)
    report = health_report(serving=True, down=tracker.observe(state, 1.0), threshold=0)
    assert report["ok"] is False and report["down"][0]["platform"] == "twitch"
