"""The runtime's state exporter: builds every state file on its cadence and writes it.

The builders are pure; this is the one place that reads the clock, asks the event log for its
stats, fingerprints the config directory and hands documents to a :class:`StateWriter`.
Nothing here is fatal: a failed write or build is logged and the next tick tries again.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, Protocol

from streamsuites.state.cadence import every
from streamsuites.state.exporters import StateWriter, resolve_publish_root
from streamsuites.state.jobs import build_jobs
from streamsuites.state.quotas import build_quotas
from streamsuites.state.rates import RateTracker, build_rates
from streamsuites.state.restart_intent import RestartIntent, fingerprint
from streamsuites.state.snapshot import build_runtime_snapshot
from streamsuites.state.telemetry import build_errors, build_events

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping, Sequence
    from pathlib import Path

    from streamsuites.clock import Clock
    from streamsuites.config.model import Config
    from streamsuites.eventlog import LogStats
    from streamsuites.state.jobs import JobView
    from streamsuites.state.quotas import QuotaUsage
    from streamsuites.state.runtime_state import RuntimeState

__all__ = ["StatePublisher", "StatsSource"]

logger = logging.getLogger("streamsuites.state")

SNAPSHOT_FILE = "runtime_snapshot.json"
QUOTAS_FILE = "quotas.json"
JOBS_FILE = "jobs.json"


class StatsSource(Protocol):
    """What the publisher needs of the event log: its totals."""

    async def stats(self) -> LogStats:
        """Return the log's totals."""
        ...


def _none() -> Sequence[Any]:
    return ()


async def _no_jobs() -> Sequence[JobView]:
    return ()


def _no_documents(now: float) -> Mapping[str, object]:
    return {}


async def _no_stored_documents(now: float) -> Mapping[str, object]:
    return {}


class StatePublisher:
    """Publishes the runtime snapshot, telemetry, quotas and jobs into `state_dir`.

    Files are mirrored under ``<publish root>/shared/state``; the root is `publish_root`, else
    the environment or system.json (:func:`resolve_publish_root`, read from ``config.environ``).
    `log` gives the event log's totals for the replay block (None: replay unavailable);
    `quotas` and `jobs` return what the quota tracker and job system know; `documents(now)`
    returns further state files (path → payload) written with every snapshot, such as the
    poll, tally and scoreboard exports, and `stored_documents(now)` those read from a
    database (clips.json); `status(now)` returns further top-level blocks of the snapshot
    (the clip captures' health).
    The config fingerprint taken at construction is the restart-intent baseline.
    """

    def __init__(
        self,
        *,
        state: RuntimeState,
        config: Config,
        clock: Clock,
        state_dir: Path,
        version: str,
        build: str = "dev",
        log: StatsSource | None = None,
        publish_root: Path | None = None,
        quotas: Callable[[], Sequence[QuotaUsage]] = _none,
        jobs: Callable[[], Awaitable[Sequence[JobView]]] = _no_jobs,
        job_totals: Callable[[], Awaitable[Mapping[tuple[str, str], int]]] | None = None,
        documents: Callable[[float], Mapping[str, object]] = _no_documents,
        stored_documents: Callable[[float], Awaitable[Mapping[str, object]]] = (
            _no_stored_documents
        ),
        status: Callable[[float], Mapping[str, object]] = _no_documents,
    ) -> None:
        root = resolve_publish_root(publish_root, config.environ, config)
        self.writer = StateWriter(state_dir, root)
        self._state, self._config, self._clock = state, config, clock
        self._version, self._build = version, build
        self._log, self._quotas, self._jobs, self._documents = log, quotas, jobs, documents
        self._job_totals = job_totals
        self._stored_documents, self._status = stored_documents, status
        self._rates = RateTracker()
        self._baseline = fingerprint(config.directory)
        self._restart_logged = False

    async def publish_all(self) -> bool:
        """Write every state file once (at start and for the final write at shutdown)."""
        results = [
            await self.publish_snapshot(),
            await self.publish_quotas(),
            await self.publish_jobs(),
        ]
        return all(results)

    async def snapshot_document(self, now: float) -> dict[str, Any]:
        """Return runtime_snapshot.json as of `now` (the web API serves the same document)."""
        snapshot = build_runtime_snapshot(
            state=self._state,
            config=self._config,
            now=now,
            version=self._version,
            build=self._build,
            replay=await self._replay_stats(),
            restart_intent=self._restart_intent(),
        )
        return {**snapshot, **self._status(now)}

    def quotas_document(self, now: float) -> dict[str, Any]:
        """Return quotas.json as of `now`."""
        return build_quotas(self._quotas(), now=now)

    async def jobs_document(self, now: float) -> dict[str, Any]:
        """Return jobs.json as of `now`."""
        totals = None if self._job_totals is None else await self._job_totals()
        return build_jobs(await self._jobs(), now=now, totals=totals)

    async def stored_documents(self, now: float) -> Mapping[str, object]:
        """Return the documents built from stored rows (clips.json, the public clips export)."""
        try:
            return await self._stored_documents(now)
        except Exception:
            # The snapshot itself must still be written; those files are retried next tick.
            logger.exception("reading stored state documents failed")
            return {}

    async def publish_snapshot(self) -> bool:
        """Write runtime_snapshot.json, telemetry/{events,errors,rates}.json and `documents`."""
        now = self._clock.time()
        self._rates.sample(self._state.platform_counters(), now)
        snapshot = await self.snapshot_document(now)
        stored = await self.stored_documents(now)
        return self._write_all(
            {
                SNAPSHOT_FILE: snapshot,
                "telemetry/events.json": build_events(self._state.events, now=now),
                "telemetry/errors.json": build_errors(self._state.errors, now=now),
                "telemetry/rates.json": build_rates(self._rates, now=now),
                **self._documents(now),
                **stored,
            }
        )

    async def publish_quotas(self) -> bool:
        """Write quotas.json."""
        return self.writer.write(QUOTAS_FILE, self.quotas_document(self._clock.time()))

    async def publish_jobs(self) -> bool:
        """Write jobs.json."""
        return self.writer.write(JOBS_FILE, await self.jobs_document(self._clock.time()))

    async def run(self) -> None:
        """Publish on both cadences until cancelled; the first ticks come one interval in."""
        system = self._config.system
        async with asyncio.TaskGroup() as group:
            group.create_task(self._loop(system.snapshot_interval_seconds, self._snapshot_tick))
            group.create_task(self._loop(system.quotas_interval_seconds, self.publish_quotas))

    async def _snapshot_tick(self) -> bool:
        ok = await self.publish_snapshot()
        return await self.publish_jobs() and ok

    async def _loop(self, interval: float, publish: Callable[[], Awaitable[bool]]) -> None:
        async for tick in every(interval, self._clock, immediate=False):
            if tick.skipped:
                logger.warning("state export fell behind; skipped %d tick(s)", tick.skipped)
            try:
                await publish()
            except Exception:
                # A bug in a builder must not take the runtime down; the next tick tries again.
                logger.exception("building state files failed")

    def _write_all(self, documents: dict[str, Any]) -> bool:
        return all([self.writer.write(path, doc) for path, doc in documents.items()])

    async def _replay_stats(self) -> LogStats | None:
        if self._log is None:
            return None
        try:
            return await self._log.stats()
        except Exception:
            logger.exception("reading event log stats failed; replay reported unavailable")
            return None

    def _restart_intent(self) -> RestartIntent:
        intent = RestartIntent.compare(self._baseline, fingerprint(self._config.directory))
        if intent.required and not self._restart_logged:
            changed = sorted(c for c, on in intent.pending.items() if on)
            logger.warning("config changed on disk (%s); restart to apply", ", ".join(changed))
            self._restart_logged = True
        return intent
