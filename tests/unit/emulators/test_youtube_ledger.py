from __future__ import annotations

import pytest

from streamsuites.emulators._youtube_ledger import (
    FaultQueue,
    PendingFault,
    QuotaBook,
    TokenGrant,
    TokenStore,
    quota_day,
)

# 2024-03-10 is the spring-forward day in Los Angeles: midnight PST is 08:00 UTC, and the
# next midnight (PDT) is 07:00 UTC.
MARCH_10_MIDNIGHT_LA = 1_710_057_600.0
MARCH_11_MIDNIGHT_LA = MARCH_10_MIDNIGHT_LA + 23 * 3600


def test_the_quota_day_turns_at_midnight_in_los_angeles_across_dst() -> None:
    assert quota_day(MARCH_10_MIDNIGHT_LA - 1) == "2024-03-09"
    assert quota_day(MARCH_10_MIDNIGHT_LA) == "2024-03-10"
    assert quota_day(MARCH_11_MIDNIGHT_LA - 1) == "2024-03-10"
    assert quota_day(MARCH_11_MIDNIGHT_LA) == "2024-03-11"


def test_quota_book_counts_per_project_and_forgets_at_the_reset() -> None:
    book = QuotaBook(daily_quota=10)
    now = MARCH_10_MIDNIGHT_LA + 60
    book.charge("key", 5, now=now)
    book.charge("client", 1, now=now)
    assert book.allows("key", 5, now=now)
    assert not book.allows("key", 6, now=now)
    assert (book.used("key", now=now), book.used("client", now=now)) == (5, 1)
    assert book.used("key", now=MARCH_11_MIDNIGHT_LA) == 0
    book.exhaust("client", now=now)
    assert not book.allows("client", 1, now=now)
    assert book.allows("client", 10, now=MARCH_11_MIDNIGHT_LA)


def store() -> TokenStore:
    return TokenStore({"cid": "sec"}, {"rt": "cid"}, ttl=100.0)


FORM = {
    "grant_type": "refresh_token",
    "client_id": "cid",
    "client_secret": "sec",
    "refresh_token": "rt",
}


def test_tokens_are_granted_checked_and_expire() -> None:
    tokens = store()
    grant = tokens.grant(FORM, now=1000.0)
    assert isinstance(grant, TokenGrant)
    assert (grant.client_id, grant.refresh_token, grant.expires_at) == ("cid", "rt", 1100.0)
    assert tokens.check(grant.access_token, now=1099.9) == grant
    assert tokens.check(grant.access_token, now=1100.0) is None
    assert tokens.check("made-up", now=1000.0) is None


@pytest.mark.parametrize(
    ("change", "answer"),
    [
        ({"grant_type": "password"}, (400, "unsupported_grant_type")),
        ({"client_secret": "nope"}, (401, "invalid_client")),
        ({"client_id": ""}, (401, "invalid_client")),
        ({"refresh_token": "other"}, (400, "invalid_grant")),
    ],
)
def test_bad_grants_are_refused(change: dict[str, str], answer: tuple[int, str]) -> None:
    refused = store().grant(FORM | change, now=0.0)
    assert isinstance(refused, tuple)
    assert refused[:2] == answer


def test_revoking_a_refresh_token_kills_its_access_tokens() -> None:
    tokens = store()
    tokens.add_refresh_token("rt2", "cid")
    first = tokens.grant(FORM, now=0.0)
    second = tokens.grant(FORM | {"refresh_token": "rt2"}, now=0.0)
    assert isinstance(first, TokenGrant) and isinstance(second, TokenGrant)
    tokens.revoke("rt")
    assert tokens.check(first.access_token, now=1.0) is None
    assert tokens.check(second.access_token, now=1.0) == second
    assert tokens.grant(FORM, now=1.0) == (
        400,
        "invalid_grant",
        "Token has been expired or revoked.",
    )
    tokens.revoke_access()
    assert tokens.check(second.access_token, now=1.0) is None
    assert isinstance(tokens.grant(FORM | {"refresh_token": "rt2"}, now=1.0), TokenGrant)


def test_faults_fire_in_order_for_their_endpoint_and_run_out() -> None:
    queue = FaultQueue()
    queue.add(PendingFault(2, "liveChatMessages.list", status=503))
    queue.add(PendingFault(1, None, delay=3.0))
    queue.add(PendingFault(0, None, status=500))
    assert queue.take("token") is None
    slow = queue.take("videos.list")
    assert slow is not None and slow.delay == 3.0
    assert queue.take("videos.list") is None
    statuses = [queue.take("liveChatMessages.list") for _ in range(3)]
    assert [f.status if f else None for f in statuses] == [503, 503, None]
    assert queue.pending == []
