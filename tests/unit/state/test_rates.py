from __future__ import annotations

from streamsuites.state.rates import RateTracker, build_rates
from streamsuites.state.runtime_state import Counters

from ._golden import assert_golden
from ._sample import NOW


def counters(messages: int, triggers: int = 0) -> Counters:
    return Counters(messages=messages, triggers=triggers)


def tracker_with(samples: list[tuple[float, dict[str, Counters]]]) -> RateTracker:
    tracker = RateTracker()
    for at, values in samples:
        tracker.sample(values, at)
    return tracker


def test_rates_match_golden() -> None:
    tracker = tracker_with(
        [
            (NOW - 300, {"twitch": counters(0)}),
            (NOW - 120, {"twitch": counters(50, 2)}),
            (NOW - 60, {"twitch": counters(80, 3), "youtube": counters(5)}),
            (NOW, {"twitch": counters(100, 5), "youtube": counters(9)}),
        ]
    )
    assert_golden("telemetry_rates.json", build_rates(tracker, now=NOW))


def test_windows_count_increases_within_each_window() -> None:
    tracker = tracker_with(
        [(NOW - 300, {"twitch": counters(0)}), (NOW - 60, {"twitch": counters(80)})]
    )
    tracker.sample({"twitch": counters(100)}, NOW)
    assert tracker.totals(60, NOW)["messages"] == {"twitch": 20}
    assert tracker.totals(300, NOW)["messages"] == {"twitch": 100}


def test_counter_reset_never_gives_a_negative_rate() -> None:
    tracker = tracker_with(
        [
            (NOW - 40, {"twitch": counters(500)}),
            (NOW - 20, {"twitch": counters(510)}),
            (NOW, {"twitch": counters(3)}),  # restarted: counting from zero again
        ]
    )
    assert tracker.totals(60, NOW)["messages"] == {"twitch": 13}


def test_platform_appearing_counts_from_zero() -> None:
    tracker = tracker_with([(NOW - 10, {}), (NOW, {"kick": counters(4)})])
    assert tracker.totals(60, NOW)["messages"] == {"kick": 4}


def test_history_older_than_five_minutes_is_pruned() -> None:
    tracker = tracker_with([(NOW - 1000, {"twitch": counters(0)})])
    tracker.sample({"twitch": counters(1000)}, NOW)
    assert tracker.totals(300, NOW)["messages"] == {"twitch": 0}
    assert RateTracker().totals(60, NOW) == {
        "messages": {},
        "triggers": {},
        "actions": {},
        "actions_failed": {},
    }


def test_dashboard_metrics_shape() -> None:
    tracker = tracker_with(
        [(NOW - 60, {"twitch": counters(0)}), (NOW, {"twitch": counters(30)})]
    )
    document = build_rates(tracker, now=NOW)
    metric = next(m for m in document["metrics"] if m["key"] == "twitch.messages.60s")
    assert metric["value"] == 30
    assert metric["per_minute"] == 30.0
    assert document["rates"]["twitch.messages.5m"] == 30
    assert [w["window"] for w in document["windows"]] == ["60s", "5m"]
