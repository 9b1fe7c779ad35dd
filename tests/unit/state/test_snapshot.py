from __future__ import annotations

from typing import Any

import pytest

from streamsuites.state.restart_intent import RestartIntent
from streamsuites.state.runtime_state import ConnectorStatus
from streamsuites.state.snapshot import build_runtime_snapshot

from ._golden import assert_golden
from ._sample import NOW, sample_config, sample_state, sample_stats


def snapshot(**overrides: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "state": sample_state(),
        "config": sample_config(),
        "now": NOW,
        "version": "0.1.0",
        "build": "test",
        "replay": sample_stats(),
        "restart_intent": RestartIntent(),
    }
    arguments.update(overrides)
    return build_runtime_snapshot(**arguments)


def by_name(document: dict[str, Any], key: str, field: str) -> dict[str, dict[str, Any]]:
    return {entry[field]: entry for entry in document[key]}


def test_snapshot_matches_golden() -> None:
    assert_golden("runtime_snapshot.json", snapshot())


def test_snapshot_without_log_and_with_restart_pending_matches_golden() -> None:
    baseline = {"system": "a", "creators": "b"}
    intent = RestartIntent.compare(baseline, {"system": "z", "creators": "b"})
    assert_golden("runtime_snapshot_no_log.json", snapshot(replay=None, restart_intent=intent))


def test_platform_status_is_the_worst_of_its_connectors() -> None:
    platforms = by_name(snapshot(), "platforms", "name")
    assert platforms["twitch"]["status"] == "stale"  # alice connected, bobby quiet for 200 s
    assert platforms["youtube"]["status"] == "backoff"
    assert platforms["kick"]["status"] == "auth_failed"
    assert platforms["rumble"]["status"] == "paused"
    assert platforms["discord"]["status"] == "disabled"


def test_platform_error_and_heartbeat_come_from_connectors() -> None:
    platforms = by_name(snapshot(), "platforms", "name")
    assert platforms["youtube"]["error"] == "HTTP 503 from liveChatMessages"
    assert platforms["kick"]["error"] == "401 Unauthorized"
    assert platforms["twitch"]["error"] is None
    assert platforms["twitch"]["last_heartbeat"] == "2025-12-31T23:59:55.000Z"
    assert platforms["twitch"]["counters"] == {
        "messages": 130,
        "triggers": 8,
        "actions": 7,
        "actions_failed": 0,
    }


def test_creator_heartbeat_reflects_live_connectors_only() -> None:
    creators = by_name(snapshot(), "creators", "creator_id")
    assert creators["alice1"]["last_heartbeat"] == "2025-12-31T23:59:55.000Z"
    assert creators["bobby2"]["last_heartbeat"] is None  # stale twitch, paused rumble
    assert creators["carol3"]["last_heartbeat"] is None  # auth failed


def test_creator_identity_prefers_runtime_state_and_error_comes_from_failures() -> None:
    creators = by_name(snapshot(), "creators", "creator_id")
    assert creators["carol3"]["display_name"] == "Carol C."
    assert creators["carol3"]["error"] == "401 Unauthorized"
    assert creators["alice1"]["error"] == "HTTP 503 from liveChatMessages"
    assert creators["alice1"]["platforms"] == {"twitch": True, "youtube": True}


def test_connector_goes_stale_as_time_passes() -> None:
    state = sample_state()
    health = by_name(snapshot(state=state, now=NOW + 100), "platforms", "name")["twitch"]
    assert [h["status"] for h in health["health"]] == ["stale", "stale"]
    state.connector("bobby2", "twitch").status = ConnectorStatus.STOPPED
    health = by_name(snapshot(state=state), "platforms", "name")["twitch"]
    assert health["status"] == "connected"


def test_system_block_is_always_boolean() -> None:
    document = snapshot()
    assert document["system"]["platform_polling_enabled"] is True
    assert document["system"]["platforms"] == {"discord": False, "twitch": True, "youtube": True}
    assert document["generated_at"] == document["heartbeat"] == "2026-01-01T00:00:00.000Z"


@pytest.mark.parametrize(
    ("pending", "expected"),
    [
        (False, {"clips": (True, None), "polls": (True, "disabled via config")}),
        (True, {"clips": (False, "restart required"), "polls": (False, "restart required")}),
    ],
)
def test_jobs_report_whether_their_config_is_applied(
    pending: bool, expected: dict[str, tuple[bool, str | None]]
) -> None:
    intent = RestartIntent({"system": pending, "creators": False})
    jobs = {j["name"]: (j["applied"], j["reason"]) for j in snapshot(restart_intent=intent)["jobs"]}
    assert jobs == expected


def test_replay_block_has_per_platform_objects_and_both_time_names() -> None:
    replay = snapshot()["replay"]
    assert replay["available"] is True
    assert replay["event_count"] == 181
    assert replay["last_event_at"] == replay["last_event_timestamp"] == "2025-12-31T23:59:48.000Z"
    assert [p["name"] for p in replay["platforms"]] == ["kick", "rumble", "twitch", "youtube"]
    twitch = by_name(replay, "platforms", "name")["twitch"]
    assert twitch["events_since_start"] == 140


def test_platform_seen_only_in_state_is_listed() -> None:
    state = sample_state()
    state.connector("alice1", "pilled").status = ConnectorStatus.CONNECTING
    platforms = by_name(snapshot(state=state), "platforms", "name")
    assert platforms["pilled"]["status"] == "connecting"
    assert platforms["pilled"]["enabled"] is True
