from __future__ import annotations

from datetime import timedelta, timezone

from streamsuites.state.quotas import ChatInterval, QuotaUsage, build_quotas, next_midnight

from ._golden import assert_golden
from ._sample import NOW


def test_quotas_match_golden() -> None:
    usage = [
        QuotaUsage(
            platform="youtube",
            scope="project",
            scope_id="streamsuites-prod",
            window="daily",
            used=9_200,
            max=10_000,
            remaining=800,
            reset_at=next_midnight(NOW + 10),
            status="buffer",
            forecast_used=11_000,
            forecast_exhausted_at=NOW + 3_600,
            reserve=500,
            chats=(
                ChatInterval(chat_key="bob:Cg0KC2", interval_seconds=41.23456),
                ChatInterval(
                    chat_key="alice1:Cg0KC1",
                    interval_seconds=12.5,
                    messages_per_second=3.14159,
                    streaming_since=NOW - 3_600,
                    expected_seconds=4 * 3_600.4,
                ),
            ),
        ),
        QuotaUsage(
            platform="youtube",
            scope="creator",
            scope_id="alice1",
            window="daily",
            used=100,
            max=2_000,
            remaining=1_900,
            reset_at=next_midnight(NOW + 10),
            status="ok",
        ),
    ]
    assert_golden("quotas.json", build_quotas(usage, now=NOW))


def test_no_quotas_today_is_an_empty_list() -> None:
    assert build_quotas([], now=NOW)["platforms"] == []


def test_next_midnight_is_always_in_the_future() -> None:
    assert next_midnight(NOW) == NOW + 86_400  # exactly midnight: the next one
    assert next_midnight(NOW - 1) == NOW
    pacific = timezone(timedelta(hours=-8))
    assert next_midnight(NOW, pacific) == NOW + 8 * 3600


def test_chats_are_sorted_and_rounded_to_milliseconds() -> None:
    usage = QuotaUsage(
        platform="youtube",
        scope="project",
        scope_id="p",
        window="daily",
        used=0,
        max=10_000,
        remaining=10_000,
        reset_at=NOW + 60,
        status="ok",
        chats=(
            ChatInterval(chat_key="b", interval_seconds=None),
            ChatInterval(chat_key="a", interval_seconds=1 / 3, messages_per_second=2 / 3),
        ),
    )
    (entry,) = build_quotas([usage], now=NOW)["platforms"]
    assert entry["chats"] == [
        {
            "chat_key": "a",
            "interval_seconds": 0.333,
            "messages_per_second": 0.667,
            "streaming_since": None,
            "expected_seconds": None,
        },
        {
            "chat_key": "b",
            "interval_seconds": None,
            "messages_per_second": None,
            "streaming_since": None,
            "expected_seconds": None,
        },
    ]
    assert entry["reserve"] is None
