"""Builds everything from a Config, runs it in one TaskGroup, and shuts it down in order.

Start-up: open the event log and the actions database, restore the automation state, plan every
(creator, platform) connector, write a first snapshot, then run the supervisors, the action
executor, one outbox dispatcher per running connector, the job worker (when job kinds are
registered; the ``clip`` kind always is), one task per clip capture, the web
server (when configured), the state publisher and the retention loop as named child tasks.

Shutdown, on ``stop``: close the web server, close the intake (connectors can add no more
events) and wait for the appends under way to commit, let running jobs finish or requeue them,
cancel the connectors and the loops, write the final snapshot, and close the databases. Each
step that can hang is bounded: the web server's 2 s, ``shutdown_timeout`` for the appends,
``job_drain_timeout`` for the jobs and ``shutdown_timeout`` again for the tasks, plus the final
write (about 23 s at most with the defaults; an idle runtime stops at once).
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

from streamsuites import __version__
from streamsuites.actions.audit import AuditLog
from streamsuites.actions.database import ActionDatabase
from streamsuites.actions.dispatcher import OutboxDispatcher
from streamsuites.actions.executor import ActionExecutor
from streamsuites.actions.handlers import ClipJobHandler, SendChatHandler, build_handlers
from streamsuites.actions.webhook import WebhookClient, WebhookHandler
from streamsuites.automation import Automation, AutomationStore
from streamsuites.clips.service import ClipService
from streamsuites.clock import SystemClock
from streamsuites.connectors.base import ConnectorServices, ConnectorSpec
from streamsuites.connectors.plan import ConnectorPlan, plan_connectors
from streamsuites.connectors.supervisor import BackoffPolicy, Supervisor
from streamsuites.eventlog.sqlite import SqliteEventLog
from streamsuites.intake import Intake
from streamsuites.interactive import build_interactive_files
from streamsuites.jobs.replies import ChatReplies
from streamsuites.jobs.store import JobStore
from streamsuites.jobs.worker import JobWorker, WorkerOptions
from streamsuites.state.publisher import StatePublisher
from streamsuites.state.runtime_state import ConnectorStatus, CreatorState, RuntimeState
from streamsuites.web import WebOptions, WebServer, runtime_sources

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from streamsuites.clock import Clock
    from streamsuites.config.model import Config
    from streamsuites.connectors.base import ConnectorFactory
    from streamsuites.jobs.model import JobKind
    from streamsuites.state.quotas import QuotaUsage

__all__ = ["ACTIONS_CONSUMER", "QuotaSource", "Runtime", "RuntimeOptions"]

ACTIONS_CONSUMER = "actions"

_log = logging.getLogger("streamsuites.runtime")


@runtime_checkable
class QuotaSource(Protocol):
    """A book of API quota kept across connectors; its usage goes to quotas.json."""

    def usages(self, now: float) -> Sequence[QuotaUsage]:
        """Return the usage of every quota in the book at `now`."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class RuntimeOptions:
    """Where the runtime keeps its files and how it paces itself."""

    state_dir: Path = Path("state")
    data_dir: Path = Path("data")
    publish_root: Path | None = None
    shutdown_timeout: float = 8.0
    retention_interval: float = 3600.0
    job_drain_timeout: float = 5.0
    """Seconds running jobs get at shutdown to finish before they are cancelled and requeued."""
    jobs: WorkerOptions = field(default_factory=WorkerOptions)
    """The job worker's lease, heartbeat and poll timing, and how many jobs it runs at once."""
    backoff: BackoffPolicy = field(default_factory=BackoffPolicy)
    web: WebOptions | None = None
    """The web server's options (host, port, token); None runs no web server."""

    @property
    def database(self) -> Path:
        """The SQLite file: event log, offsets, actions audit, outbox, jobs, automation state."""
        return self.data_dir / "streamsuites.db"


class Runtime:
    """One runtime for every enabled creator in a config."""

    def __init__(
        self,
        config: Config,
        options: RuntimeOptions,
        *,
        connectors: Mapping[str, ConnectorFactory] | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self.options = options
        self.clock: Clock = clock or SystemClock()
        self.state = RuntimeState(started_at=self.clock.time())
        self.ready = asyncio.Event()
        """Set once the first snapshot is written and every task is started."""
        self.log = SqliteEventLog(options.database, retention=config.system.retention)
        self.db = ActionDatabase(options.database)
        self._factories = dict(connectors or {})
        self._rng = rng or random.Random()
        self._dispatchers: dict[tuple[str, str], OutboxDispatcher] = {}
        self.clips = ClipService.from_config(
            config, data_dir=options.data_dir, db=self.db, log=self.log, clock=self.clock,
            rng=self._rng,
        )  # fmt: skip
        """Clip captures, the ``clip`` job kind and the clip exports."""
        self.job_kinds: list[JobKind] = [self.clips.job_kind()]
        """The job kinds the worker runs; add them before ``run`` (no kinds: no worker)."""
        self.jobs: JobWorker | None = None
        """The job worker while the runtime runs with job kinds."""
        self.services = ConnectorServices(clock=self.clock, database=options.database)
        """Shared by every connector of this runtime (clock, cross-creator books)."""
        self.web: WebServer | None = None
        """The web server while the runtime runs with ``options.web`` set."""

    async def run(self, stop: asyncio.Event) -> None:
        """Run until `stop` is set, then shut down in order."""
        self._lifecycle("runtime starting")
        # The log first: it sets the file's journal and vacuum modes before any table exists.
        await self.log.start()
        try:
            await self.db.start()
            store = AutomationStore(self.options.database)
            try:
                automation = await self._restore(store)
                await self._run_started(stop, automation, store)
            finally:
                store.close()
        finally:
            self._close_shared()
            await self.db.close()
            await self.log.close()
            self._lifecycle("runtime stopped")

    async def _restore(self, store: AutomationStore) -> Automation:
        """Load the automation state and make the executor's offset agree with it."""
        blobs, saved_offset = await asyncio.to_thread(store.load)
        # The state is saved before the offset is committed; a crash between the two leaves the
        # state one checkpoint ahead, and every action of that checkpoint already recorded.
        if saved_offset is not None and saved_offset > await self.log.offset(ACTIONS_CONSUMER):
            await self.log.commit(ACTIONS_CONSUMER, saved_offset)
        return Automation(self.config, blobs)

    async def _run_started(
        self, stop: asyncio.Event, automation: Automation, store: AutomationStore
    ) -> None:
        plans = self._plans()
        self._dispatchers = {
            (p.creator.creator_id, p.settings.platform): self._dispatcher(p)
            for p in plans
            if p.blocked is None
        }
        webhooks = WebhookClient(clock=self.clock)
        self.jobs = self._job_worker()
        executor = self._executor(automation, store, webhooks)
        publisher = self._publisher(automation)
        self.web = self._web_server(automation, executor, publisher)
        intake = Intake(self.log, on_append=self._append_listener(executor))
        supervisors = [s for plan in plans if (s := self._supervisor(plan, intake)) is not None]
        await publisher.publish_all()
        try:
            await self._serve(stop, intake, supervisors, executor, publisher)
        finally:
            await webhooks.close()
        await publisher.publish_all()

    async def _serve(
        self,
        stop: asyncio.Event,
        intake: Intake,
        supervisors: list[Supervisor],
        executor: ActionExecutor,
        publisher: StatePublisher,
    ) -> None:
        async with asyncio.TaskGroup() as tasks:
            connectors = [
                tasks.create_task(s.run(), name=f"connector:{s.source}") for s in supervisors
            ]
            loops = [
                tasks.create_task(executor.run(), name="action-executor"),
                tasks.create_task(publisher.run(), name="state-publisher"),
                tasks.create_task(self._retention(), name="event-log-retention"),
                tasks.create_task(self._run_jobs(), name="job-worker"),
                *self._captures(tasks),
                *(
                    tasks.create_task(d.run(), name=f"outbox:{d.source}")
                    for d in self._dispatchers.values()
                ),
            ]
            self._lifecycle("runtime started")
            if self.web is not None:
                await self.web.start()
                loops.append(tasks.create_task(self.web.run(), name="web-server"))
            self.ready.set()
            await stop.wait()
            self._lifecycle("runtime stopping")
            if self.web is not None:
                # First, so no operator request or live stream outlives the parts it reads.
                await self.web.close()
            await self._stop(intake, connectors, loops)

    async def _stop(
        self,
        intake: Intake,
        connectors: list[asyncio.Task[None]],
        loops: list[asyncio.Task[None]],
    ) -> None:
        try:
            async with asyncio.timeout(self.options.shutdown_timeout):
                await intake.close()
        except TimeoutError:
            _log.error(
                "appends did not commit within %.0fs; stopping anyway",
                self.options.shutdown_timeout,
            )
        await self._drain_jobs()
        for task in (*connectors, *loops):
            task.cancel()
        await asyncio.wait([*connectors, *loops], timeout=self.options.shutdown_timeout)

    def _executor(
        self, automation: Automation, store: AutomationStore, webhooks: WebhookClient
    ) -> ActionExecutor:
        async def save(seq: int) -> None:
            await asyncio.to_thread(store.save, automation.snapshot(), seq)

        send = SendChatHandler(notify=self._notify_outbox, connectors=self._dispatchers.keys())
        handlers = build_handlers(
            send_chat=send,
            clip_jobs=ClipJobHandler(notify=self._notify_jobs),
            interactive=automation,
            webhook=WebhookHandler(webhooks, env=self.config.environ),
        )
        return ActionExecutor(
            self.log,
            automation,
            AuditLog(self.db),
            handlers,
            self.state,
            self.clock,
            consumer=ACTIONS_CONSUMER,
            save_state=save,
        )

    def _web_server(
        self, automation: Automation, executor: ActionExecutor, publisher: StatePublisher
    ) -> WebServer | None:
        if self.options.web is None:
            return None
        sources = runtime_sources(
            log=self.log, db=self.db, state=self.state, config=self.config, clock=self.clock,
            automation=automation, perform=executor.perform, connectors=self._dispatchers.keys(),
            ready=self.ready.is_set, state_files=publisher, quotas=self._quota_usages,
        )  # fmt: skip
        return WebServer(sources, self.options.web)

    def _append_listener(self, executor: ActionExecutor) -> Callable[[], None]:
        """Return the intake's wake-up: the executor, and the web's live hub when it runs."""
        web = self.web
        if web is None:
            return executor.notify

        def appended() -> None:
            executor.notify()
            web.hub.notify()

        return appended

    def _notify_outbox(self, creator_id: str, platform: str) -> None:
        self._dispatchers[(creator_id, platform)].notify()

    def _notify_jobs(self) -> None:
        if self.jobs is not None:
            self.jobs.notify()

    def _captures(self, tasks: asyncio.TaskGroup) -> list[asyncio.Task[None]]:
        """Start one named task per clip capture; they stop after the job drain."""
        return [
            tasks.create_task(self.clips.run_capture(key), name=f"clip-capture:{key[0]}/{key[1]}")
            for key in self.clips.captures
        ]

    def _job_worker(self) -> JobWorker | None:
        if not self.job_kinds:
            return None
        replies = ChatReplies(notify=self._notify_outbox, connectors=self._dispatchers.keys())
        return JobWorker(
            self.db,
            self.job_kinds,
            clock=self.clock,
            options=self.options.jobs,
            replies=replies,
            rng=self._rng,
        )

    async def _run_jobs(self) -> None:
        if self.jobs is not None:
            await self.jobs.run()

    async def _drain_jobs(self) -> None:
        """Stop taking jobs; running ones finish, or are requeued after the drain timeout."""
        if self.jobs is not None:
            await self.jobs.drain(self.options.job_drain_timeout)

    def _dispatcher(self, plan: ConnectorPlan) -> OutboxDispatcher:
        return OutboxDispatcher(
            self.db,
            creator_id=plan.creator.creator_id,
            platform=plan.settings.platform,
            clock=self.clock,
            state=self.state,
        )

    def _publisher(self, automation: Automation) -> StatePublisher:
        return StatePublisher(
            state=self.state,
            config=self.config,
            log=self.log,
            clock=self.clock,
            state_dir=self.options.state_dir,
            publish_root=self.options.publish_root,
            version=__version__,
            jobs=JobStore(self.db).views,
            job_totals=JobStore(self.db).totals,
            quotas=self._quota_usages,
            documents=lambda now: build_interactive_files(automation.interactive, now),
            stored_documents=self.clips.documents,
            status=self.clips.status,
        )

    def _close_shared(self) -> None:
        """Close what the connectors shared (the quota ledger's database connection)."""
        for shared in self.services.shared.values():
            close = getattr(shared, "close", None)
            if callable(close):
                close()
        self.services.shared.clear()

    def _quota_usages(self) -> list[QuotaUsage]:
        """Return the usage of every quota book the connectors share (YouTube's, per project)."""
        now = self.clock.time()
        books = [b for b in self.services.shared.values() if isinstance(b, QuotaSource)]
        return [usage for book in books for usage in book.usages(now)]

    def _plans(self) -> list[ConnectorPlan]:
        self._record_creators()
        return plan_connectors(self.config, available=self._factories.keys())

    def _supervisor(self, plan: ConnectorPlan, intake: Intake) -> Supervisor | None:
        health = self.state.connector(plan.creator.creator_id, plan.settings.platform)
        health.stale_after = self.config.system.stale_after_seconds
        if plan.blocked is not None:
            health.status, health.reason = plan.blocked
            return None
        spec = ConnectorSpec(
            creator=plan.creator,
            settings=plan.settings,
            secrets=plan.secrets,
            services=self.services,
        )
        try:
            connector = self._factories[spec.platform](spec)
        except ValueError as exc:
            # A platform option the connector cannot use: say so on this connector only.
            health.status, health.reason = ConnectorStatus.DISABLED, f"invalid config: {exc}"
            _log.error("%s for %s: %s", spec.platform, spec.creator.creator_id, health.reason)
            return None
        return Supervisor(
            spec=spec,
            connector=connector,
            intake=intake,
            state=self.state,
            clock=self.clock,
            policy=self.options.backoff,
            rng=self._rng,
            outbox=self._dispatchers[(spec.creator.creator_id, spec.platform)],
        )

    def _record_creators(self) -> None:
        for creator in self.config.creators:
            self.state.creators[creator.creator_id] = CreatorState(
                creator_id=creator.creator_id,
                display_name=creator.display_name,
                enabled=creator.enabled,
                platforms={name: p.enabled for name, p in creator.platforms.items()},
            )

    async def _retention(self) -> None:
        while True:
            try:
                removed = await self.log.prune(datetime.fromtimestamp(self.clock.time(), UTC))
            except Exception:
                _log.exception("event log retention failed; will try again")
            else:
                if removed:
                    _log.info("retention removed %d old events", removed)
            await self.clock.sleep(self.options.retention_interval)

    def _lifecycle(self, message: str, level: Literal["info", "warning"] = "info") -> None:
        _log.info(message)
        self.state.record_event("runtime", message, self.clock.time(), level)
