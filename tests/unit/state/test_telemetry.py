from __future__ import annotations

from streamsuites.state.runtime_state import TelemetryEvent
from streamsuites.state.telemetry import build_errors, build_events

from ._golden import assert_golden
from ._sample import NOW, sample_state


def test_events_match_golden() -> None:
    assert_golden("telemetry_events.json", build_events(sample_state().events, now=NOW))


def test_errors_match_golden() -> None:
    assert_golden("telemetry_errors.json", build_errors(sample_state().errors, now=NOW))


def test_events_are_sorted_and_bounded() -> None:
    events = [
        TelemetryEvent(timestamp=NOW - i, source="runtime", severity="info", message=str(i))
        for i in range(250)
    ]
    built = build_events(events, now=NOW, limit=200)["events"]
    assert len(built) == 200
    assert built[0]["message"] == "199"
    assert built[-1]["message"] == "0"
    assert build_events(events, now=NOW, limit=0)["events"] == []
