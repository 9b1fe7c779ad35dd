from __future__ import annotations

from datetime import timedelta, timezone

from streamsuites.state.quotas import QuotaUsage, build_quotas, next_midnight

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
