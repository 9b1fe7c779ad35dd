"""Builds everything from a Config, runs it in one TaskGroup, and shuts it down in order.

Start-up: open the event log and the actions database, restore the automation state, plan every
(creator, platform) connector, write a first snapshot, then run the supervisors, the action
executor, one outbox dispatcher per running connector, the state publisher and the retention
loop as named child tasks.

Shutdown, on ``stop``: close the intake (connectors can add no more events) and wait for the
appends under way to commit, cancel the connectors and the loops, write the final snapshot, and
close the databases. Each step that can hang is bounded, so the whole takes at most
``shutdown_timeout`` seconds plus the final write.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from streamsuites import __version__
from streamsuites.actions.audit import AuditLog
from streamsuites.actions.database import ActionDatabase
from streamsuites.actions.dispatcher import OutboxDispatcher
from streamsuites.actions.executor import ActionExecutor
from streamsuites.actions.handlers import SendChatHandler, build_handlers
from streamsuites.actions.webhook import WebhookClient, WebhookHandler
from streamsuites.automation import Automation, AutomationStore
from streamsuites.clock import SystemClock
from streamsuites.connectors.base import ConnectorServices, ConnectorSpec
from streamsuites.connectors.plan import ConnectorPlan, plan_connectors
from streamsuites.connectors.supervisor import BackoffPolicy, Supervisor
from streamsuites.eventlog.sqlite import SqliteEventLog
from streamsuites.intake import Intake
from streamsuites.interactive import build_interactive_files
from streamsuites.jobs.store import JobStore
from streamsuites.state.publisher import StatePublisher
from streamsuites.state.runtime_state import ConnectorStatus, CreatorState, RuntimeState

if TYPE_CHECKING:
    from collections.abc import Mapping

    from streamsuites.clock import Clock
    from streamsuites.config.model import Config
    from streamsuites.connectors.base import ConnectorFactory

__all__ = ["ACTIONS_CONSUMER", "Runtime", "RuntimeOptions"]

ACTIONS_CONSUMER = "actions"

_log = logging.getLogger("streamsuites.runtime")


@dataclass(frozen=True, slots=True, kw_only=True)
class RuntimeOptions:
    """Where the runtime keeps its files and how it paces itself."""

    state_dir: Path = Path("state")
    data_dir: Path = Path("data")
    publish_root: Path | None = None
    shutdown_timeout: float = 8.0
    retention_interval: float = 3600.0
    backoff: BackoffPolicy = field(default_factory=BackoffPolicy)

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
        self.services = ConnectorServices(clock=self.clock, data_dir=str(options.data_dir))
        """Shared by every connector of this runtime (clock, cross-creator books)."""

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
        executor = self._executor(automation, store, webhooks)
        intake = Intake(self.log, on_append=executor.notify)
        publisher = self._publisher(automation)
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
                *(
                    tasks.create_task(d.run(), name=f"outbox:{d.source}")
                    for d in self._dispatchers.values()
                ),
            ]
            self._lifecycle("runtime started")
            self.ready.set()
            await stop.wait()
            self._lifecycle("runtime stopping")
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

    def _notify_outbox(self, creator_id: str, platform: str) -> None:
        self._dispatchers[(creator_id, platform)].notify()

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
            documents=lambda now: build_interactive_files(automation.interactive, now),
        )

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
