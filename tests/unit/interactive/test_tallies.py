"""Tally increments and windows: weekly, monthly, rolling expiry, custom bounds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from streamsuites.config._interactive import Option, TallyCategory, TallyDefinition
from streamsuites.interactive import TallyBook, TallyCounted, window_bounds, window_id
from tests.unit.interactive._factories import T0, action, later

CATEGORIES = (
    TallyCategory(
        category_id="deaths",
        label="Deaths",
        options=(Option(option_id="fall", label="Fall"), Option(option_id="boss", label="Boss")),
    ),
)


def book(aggregation: str = "weekly", **fields) -> TallyBook:
    definition = TallyDefinition(
        tally_id="t",
        title="T",
        aggregation_type=aggregation,  # type: ignore[arg-type]
        categories=CATEGORIES,
        **fields,
    )
    return TallyBook("alice", (definition,))


def inc(b: TallyBook, at: datetime = T0, **payload):
    return b.apply_action(action("tally_increment", {"tally_id": "t", **payload}, at=at))


def test_increment_counts_by_category_and_option():
    b = book()
    outcome = inc(b, category_id="deaths", option_id="fall")
    inc(b, category_id="deaths", option_id="fall", delta=2)
    inc(b, category_id="deaths", option_id="boss")
    [signal] = outcome.signals
    assert isinstance(signal, TallyCounted) and signal.delta == 1
    assert b.totals("t", T0) == {"deaths": {"fall": 3, "boss": 1}}


def test_increment_without_category_or_option():
    b = book()
    inc(b)
    assert b.totals("t", T0) == {"": {"": 1}}


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ({"tally_id": "nope"}, "no tally 'nope'"),
        ({"category_id": "wins"}, "no category 'wins'"),
        ({"category_id": "deaths", "option_id": "lava"}, "no option 'lava'"),
        ({"delta": "1"}, "delta must be an integer"),
        ({"delta": True}, "delta must be an integer"),
    ],
)
def test_bad_increments_are_refused(payload, reason):
    outcome = inc(book(), **payload)
    assert not outcome.applied and outcome.reason is not None and reason in outcome.reason


def test_weekly_window_resets_on_monday_utc():
    b = book("weekly")
    sunday = datetime(2026, 3, 8, 23, 59, 59, tzinfo=UTC)
    monday = datetime(2026, 3, 9, 0, 0, tzinfo=UTC)
    inc(b, at=sunday)
    assert b.totals("t", sunday) == {"": {"": 1}}
    assert b.totals("t", monday) == {}  # a new week has nothing yet
    inc(b, at=monday, delta=5)
    assert b.totals("t", monday) == {"": {"": 5}}
    late = inc(b, at=sunday)
    assert late.reason == "outside the current window (2026-W11)"


def test_iso_week_ids_across_the_year_boundary():
    assert window_id("weekly", datetime(2026, 1, 1, tzinfo=UTC)) == "2026-W01"
    assert window_id("weekly", datetime(2027, 1, 1, tzinfo=UTC)) == "2026-W53"
    assert window_id("monthly", datetime(2026, 12, 31, 23, tzinfo=UTC)) == "2026-12"
    assert window_id("rolling", T0) is None


def test_monthly_window_resets_on_the_first():
    b = book("monthly")
    inc(b, at=datetime(2026, 2, 28, 23, tzinfo=UTC))
    march = datetime(2026, 3, 1, tzinfo=UTC)
    assert b.totals("t", march) == {}
    inc(b, at=march)
    assert b.totals("t", march) == {"": {"": 1}}


def test_window_bounds():
    weekly = TallyDefinition(tally_id="w", title="w", aggregation_type="weekly")
    assert window_bounds(weekly, T0) == (
        datetime(2026, 3, 2, tzinfo=UTC),
        datetime(2026, 3, 9, tzinfo=UTC),
    )
    monthly = TallyDefinition(tally_id="m", title="m", aggregation_type="monthly")
    assert window_bounds(monthly, datetime(2026, 12, 5, tzinfo=UTC)) == (
        datetime(2026, 12, 1, tzinfo=UTC),
        datetime(2027, 1, 1, tzinfo=UTC),
    )


def test_rolling_window_drops_old_increments():
    b = book("rolling", window_seconds=3600)
    inc(b, at=T0)
    inc(b, at=later(minutes=30), delta=2)
    assert b.totals("t", later(minutes=59)) == {"": {"": 3}}
    assert b.totals("t", later(minutes=61)) == {"": {"": 2}}
    assert b.totals("t", later(minutes=91)) == {}


def test_rolling_state_stays_bounded():
    b = book("rolling", window_seconds=120)
    for second in range(0, 3600, 1):
        inc(b, at=later(seconds=second))
    assert len(b.state["t"].buckets) <= 121
    # Seconds 3479..3599: the bucket holding `now - window` still counts (bucket resolution).
    assert b.totals("t", later(seconds=3599)) == {"": {"": 121}}


def test_rolling_increment_older_than_the_window_is_refused():
    b = book("rolling", window_seconds=60)
    inc(b, at=later(hours=1))
    assert inc(b, at=T0).reason == "expired"


def test_custom_window_counts_only_inside():
    b = book("custom", start=T0, end=later(days=1))
    assert inc(b, at=later(seconds=-1)).reason == "outside the tally window"
    assert inc(b, at=later(days=1)).reason == "outside the tally window"
    assert inc(b, at=later(hours=5)).applied
    assert b.totals("t", later(days=3)) == {"": {"": 1}}


def test_state_round_trips_through_json():
    b = book("rolling", window_seconds=3600)
    inc(b, category_id="deaths", option_id="fall")
    definition = b.definitions["t"]
    again = TallyBook("alice", (definition,), b.to_json())
    assert again.to_json() == b.to_json()
    assert again.totals("t", T0) == b.totals("t", T0)


def test_non_tally_action_is_refused():
    assert book().apply_action(action("score_award", {})).applied is False
