from __future__ import annotations

import heapq
import math
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streamsuites.connectors.youtube.costs import QUOTA_TZ
from streamsuites.connectors.youtube.quota import (
    POLL_METHOD,
    PlannerSettings,
    ProjectQuota,
    QuotaBook,
    next_reset,
    quota_day,
)

HOUR = 3600.0


def la(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> float:
    return datetime(year, month, day, hour, minute, second, tzinfo=QUOTA_TZ).timestamp()


NOON = la(2026, 3, 10, 12)


# -- the quota day ----------------------------------------------------------------------------


def test_the_day_ends_at_midnight_in_los_angeles() -> None:
    assert next_reset(NOON) == la(2026, 3, 11)
    assert next_reset(la(2026, 3, 11)) == la(2026, 3, 12)  # exactly midnight: the next one
    assert quota_day(la(2026, 3, 10, 23, 59, 59)) == "2026-03-10"
    assert quota_day(la(2026, 3, 11)) == "2026-03-11"


@pytest.mark.parametrize(
    ("day", "hours"),
    [((2026, 3, 8), 23), ((2026, 11, 1), 25), ((2026, 6, 1), 24)],
    ids=["spring-forward", "fall-back", "summer"],
)
def test_dst_days_are_23_or_25_hours_long(day: tuple[int, int, int], hours: int) -> None:
    start = la(*day)
    assert next_reset(start) - start == hours * HOUR
    quota = ProjectQuota("p")
    quota.charge(POLL_METHOD, start + hours * HOUR - 1)
    assert quota.used(start + 1) == 5
    assert quota.used(start + hours * HOUR) == 0
    assert quota.day_key(start + hours * HOUR) != quota.day_key(start)


def test_usage_resets_when_the_day_changes() -> None:
    quota = ProjectQuota("p")
    quota.charge("search.list", la(2026, 3, 10, 23, 59, 59))
    assert quota.used(la(2026, 3, 10, 23, 59, 59)) == 100
    quota.charge("videos.list", la(2026, 3, 11))
    assert quota.used(la(2026, 3, 11, 0, 0, 1)) == 1


def test_charge_uses_the_cost_table_unless_told_the_units() -> None:
    quota = ProjectQuota("p")
    quota.charge("liveChatMessages.insert", NOON)
    quota.charge("liveChatMessages.insert", NOON, units=50)
    assert quota.used(NOON) == 70
    with pytest.raises(KeyError, match="no quota cost"):
        quota.charge("comments.list", NOON)


# -- reserve and exhaustion -------------------------------------------------------------------


def test_polls_stop_at_the_reserve_sends_may_spend_it() -> None:
    quota = ProjectQuota("p", budget=1_000, reserve=100)
    quota.charge(POLL_METHOD, NOON, units=895)
    assert quota.can_spend(5, NOON)
    assert not quota.can_spend(6, NOON)
    assert quota.can_spend(20, NOON, reserve_ok=True)
    assert quota.can_spend(105, NOON, reserve_ok=True)
    assert not quota.can_spend(106, NOON, reserve_ok=True)


def test_the_default_reserve_is_five_percent() -> None:
    assert ProjectQuota("p").reserve == 500
    assert ProjectQuota("p", budget=2_000).reserve == 100


def test_a_budget_that_leaves_no_poll_is_refused() -> None:
    with pytest.raises(ValueError, match="no room to poll"):
        ProjectQuota("p", budget=100, reserve=98)
    with pytest.raises(ValueError, match="no room to poll"):
        ProjectQuota("p", budget=100, reserve=-1)


def test_quota_exceeded_blocks_everything_until_the_reset() -> None:
    quota = ProjectQuota("p")
    assert quota.exhausted_until(NOON) is None
    quota.mark_exhausted(NOON)
    assert quota.exhausted_until(NOON + 60) == la(2026, 3, 11)
    assert not quota.can_spend(1, NOON + 60, reserve_ok=True)
    assert quota.poll_interval("c", NOON + 60, server_min=5) == la(2026, 3, 11) - (NOON + 60)
    assert quota.exhausted_until(la(2026, 3, 11)) is None
    assert quota.can_spend(5, la(2026, 3, 11))


def test_spending_the_whole_budget_counts_as_exhausted() -> None:
    quota = ProjectQuota("p", budget=1_000, reserve=100)
    quota.charge("liveChatMessages.insert", NOON, units=999)
    assert quota.exhausted_until(NOON) is None
    quota.charge("videos.list", NOON)
    assert quota.exhausted_until(NOON) == la(2026, 3, 11)


# -- the plan ---------------------------------------------------------------------------------


def test_an_ample_budget_polls_as_fast_as_the_server_allows() -> None:
    quota = ProjectQuota("p", budget=1_000_000)
    quota.chat_started("c", NOON)
    assert quota.poll_interval("c", NOON, server_min=3.5) == 3.5


def test_one_chat_spreads_the_budget_over_its_expected_length() -> None:
    quota = ProjectQuota("p")  # 9,500 units for polls
    quota.chat_started("c", NOON, expected_seconds=4 * HOUR)
    # 4 h of polls at 5 units in 9,500 units: one every 14,400 * 5 / 9,500 s.
    assert quota.poll_interval("c", NOON, server_min=1) == pytest.approx(14_400 * 5 / 9_500)


def test_the_plan_never_looks_past_the_reset() -> None:
    quota = ProjectQuota("p")
    late = la(2026, 3, 10, 22)  # two hours before the reset
    quota.chat_started("c", late, expected_seconds=4 * HOUR)
    assert quota.poll_interval("c", late, server_min=1) == pytest.approx(7_200 * 5 / 9_500)


def test_a_stream_joined_late_is_planned_for_what_is_left_of_it() -> None:
    joined, fresh = ProjectQuota("a"), ProjectQuota("b")
    # The runtime (re)starts three hours into a four-hour stream: one hour is left.
    joined.chat_started("c", NOON, expected_seconds=4 * HOUR, since=NOON - 3 * HOUR)
    fresh.chat_started("c", NOON, expected_seconds=4 * HOUR)
    assert joined.poll_interval("c", NOON, server_min=1) == pytest.approx(3_600 * 5 / 9_500)
    assert fresh.poll_interval("c", NOON, server_min=1) == pytest.approx(14_400 * 5 / 9_500)
    [chat] = joined.usage(NOON).chats
    assert (chat.streaming_since, chat.expected_seconds) == (NOON - 3 * HOUR, 4 * HOUR)


def test_a_start_time_in_the_future_counts_from_now() -> None:
    quota = ProjectQuota("p")
    quota.chat_started("c", NOON, since=NOON + 60)
    [chat] = quota.usage(NOON).chats
    assert chat.streaming_since == NOON


def test_a_longer_expected_stream_polls_less_often() -> None:
    short, long = ProjectQuota("a"), ProjectQuota("b")
    short.chat_started("c", NOON, expected_seconds=2 * HOUR)
    long.chat_started("c", NOON, expected_seconds=8 * HOUR)
    assert short.poll_interval("c", NOON, server_min=1) < long.poll_interval(
        "c", NOON, server_min=1
    )


def test_a_stream_past_its_expected_end_still_gets_polled() -> None:
    quota = ProjectQuota("p")
    quota.chat_started("c", NOON - 6 * HOUR)  # guessed 4 h, running for 6
    quota.charge(POLL_METHOD, NOON, units=9_000)
    # 500 units left for a stream planned to last as long again (the reset is 12 h away).
    interval = quota.poll_interval("c", NOON, server_min=5)
    assert interval == pytest.approx(6 * HOUR * 5 / 500)


def busy_and_quiet(quota: ProjectQuota) -> tuple[float, float]:
    for key in ("busy", "quiet"):
        quota.chat_started(key, NOON - 600)
    for second in range(0, 600, 10):  # the first observation is backlog and is ignored
        quota.observe("busy", NOON - 600 + second, messages=40, page_full=False)
        quota.observe("quiet", NOON - 600 + second, messages=1, page_full=False)
    busy = quota.poll_interval("busy", NOON, server_min=1)
    return busy, quota.poll_interval("quiet", NOON, server_min=1)


def test_a_busy_chat_is_polled_more_often_by_the_square_root_of_its_rate() -> None:
    busy, quiet = busy_and_quiet(ProjectQuota("p"))
    assert quiet / busy == pytest.approx(math.sqrt(40), rel=0.01)


def test_usage_shows_each_chats_interval_and_rate() -> None:
    quota = ProjectQuota("p")
    busy, quiet = busy_and_quiet(quota)
    chats = {chat.chat_key: chat for chat in quota.usage(NOON).chats}
    assert chats["busy"].interval_seconds == busy
    assert chats["quiet"].interval_seconds == quiet
    assert chats["busy"].messages_per_second == pytest.approx(4.0)


def test_a_full_page_waits_for_the_rest_before_measuring_the_rate() -> None:
    quota = ProjectQuota("p")
    quota.chat_started("c", NOON)
    quota.observe("c", NOON, messages=0, page_full=False)  # backlog: starts the clock
    quota.observe("c", NOON + 10, messages=500, page_full=True)
    assert quota.usage(NOON + 10).chats[0].messages_per_second is None
    quota.observe("c", NOON + 10.5, messages=100, page_full=False)
    assert quota.usage(NOON + 11).chats[0].messages_per_second == pytest.approx(600 / 10.5)


def steady_chat(
    quota: ProjectQuota, *, full_pages: bool, per_poll: int = 100, used: int = 9_000
) -> None:
    """A chat started 10 minutes before NOON, 4 h left, `per_poll` messages every 10 s."""
    quota.chat_started("c", NOON - 600, expected_seconds=4 * HOUR + 600)
    for second in range(0, 600, 10):
        now = NOON - 600 + second
        if full_pages:  # a full page of `per_poll`, then an empty follow-up page
            quota.observe("c", now, messages=per_poll, page_full=True)
            quota.observe("c", now, messages=0, page_full=False)
        else:
            quota.observe("c", now, messages=per_poll, page_full=False)
    quota.charge(POLL_METHOD, NOON, units=used)  # 9,000: 500 units left for polls


def test_a_tight_budget_stretches_a_quiet_chat() -> None:
    quota = ProjectQuota("p")
    steady_chat(quota, full_pages=False, per_poll=10)  # 1/s: a page of 500 takes 500 s
    assert quota.poll_interval("c", NOON, server_min=5) == pytest.approx(4 * HOUR * 5 / 500)


def test_a_tight_budget_never_waits_longer_than_a_page_takes_to_fill() -> None:
    quota = ProjectQuota("p")
    steady_chat(quota, full_pages=False)  # 10/s: a page of 500 (the default) in 50 s
    assert quota.poll_interval("c", NOON, server_min=5) == pytest.approx(50)


def test_a_chat_filling_pages_is_polled_when_the_next_page_is_full() -> None:
    quota = ProjectQuota("p")
    steady_chat(quota, full_pages=True)
    # Waiting longer than a page of 100 takes at 10/s would only add follow-up pages.
    assert quota.poll_interval("c", NOON, server_min=5) == pytest.approx(10)


def test_the_page_size_the_chat_is_read_with_sets_the_page_time() -> None:
    quota = ProjectQuota("p")
    quota.chat_started("c", NOON - 600, page_size=2_000)
    for second in range(0, 600, 10):
        quota.observe("c", NOON - 600 + second, messages=100, page_full=False)
    quota.charge(POLL_METHOD, NOON, units=9_490)  # two polls' worth left: the plan is long
    assert quota.poll_interval("c", NOON, server_min=5) == pytest.approx(200)


def test_only_a_chat_with_a_full_page_waiting_polls_into_the_reserve() -> None:
    quota = ProjectQuota("p")  # 10,000 units, 500 in reserve
    steady_chat(quota, full_pages=True, used=9_500)  # the budget for polls is spent
    assert not quota.can_spend(5, NOON)  # not for anything that is not draining a chat
    assert quota.can_spend(5, NOON, chat_key="c")  # its last poll filled a page
    # Its next poll is booked by the time the next page is full...
    assert quota.poll_interval("c", NOON, server_min=5) == pytest.approx(10)
    assert quota.can_spend(5, NOON + 10, chat_key="c")
    # ...but only into half the reserve: the other half stays for sends and discovery.
    quota.charge(POLL_METHOD, NOON + 10, units=250, chat_key="c")
    assert not quota.can_spend(5, NOON + 10, chat_key="c")
    assert quota.can_spend(50, NOON + 10, reserve_ok=True)


def test_a_chat_gone_quiet_waits_at_most_the_cap() -> None:
    quota = ProjectQuota("p", settings=PlannerSettings(max_interval=60))
    quota.chat_started("c", NOON - 900)
    for second in range(0, 900, 10):
        busy = second < 600
        quota.observe("c", NOON - 900 + second, messages=40 if busy else 0, page_full=False)
    # Now at ~0 messages/s against an average of ~2: the plan would wait about 100 s.
    assert quota.poll_interval("c", NOON, server_min=5) == 60


def test_the_cap_gives_way_when_the_budget_cannot_pay_for_it() -> None:
    quota = ProjectQuota("p", settings=PlannerSettings(max_interval=60))
    quota.chat_started("c", NOON, expected_seconds=4 * HOUR)
    quota.charge(POLL_METHOD, NOON, units=9_400)  # 100 units for 4 hours
    assert quota.poll_interval("c", NOON, server_min=5) == pytest.approx(4 * HOUR * 5 / 100)


def test_booked_polls_keep_two_chats_from_overdrawing_the_budget() -> None:
    quota = ProjectQuota("p", budget=1_000, reserve=100)
    quota.charge(POLL_METHOD, NOON, units=890)  # room for two polls
    intervals = [quota.poll_interval(key, NOON, server_min=5) for key in ("a", "b", "c")]
    assert max(intervals) == la(2026, 3, 11) - NOON
    assert sorted(intervals)[:2] < [la(2026, 3, 11) - NOON] * 2
    assert not quota.can_spend(5, NOON)  # both booked polls are spoken for


def test_charging_a_chats_poll_releases_its_booking() -> None:
    quota = ProjectQuota("p", budget=1_000, reserve=100)
    quota.charge(POLL_METHOD, NOON, units=890)
    quota.poll_interval("a", NOON, server_min=5)
    assert quota.can_spend(5, NOON)
    quota.charge(POLL_METHOD, NOON + 5, chat_key="a")
    assert quota.can_spend(5, NOON + 5)
    assert not quota.can_spend(6, NOON + 5)


def test_a_chat_asking_about_its_booked_poll_is_not_counted_twice() -> None:
    quota = ProjectQuota("p", budget=1_000, reserve=100)
    quota.charge(POLL_METHOD, NOON, units=895)  # room for one poll
    due = NOON + quota.poll_interval("a", NOON, server_min=5)
    assert not quota.can_spend(5, due)  # anyone else: the room is booked
    assert quota.can_spend(5, due, chat_key="a")
    # A booked poll may use half the reserve (in case a draining chat took its room), no more.
    assert quota.can_spend(55, due, chat_key="a")
    assert not quota.can_spend(56, due, chat_key="a")


def test_an_ended_chat_gives_its_booking_back() -> None:
    quota = ProjectQuota("p", budget=1_000, reserve=100)
    quota.charge(POLL_METHOD, NOON, units=895)
    quota.poll_interval("a", NOON, server_min=5)
    assert not quota.can_spend(5, NOON)
    quota.chat_ended("a", NOON)
    assert quota.can_spend(5, NOON)
    assert quota.usage(NOON).chats == ()


# -- usage for quotas.json --------------------------------------------------------------------


def test_usage_reports_the_day_and_forecast() -> None:
    quota = ProjectQuota("proj", budget=10_000, reserve=500)
    late = la(2026, 3, 10, 22)
    quota.chat_started("c", late, expected_seconds=4 * HOUR)
    quota.charge(POLL_METHOD, late, units=1_000)
    interval = quota.poll_interval("c", late, server_min=1)
    usage = quota.usage(late)
    assert (usage.platform, usage.scope, usage.scope_id, usage.window) == (
        "youtube",
        "project",
        "proj",
        "daily",
    )
    assert (usage.used, usage.max, usage.remaining, usage.reserve) == (1_000, 10_000, 9_000, 500)
    assert usage.reset_at == la(2026, 3, 11)
    assert usage.status == "ok"
    # The plan spends the 8,500 units left for polls in the 2 h before the reset.
    assert usage.forecast_used == round(1_000 + 5 / interval * 2 * HOUR) == 9_500
    assert usage.forecast_exhausted_at is None


def test_usage_forecasts_when_a_fast_rate_runs_out() -> None:
    quota = ProjectQuota("p", budget=1_000_000)
    quota.chat_started("c", NOON)
    assert quota.poll_interval("c", NOON, server_min=1) == 1
    quota.set_budget(10_000, 500)
    usage = quota.usage(NOON)
    assert usage.forecast_exhausted_at == NOON + 10_000 / 5
    assert usage.status == "ok"


@pytest.mark.parametrize(
    ("spent", "exceeded", "status"),
    [
        (9_499, False, "ok"),
        (9_500, False, "buffer"),
        (10_000, False, "exhausted"),
        (0, True, "exhausted"),
    ],
)
def test_usage_status(spent: int, exceeded: bool, status: str) -> None:
    quota = ProjectQuota("p")
    quota.charge(POLL_METHOD, NOON, units=spent)
    if exceeded:
        quota.mark_exhausted(NOON)
    assert quota.usage(NOON).status == status


def test_the_book_keeps_one_quota_per_project() -> None:
    book = QuotaBook()
    first = book.project("b-proj")
    assert book.project("b-proj", budget=20_000, reserve=1_000) is first
    assert (first.budget, first.reserve) == (20_000, 1_000)
    book.project("a-proj").charge("videos.list", NOON)
    assert [u.scope_id for u in book.usages(NOON)] == ["a-proj", "b-proj"]
    assert [u.used for u in book.usages(NOON)] == [1, 0]


# -- the property: no quota day is ever overdrawn ---------------------------------------------

DAY_STARTS = [la(2026, 3, 7), la(2026, 10, 31), la(2026, 6, 15)]  # spring-forward and fall-back


@dataclass(frozen=True)
class Stream:
    begin: float
    length: float
    server_min: float
    rate: float
    expected: float | None


@dataclass(frozen=True)
class Schedule:
    streams: list[Stream]
    budget: int
    reserve: int
    charge_chat: bool
    pages: int


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    start = draw(st.sampled_from(DAY_STARTS))
    streams = [
        Stream(
            begin=start + draw(st.floats(0, 40 * HOUR)),
            length=draw(st.floats(600, 14 * HOUR)),
            server_min=draw(st.floats(1, 10)),
            rate=draw(st.floats(0, 20)),
            expected=draw(st.none() | st.floats(1800, 8 * HOUR)),
        )
        for _ in range(draw(st.integers(1, 5)))
    ]
    budget = draw(st.integers(200, 10_000))
    return Schedule(
        streams=streams,
        budget=budget,
        reserve=draw(st.integers(0, budget // 4)),
        charge_chat=draw(st.booleans()),
        pages=draw(st.integers(1, 3)),
    )


def poll(quota: ProjectQuota, schedule: Schedule, key: str, now: float) -> int:
    """One poll and, while they fit, follow-up pages; returns the units spent."""
    spent = 0
    for _ in range(schedule.pages):
        if spent and not quota.can_spend(5, now, chat_key=key):
            break  # a follow-up page only while it fits
        quota.charge(POLL_METHOD, now, chat_key=key if schedule.charge_chat else None)
        spent += 5
    return spent


@settings(max_examples=40, deadline=None)
@given(schedules())
def test_polling_when_told_never_overdraws_a_quota_day(schedule: Schedule) -> None:
    quota = ProjectQuota("p", budget=schedule.budget, reserve=schedule.reserve)
    spent: Counter[str] = Counter()
    queue = [(stream.begin, n, True) for n, stream in enumerate(schedule.streams)]
    heapq.heapify(queue)
    while queue:
        now, n, first = heapq.heappop(queue)
        stream, key = schedule.streams[n], str(n)
        if first:
            quota.chat_started(key, now, expected_seconds=stream.expected)
        # The first poll is not booked, so it asks; a booked poll always fits.
        assert first or quota.can_spend(5, now, chat_key=key)
        if not first or quota.can_spend(5, now):
            spent[quota_day(now)] += poll(quota, schedule, key, now)
            messages = int(stream.rate * stream.server_min)
            quota.observe(key, now, messages=messages, page_full=False)
        if now >= stream.begin + stream.length:
            quota.chat_ended(key, now)
            continue
        interval = quota.poll_interval(key, now, server_min=stream.server_min)
        assert interval >= stream.server_min
        heapq.heappush(queue, (now + interval, n, False))
    # Polls draining full pages may use half the reserve; never more.
    assert max(spent.values(), default=0) <= schedule.budget - schedule.reserve // 2
