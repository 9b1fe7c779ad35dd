"""The Prometheus text of one scrape, parsed back with prometheus_client's own parser."""

from __future__ import annotations

from datetime import UTC, datetime

from prometheus_client.parser import text_string_to_metric_families

from streamsuites.eventlog import LogStats
from streamsuites.state.quotas import QuotaUsage
from streamsuites.state.runtime_state import ConnectorStatus, RuntimeState
from streamsuites.web.metrics import LagProbe, Sample, ServerNumbers, render


def sample() -> Sample:
    state = RuntimeState(started_at=0.0)
    twitch = state.connector("alice", "twitch")
    twitch.status, twitch.connected_since, twitch.last_frame_at = (
        ConnectorStatus.CONNECTED, 0.0, 0.0,
    )  # fmt: skip
    twitch.stale_after = 1e9
    twitch.counters.events, twitch.counters.messages = 12, 10
    state.connector("alice", "youtube").status = ConnectorStatus.BACKOFF
    quota = QuotaUsage(
        platform="youtube", scope="project", scope_id="p1", window="daily", used=400, max=10_000,
        remaining=9_600, reset_at=100.0, status="ok",
    )  # fmt: skip
    return Sample(
        now=10.0,
        connectors=[h for _, h in sorted(state.connectors.items())],
        log=LogStats(
            event_count=12,
            last_seq=12,
            last_event_at=datetime(2026, 1, 1, tzinfo=UTC),
            size_bytes=4096,
        ),  # fmt: skip
        actions={"succeeded": 3, "failed": 1},
        sends={("twitch", "delivered"): 2, ("twitch", "failed"): 1},
        quotas=[quota],
        server=ServerNumbers(
            serving=True,
            live_clients=2,
            live_dropped=1,
            csp_reports=0,
            loop_lag=0.002,
            loop_lag_peak=0.05,
        ),  # fmt: skip
    )


def values() -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = render(sample()).decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_connector_states_and_counters() -> None:
    found = values()
    twitch = (("creator", "alice"), ("platform", "twitch"))
    assert found[("streamsuites_connector_status", (*twitch, ("status", "connected")))] == 1
    assert found[("streamsuites_connector_status", (*twitch, ("status", "backoff")))] == 0
    youtube_backoff = (("creator", "alice"), ("platform", "youtube"), ("status", "backoff"))
    assert found[("streamsuites_connector_status", youtube_backoff)] == 1
    assert found[("streamsuites_events_total", twitch)] == 12
    assert found[("streamsuites_messages_total", twitch)] == 10


def test_actions_sends_quota_log_and_server_numbers() -> None:
    found = values()
    assert found[("streamsuites_actions_total", (("result", "succeeded"),))] == 3
    assert found[("streamsuites_actions_total", (("result", "failed"),))] == 1
    delivered = (("outcome", "delivered"), ("platform", "twitch"))
    assert found[("streamsuites_sends_total", delivered)] == 2
    quota = (("platform", "youtube"), ("scope", "project"), ("scope_id", "p1"), ("window", "daily"))
    assert found[("streamsuites_quota_used", quota)] == 400
    assert found[("streamsuites_quota_remaining", quota)] == 9_600
    assert found[("streamsuites_event_log_events", ())] == 12
    assert found[("streamsuites_live_clients", ())] == 2
    assert found[("streamsuites_live_clients_dropped_total", ())] == 1
    assert found[("streamsuites_event_loop_lag_seconds", ())] == 0.002
    assert found[("streamsuites_event_loop_lag_peak_seconds", ())] == 0.05
    assert found[("streamsuites_serving", ())] == 1


def test_the_lag_probe_keeps_the_latest_and_the_peak_of_a_window() -> None:
    probe = LagProbe()
    for lag in (0.01, 0.2, -0.001, 0.03):
        probe.record(lag)
    assert probe.last == 0.03
    assert probe.read_peak() == 0.2
    assert probe.read_peak() == 0.03
