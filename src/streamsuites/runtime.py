"""Builds everything from a Config, runs it in one TaskGroup, and shuts it down in order.

Start-up: open the event log, plan every (creator, platform) connector, write a first snapshot,
then run the supervisors, the state publisher and the retention loop as named child tasks.

Shutdown, on ``stop``: close the intake (connectors can add no more events) and wait for the
appends under way to commit, cancel the connectors and the loops, write the final snapshot, and
close the log. Each step that can hang is bounded, so the whole takes at most
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
from streamsuites.clock import SystemClock
from streamsuites.connectors.base import ConnectorSpec
from streamsuites.connectors.plan import ConnectorPlan, plan_connectors
from streamsuites.connectors.supervisor import BackoffPolicy, Supervisor
from streamsuites.eventlog.sqlite import SqliteEventLog
from streamsuites.intake import Intake
from streamsuites.state.publisher import StatePublisher
from streamsuites.state.runtime_state import CreatorState, RuntimeState

if TYPE_CHECKING:
    from collections.abc import Mapping

    from streamsuites.clock import Clock
    from streamsuites.config.model import Config
    from streamsuites.connectors.base import ConnectorFactory

__all__ = ["Runtime", "RuntimeOptions"]

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
        """The SQLite file holding the event log (and, later, jobs and the audit log)."""
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
        """Set once the first snapshot is written and every connector task is started."""
        self.log = SqliteEventLog(options.database, retention=config.system.retention)
        self._factories = dict(connectors or {})
        self._rng = rng or random.Random()

    async def run(self, stop: asyncio.Event) -> None:
        """Run until `stop` is set, then shut down in order."""
        self._lifecycle("runtime starting")
        await self.log.start()
        try:
            await self._run_started(stop)
        finally:
            await self.log.close()
            self._lifecycle("runtime stopped")

    async def _run_started(self, stop: asyncio.Event) -> None:
        intake = Intake(self.log)
        publisher = StatePublisher(
            state=self.state,
            config=self.config,
            log=self.log,
            clock=self.clock,
            state_dir=self.options.state_dir,
            publish_root=self.options.publish_root,
            version=__version__,
        )
        supervisors = self._supervisors(intake)
        await publisher.publish_all()
        async with asyncio.TaskGroup() as tasks:
            connectors = [
                tasks.create_task(s.run(), name=f"connector:{s.source}") for s in supervisors
            ]
            loops = [
                tasks.create_task(publisher.run(), name="state-publisher"),
                tasks.create_task(self._retention(), name="event-log-retention"),
            ]
            self._lifecycle("runtime started")
            self.ready.set()
            await stop.wait()
            self._lifecycle("runtime stopping")
            await self._stop(intake, connectors, loops)
        await publisher.publish_all()

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

    def _supervisors(self, intake: Intake) -> list[Supervisor]:
        self._record_creators()
        plans = plan_connectors(self.config, available=self._factories.keys())
        return [s for plan in plans if (s := self._supervisor(plan, intake)) is not None]

    def _supervisor(self, plan: ConnectorPlan, intake: Intake) -> Supervisor | None:
        health = self.state.connector(plan.creator.creator_id, plan.settings.platform)
        health.stale_after = self.config.system.stale_after_seconds
        if plan.blocked is not None:
            health.status, health.reason = plan.blocked
            return None
        spec = ConnectorSpec(creator=plan.creator, settings=plan.settings, secrets=plan.secrets)
        return Supervisor(
            spec=spec,
            connector=self._factories[spec.platform](spec),
            intake=intake,
            state=self.state,
            clock=self.clock,
            policy=self.options.backoff,
            rng=self._rng,
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
