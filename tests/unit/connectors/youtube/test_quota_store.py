from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from streamsuites.connectors.youtube.costs import QUOTA_TZ
from streamsuites.connectors.youtube.quota import POLL_METHOD, LedgerDay, QuotaBook
from streamsuites.connectors.youtube.quota_store import QuotaStore

NOON = datetime(2026, 3, 10, 12, tzinfo=QUOTA_TZ).timestamp()
TOMORROW = datetime(2026, 3, 11, 0, tzinfo=QUOTA_TZ).timestamp()


def test_a_new_store_on_the_same_file_remembers_the_day(tmp_path: Path) -> None:
    path = tmp_path / "data" / "streamsuites.db"
    store = QuotaStore(path)
    quota = QuotaBook(store).project("proj")
    quota.charge(POLL_METHOD, NOON)
    quota.charge("liveChatMessages.insert", NOON + 1)
    store.close()

    again = QuotaStore(path)
    restarted = QuotaBook(again).project("proj")
    assert restarted.used(NOON + 60) == 25
    assert restarted.used(TOMORROW) == 0  # a new quota day starts from zero
    assert QuotaBook(again).project("other").used(NOON) == 0
    again.close()


def test_quota_exceeded_survives_a_restart_until_the_reset(tmp_path: Path) -> None:
    path = tmp_path / "streamsuites.db"
    store = QuotaStore(path)
    QuotaBook(store).project("proj").mark_exhausted(NOON)
    store.close()

    again = QuotaStore(path)
    quota = QuotaBook(again).project("proj")
    assert quota.exhausted_until(NOON + 60) == TOMORROW
    assert quota.exhausted_until(TOMORROW) is None
    again.close()


def test_the_ledger_is_its_own_table_in_a_shared_wal_file(tmp_path: Path) -> None:
    path = tmp_path / "streamsuites.db"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE events (id INTEGER PRIMARY KEY)")
    other.commit()
    store = QuotaStore(path)
    store.add("proj", "2026-03-10", 5, NOON)
    store.add("proj", "2026-03-10", 20, NOON + 5)
    rows = other.execute("SELECT project_id, day, units, exhausted, updated_at FROM youtube_quota")
    assert rows.fetchall() == [("proj", "2026-03-10", 25, 0, NOON + 5)]
    assert other.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert store.load("proj", "2026-03-10") == LedgerDay(units=25, exhausted=False)
    assert store.load("proj", "2026-03-11") == LedgerDay()
    other.close()
    store.close()
