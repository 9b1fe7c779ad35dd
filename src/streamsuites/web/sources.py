"""What the web server reads, handed in by the runtime: it owns none of it.

:class:`WebSources` names the event log, the live state, the config, the clock, the documents
(``polls``, ``tallies``, ``scoreboards``, ``jobs``, ``quotas``, ``clips``, ``snapshot``: the
same builders as the state files, called on demand so the API is never a snapshot interval
behind), and the operator entry point. :func:`runtime_documents` builds those documents from the
runtime's parts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

from streamsuites import __version__
from streamsuites.clips.export import build_clips
from streamsuites.clips.service import CLIPS_FILE
from streamsuites.interactive.exports import build_polls, build_scoreboards, build_tallies
from streamsuites.jobs.store import JobStore
from streamsuites.state.jobs import build_jobs
from streamsuites.state.quotas import build_quotas
from streamsuites.state.restart_intent import RestartIntent, fingerprint
from streamsuites.state.snapshot import build_runtime_snapshot
from streamsuites.web.operator import Operator

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence

    from streamsuites.actions.audit import ActionResult
    from streamsuites.actions.database import ActionDatabase
    from streamsuites.actions.descriptor import ActionDescriptor
    from streamsuites.automation import Automation
    from streamsuites.clock import Clock
    from streamsuites.config.model import Config
    from streamsuites.eventlog import EventLog
    from streamsuites.interactive import InteractiveEngine
    from streamsuites.state.jobs import JobView
    from streamsuites.state.quotas import QuotaUsage
    from streamsuites.state.runtime_state import RuntimeState

__all__ = ["DOCUMENTS", "DocumentSource", "WebSources", "runtime_documents", "runtime_sources"]

DocumentSource: TypeAlias = "Callable[[float], Awaitable[Mapping[str, Any]]]"
"""``source(now)`` returns one state document as of `now`."""

DOCUMENTS = ("polls", "tallies", "scoreboards", "jobs", "quotas", "clips", "snapshot")
"""The documents the API serves under ``/api/v1/<name>``."""


def _no_quotas() -> Sequence[QuotaUsage]:
    return ()


def _always() -> bool:
    return True


class ClipSource(Protocol):
    """What the API reads of the clip service (:class:`streamsuites.clips.service.ClipService`)."""

    async def documents(self, now: float) -> Mapping[str, object]:
        """Return clips.json (``"clips.json"``) and the public clips export."""
        ...

    def status(self, now: float) -> Mapping[str, Any]:
        """Return the snapshot's ``clips`` block."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class WebSources:
    """Everything the web server reads; `operator` None turns the mutating endpoints off."""

    log: EventLog
    state: RuntimeState
    config: Config
    clock: Clock
    documents: Mapping[str, DocumentSource] = field(default_factory=dict)
    operator: Operator | None = None
    db: ActionDatabase | None = None
    """The actions database, for the metrics of actions and sends."""
    quotas: Callable[[], Sequence[QuotaUsage]] = _no_quotas
    ready: Callable[[], bool] = _always
    """Whether the runtime is serving (started and not stopping), for /healthz."""


def runtime_documents(
    *,
    state: RuntimeState,
    config: Config,
    log: EventLog,
    interactive: InteractiveEngine,
    jobs: Callable[[], Awaitable[Sequence[JobView]]],
    job_totals: Callable[[], Awaitable[Mapping[tuple[str, str], int]]] | None = None,
    quotas: Callable[[], Sequence[QuotaUsage]] = _no_quotas,
    clips: ClipSource | None = None,
    build: str = "dev",
) -> dict[str, DocumentSource]:
    """Return the document sources of a running runtime, built like its state files."""
    baseline = fingerprint(config.directory)

    async def snapshot(now: float) -> Mapping[str, Any]:
        intent = RestartIntent.compare(baseline, fingerprint(config.directory))
        document = build_runtime_snapshot(
            state=state, config=config, now=now, version=__version__, build=build,
            replay=await log.stats(), restart_intent=intent,
        )  # fmt: skip
        return document if clips is None else {**document, **clips.status(now)}

    async def clip_list(now: float) -> Mapping[str, Any]:
        if clips is None:
            return build_clips((), now=now)
        document = (await clips.documents(now))[CLIPS_FILE]
        assert isinstance(document, dict)
        return document

    async def job_list(now: float) -> Mapping[str, Any]:
        totals = None if job_totals is None else await job_totals()
        return build_jobs(await jobs(), now=now, totals=totals)

    async def quota_list(now: float) -> Mapping[str, Any]:
        return build_quotas(quotas(), now=now)

    def interactive_source(
        builder: Callable[[InteractiveEngine, float], dict[str, Any]],
    ) -> DocumentSource:
        async def source(now: float) -> Mapping[str, Any]:
            return builder(interactive, now)

        return source

    return {
        "polls": interactive_source(build_polls),
        "tallies": interactive_source(build_tallies),
        "scoreboards": interactive_source(build_scoreboards),
        "jobs": job_list,
        "quotas": quota_list,
        "clips": clip_list,
        "snapshot": snapshot,
    }


def runtime_sources(
    *,
    log: EventLog,
    db: ActionDatabase,
    state: RuntimeState,
    config: Config,
    clock: Clock,
    automation: Automation,
    perform: Callable[[ActionDescriptor], Awaitable[ActionResult]],
    connectors: Collection[tuple[str, str]],
    ready: Callable[[], bool],
    quotas: Callable[[], Sequence[QuotaUsage]] = _no_quotas,
    clips: ClipSource | None = None,
) -> WebSources:
    """Return the sources of a runtime's web server, from the runtime's own parts."""
    store = JobStore(db)
    documents = runtime_documents(
        state=state, config=config, log=log, interactive=automation.interactive,
        jobs=store.views, job_totals=store.totals, quotas=quotas, clips=clips,
    )  # fmt: skip
    operator = Operator(
        perform=perform, config=config, triggers=automation.engine.trigger_set,
        connectors=connectors, clock=clock,
    )  # fmt: skip
    return WebSources(
        log=log, state=state, config=config, clock=clock, documents=documents,
        operator=operator, db=db, quotas=quotas, ready=ready,
    )  # fmt: skip
