from __future__ import annotations

import pytest

from streamsuites.actions.audit import ActionResult, ActionStatus, AuditLog, Timing
from streamsuites.actions.database import ActionDatabase
from streamsuites.errors import ComponentStateError
from tests.unit.actions.factory import chat, descriptor


@pytest.mark.asyncio
async def test_lifecycle(tmp_path):
    db = ActionDatabase(tmp_path / "a.db")
    with pytest.raises(ComponentStateError, match="not started"):
        await db.read(lambda conn: None)
    await db.start()
    with pytest.raises(ComponentStateError):
        await db.start()
    await db.close()
    await db.close()
    with pytest.raises(ComponentStateError, match="closed"):
        await db.read(lambda conn: None)


@pytest.mark.asyncio
async def test_shares_the_file_with_the_event_log(db, log):
    await log.append([chat(1, "hi")])
    await AuditLog(db).record(
        descriptor(),
        ActionResult.succeeded(),
        Timing(started_at=1.0, finished_at=1.5, duration_ms=500.0),
    )

    assert (await log.stats()).event_count == 1
    mode = await db.read(lambda conn: conn.execute("PRAGMA journal_mode").fetchone()[0])
    assert mode == "wal"
    timeout = await db.read(lambda conn: conn.execute("PRAGMA busy_timeout").fetchone()[0])
    assert timeout == 5000


@pytest.mark.asyncio
async def test_a_failed_transaction_leaves_nothing(db):
    def half(conn):
        conn.execute(
            "INSERT INTO jobs (job_id, kind, creator_id, payload, status, created_at,"
            " updated_at) VALUES ('j', 'clip', 'c', '{}', 'queued', 0, 0)"
        )
        raise RuntimeError("crash")

    with pytest.raises(RuntimeError):
        await db.transact(half)
    assert await db.read(lambda conn: conn.execute("SELECT count(*) FROM jobs").fetchone()) == (0,)


@pytest.mark.asyncio
async def test_audit_claim_and_finish(db):
    audit = AuditLog(db)
    action = descriptor("http_webhook", {"url": "http://x"})
    await audit.claim(action, 100.0)

    record = await audit.get(action.action_id)
    assert record is not None
    assert (record.status, record.finished, record.descriptor) == (
        ActionStatus.PENDING,
        False,
        action,
    )
    timing = Timing(started_at=100.0, finished_at=100.25, duration_ms=250.0)
    assert await audit.finish(action.action_id, ActionResult.failed("HTTP 400"), timing)
    assert not await audit.finish(action.action_id, ActionResult.succeeded(), timing)

    record = await audit.get(action.action_id)
    assert record is not None
    assert (record.status, record.reason, record.duration_ms) == (
        ActionStatus.FAILED,
        "HTTP 400",
        250.0,
    )
    assert await audit.pending() == []
    assert await audit.get("act_missing") is None


@pytest.mark.asyncio
async def test_an_action_is_recorded_once(db):
    audit = AuditLog(db)
    timing = Timing(started_at=1.0, finished_at=1.0, duration_ms=0.0)
    await audit.record(descriptor(), ActionResult.skipped("cooldown"), timing)
    with pytest.raises(Exception, match="UNIQUE"):
        await audit.claim(descriptor(), 2.0)
