from __future__ import annotations

import asyncio
import sqlite3
from typing import TYPE_CHECKING, Any

import pytest

from streamsuites.actions.audit import ActionResult, ActionStatus, AuditLog
from streamsuites.actions.database import ActionDatabase
from streamsuites.actions.executor import INTERRUPTED, ActionExecutor, Decisions
from streamsuites.actions.handlers import ActionContext, SendChatHandler, Staged, build_handlers
from streamsuites.actions.outbox import OutboxStatus, OutboxStore
from streamsuites.eventlog.sqlite import SqliteEventLog
from streamsuites.jobs.store import JobStatus, JobStore
from streamsuites.state.runtime_state import RuntimeState
from tests.unit.actions.factory import FakeReducers, ScriptedEvaluator, chat

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from streamsuites.actions.descriptor import ActionDescriptor
    from streamsuites.actions.handlers import Handler
    from streamsuites.events import Event
    from streamsuites.testing.clock import FakeClock

SCRIPT: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "hello": [("send_chat_message", {"text": "hi there"})],
    "clip": [
        ("send_chat_message", {"text": "clipping"}),
        ("enqueue_clip_job", {"length": 30}),
    ],
    "bogus": [("teleport", {})],
}


def make(
    log: SqliteEventLog,
    db: ActionDatabase,
    state: RuntimeState,
    clock: FakeClock,
    evaluator: Any = None,
    handlers: Mapping[str, Handler] | None = None,
    **options: Any,
) -> ActionExecutor:
    return ActionExecutor(
        log,
        evaluator or ScriptedEvaluator(SCRIPT),
        AuditLog(db),
        build_handlers() if handlers is None else handlers,
        state,
        clock,
        **options,
    )


class Reopened:
    """A fresh log and actions database on the same file: the runtime after a restart."""

    def __init__(self, path: Path) -> None:
        self.log = SqliteEventLog(path)
        self.db = ActionDatabase(path)

    async def __aenter__(self) -> Reopened:
        await self.log.start()
        await self.db.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.db.close()
        await self.log.close()


@pytest.mark.asyncio
async def test_performs_actions_records_them_and_commits_the_offset(log, db, state, clock):
    await log.append([chat(1, "!hello"), chat(2, "just chatting"), chat(3, "!clip")])
    executor = make(log, db, state, clock)

    assert await executor.run_once() == 3

    rows = await OutboxStore(db).rows()
    assert [row.message.text for row in rows] == ["hi there", "clipping"]
    assert {row.status for row in rows} == {OutboxStatus.QUEUED}
    assert rows[0].message.channel == "alice_chan"
    jobs = await JobStore(db).recent()
    assert [(job.kind, job.status, job.payload["request"]) for job in jobs] == [
        ("clip", JobStatus.QUEUED, {"length": 30})
    ]
    assert await log.offset("actions") == 3
    counters = state.connector("alice", "twitch").counters
    assert (counters.triggers, counters.actions, counters.actions_failed) == (2, 3, 0)
    records = await AuditLog(db).recent()
    assert {r.status for r in records} == {ActionStatus.SUCCEEDED}
    assert all(r.duration_ms is not None and r.finished_at is not None for r in records)


@pytest.mark.asyncio
async def test_unknown_action_type_fails_as_unsupported(log, db, state, clock):
    await log.append([chat(1, "!bogus")])
    await make(log, db, state, clock).run_once()

    (record,) = await AuditLog(db).recent()
    assert record.status is ActionStatus.FAILED
    assert record.reason == "unsupported action_type 'teleport'"
    assert state.connector("alice", "twitch").counters.actions_failed == 1


@pytest.mark.asyncio
async def test_a_restart_resumes_from_the_offset_and_runs_no_action_twice(
    db_path, log, db, state, clock
):
    await log.append([chat(1, "!hello"), chat(2, "!clip")])
    await make(log, db, state, clock).run_once()
    await db.close()
    await log.close()

    async with Reopened(db_path) as again:
        await again.log.append([chat(3, "!hello")])
        evaluator = ScriptedEvaluator(SCRIPT)
        fresh = RuntimeState(started_at=clock.time())
        await make(again.log, again.db, fresh, clock, evaluator).run_once()

        assert evaluator.calls == ["twitch:m3"]
        texts = [row.message.text for row in await OutboxStore(again.db).rows()]
        assert texts == ["hi there", "clipping", "hi there"]
        assert fresh.connector("alice", "twitch").counters.actions == 1


@pytest.mark.asyncio
async def test_an_uncommitted_offset_replays_the_event_but_skips_recorded_actions(
    db_path, log, db, state, clock
):
    class CommitCrash(SqliteEventLog):
        async def commit(self, consumer: str, seq: int) -> None:
            raise RuntimeError("killed before the offset was committed")

    await log.append([chat(1, "!clip")])
    await log.close()
    crashing = CommitCrash(db_path)
    await crashing.start()
    with pytest.raises(RuntimeError, match="killed"):
        await make(crashing, db, state, clock).run_once()
    await crashing.close()
    await db.close()

    async with Reopened(db_path) as again:
        evaluator = ScriptedEvaluator(SCRIPT)
        fresh = RuntimeState(started_at=clock.time())
        await make(again.log, again.db, fresh, clock, evaluator).run_once()

        assert evaluator.calls == ["twitch:m1"]
        assert len(await OutboxStore(again.db).rows()) == 1
        assert len(await JobStore(again.db).recent()) == 1
        assert fresh.connector("alice", "twitch").counters.actions == 0
        assert await again.log.offset("actions") == 1


class CrashingSend(SendChatHandler):
    """Writes the outbox row, then dies inside the transaction, as a kill mid-commit would."""

    def stage(self, descriptor: ActionDescriptor, context: ActionContext) -> Staged | ActionResult:
        staged = super().stage(descriptor, context)
        assert isinstance(staged, Staged)

        def write(conn: sqlite3.Connection) -> None:
            staged.write(conn)
            raise KeyboardInterrupt("killed mid-transaction")

        return Staged(staged.result, write)


@pytest.mark.asyncio
async def test_audit_and_outbox_row_commit_together_or_not_at_all(db_path, log, db, state, clock):
    await log.append([chat(1, "!hello")])
    handlers = {**build_handlers(), "send_chat_message": CrashingSend()}
    with pytest.raises(KeyboardInterrupt):
        await make(log, db, state, clock, handlers=handlers).run_once()
    await db.close()
    await log.close()

    async with Reopened(db_path) as again:
        assert await OutboxStore(again.db).rows() == []
        assert await AuditLog(again.db).recent() == []
        assert await again.log.offset("actions") == 0

        await make(again.log, again.db, RuntimeState(started_at=0), clock).run_once()
        (row,) = await OutboxStore(again.db).rows()
        (record,) = await AuditLog(again.db).recent()
        assert row.message.action_id == record.descriptor.action_id
        assert record.status is ActionStatus.SUCCEEDED


class Hang:
    """An effect handler whose effect never returns: the process dies while it runs."""

    def __init__(self, *, idempotent: bool) -> None:
        self.idempotent = idempotent
        self.started = asyncio.Event()

    async def perform(self, descriptor: ActionDescriptor, context: ActionContext) -> ActionResult:
        self.started.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


class Count:
    def __init__(self, *, idempotent: bool) -> None:
        self.idempotent = idempotent
        self.performed: list[str] = []

    async def perform(self, descriptor: ActionDescriptor, context: ActionContext) -> ActionResult:
        self.performed.append(descriptor.action_id)
        return ActionResult.succeeded()


async def crash_during_effect(log, db, state, clock, *, idempotent: bool) -> None:
    """Run ``!hook`` until its effect has started, then kill the executor."""
    evaluator = ScriptedEvaluator({"hook": [("http_webhook", {})]})
    hang = Hang(idempotent=idempotent)
    executor = make(log, db, state, clock, evaluator, {"http_webhook": hang})
    task = asyncio.create_task(executor.run_once())
    await hang.started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("idempotent", "status", "reason", "performed"),
    [
        (False, ActionStatus.FAILED, INTERRUPTED, 0),
        # Finished by recover(), then applied once more when the event is replayed: an
        # idempotent handler's state was restored from before the event (see _replay).
        (True, ActionStatus.SUCCEEDED, None, 2),
    ],
)
async def test_a_claim_left_pending_by_a_crash(
    db_path, log, db, state, clock, idempotent, status, reason, performed
):
    await log.append([chat(1, "!hook")])
    await crash_during_effect(log, db, state, clock, idempotent=idempotent)
    (pending,) = await AuditLog(db).pending()
    await db.close()
    await log.close()

    async with Reopened(db_path) as again:
        handler = Count(idempotent=idempotent)
        evaluator = ScriptedEvaluator({"hook": [("http_webhook", {})]})
        fresh = RuntimeState(started_at=0)
        executor = make(again.log, again.db, fresh, clock, evaluator, {"http_webhook": handler})
        assert await executor.recover() == 1
        await executor.run_once()

        record = await AuditLog(again.db).get(pending.descriptor.action_id)
        assert record is not None
        assert (record.status, record.reason) == (status, reason)
        assert len(handler.performed) == performed
        assert await AuditLog(again.db).pending() == []


@pytest.mark.asyncio
async def test_a_pending_claim_met_during_replay_is_finished_too(log, db, state, clock):
    await log.append([chat(1, "!hook")])
    await crash_during_effect(log, db, state, clock, idempotent=False)

    handler = Count(idempotent=False)
    evaluator = ScriptedEvaluator({"hook": [("http_webhook", {})]})
    await make(log, db, state, clock, evaluator, {"http_webhook": handler}).run_once()

    (record,) = await AuditLog(db).recent()
    assert (record.status, record.reason) == (ActionStatus.FAILED, INTERRUPTED)
    assert handler.performed == []


@pytest.mark.asyncio
async def test_interactive_actions_go_to_the_reducers_and_a_refusal_is_a_skip(
    log, db, state, clock
):
    reducers = FakeReducers(refuse={"poll_vote"})
    evaluator = ScriptedEvaluator(
        {"vote": [("poll_vote", {"option": 1})], "point": [("score_award", {"points": 5})]}
    )
    handlers = build_handlers(interactive=reducers)
    await log.append([chat(1, "!vote"), chat(2, "!point")])
    await make(log, db, state, clock, evaluator, handlers).run_once()

    records = {r.descriptor.action_type: r for r in await AuditLog(db).recent()}
    assert (records["poll_vote"].status, records["poll_vote"].reason) == (
        ActionStatus.SKIPPED,
        "poll is closed",
    )
    assert records["score_award"].status is ActionStatus.SUCCEEDED
    assert len(reducers.applied) == 1


@pytest.mark.asyncio
async def test_a_replayed_event_applies_its_state_kept_actions_again(
    db_path, log, db, state, clock
):
    # The reducers' state is restored from the checkpoint before the event, so an action the
    # audit already has as succeeded must reach them again; the send is not repeated.
    class CommitCrash(SqliteEventLog):
        async def commit(self, consumer: str, seq: int) -> None:
            raise RuntimeError("killed before the offset was committed")

    script: dict[str, list[tuple[str, dict[str, Any]]]] = {
        "point": [("score_award", {"points": 5}), ("send_chat_message", {"text": "+5"})]
    }
    await log.append([chat(1, "!point")])
    await log.close()
    crashing = CommitCrash(db_path)
    await crashing.start()
    before_crash = FakeReducers()
    handlers = build_handlers(interactive=before_crash)
    with pytest.raises(RuntimeError, match="killed"):
        await make(crashing, db, state, clock, ScriptedEvaluator(script), handlers).run_once()
    await crashing.close()
    await db.close()

    async with Reopened(db_path) as again:
        restored = FakeReducers()
        handlers = build_handlers(interactive=restored)
        evaluator = ScriptedEvaluator(script)
        await make(again.log, again.db, state, clock, evaluator, handlers).run_once()
        assert before_crash.applied == restored.applied
        assert len(restored.applied) == 1
        assert len(await OutboxStore(again.db).rows()) == 1


@pytest.mark.asyncio
async def test_a_raising_handler_fails_only_its_action(log, db, state, clock):
    class Broken:
        idempotent = False

        async def perform(self, descriptor: ActionDescriptor, ctx: ActionContext) -> ActionResult:
            raise ValueError("boom")

    evaluator = ScriptedEvaluator(
        {"x": [("http_webhook", {}), ("send_chat_message", {"text": "ok"})]}
    )
    handlers = {**build_handlers(), "http_webhook": Broken()}
    await log.append([chat(1, "!x")])
    await make(log, db, state, clock, evaluator, handlers).run_once()

    statuses = {r.descriptor.action_type: (r.status, r.reason) for r in await AuditLog(db).recent()}
    assert statuses == {
        "http_webhook": (ActionStatus.FAILED, "handler raised ValueError: boom"),
        "send_chat_message": (ActionStatus.SUCCEEDED, "queued"),
    }


@pytest.mark.asyncio
async def test_an_evaluator_failure_skips_the_event_and_is_reported(log, db, state, clock):
    def evaluator(event: Event, now: float) -> Decisions:
        if event.event_id == "twitch:m1":
            raise RuntimeError("bad trigger")
        return ScriptedEvaluator(SCRIPT)(event, now)

    await log.append([chat(1, "!hello"), chat(2, "!hello")])
    await make(log, db, state, clock, evaluator).run_once()

    assert len(await OutboxStore(db).rows()) == 1
    assert await log.offset("actions") == 2
    assert "bad trigger" in state.errors[-1].message


@pytest.mark.asyncio
async def test_backfill_never_fires_triggers(log, db, state, clock):
    evaluator = ScriptedEvaluator(SCRIPT)
    await log.append([chat(1, "!hello", backfill=True)])
    await make(log, db, state, clock, evaluator).run_once()

    assert evaluator.calls == []
    assert await log.offset("actions") == 1


@pytest.mark.asyncio
async def test_state_is_saved_once_per_batch_before_the_offset_commit(log, db, state, clock):
    saved: list[tuple[int, int]] = []

    async def save_state(seq: int) -> None:
        saved.append((seq, await log.offset("actions")))

    await log.append([chat(1, "!hello"), chat(2, "chat"), chat(3, "!hello")])
    await make(log, db, state, clock, save_state=save_state).run_once()

    assert saved == [(3, 0)]
    assert await log.offset("actions") == 3


@pytest.mark.asyncio
async def test_run_waits_for_notify_and_wakes_the_outbox(log, db, state, clock):
    woken: list[tuple[str, str]] = []
    handlers = build_handlers(send_chat=SendChatHandler(notify=lambda *key: woken.append(key)))
    executor = make(log, db, state, clock, handlers=handlers, poll_interval=3600)
    task = asyncio.create_task(executor.run())
    try:
        await log.append([chat(1, "!hello")])
        executor.notify()
        for _ in range(1000):  # up to 5 s on a loaded machine; breaks as soon as woken
            if woken:
                break
            await asyncio.sleep(0.005)
        assert woken == [("alice", "twitch")]
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


@pytest.mark.asyncio
async def test_send_to_a_platform_without_a_connector_fails_at_once(log, db, state, clock):
    handlers = build_handlers(send_chat=SendChatHandler(connectors={("alice", "kick")}))
    await log.append([chat(1, "!hello")])
    await make(log, db, state, clock, handlers=handlers).run_once()

    (record,) = await AuditLog(db).recent()
    assert (record.status, record.reason) == (ActionStatus.FAILED, "no twitch connector for alice")
    assert await OutboxStore(db).rows() == []
