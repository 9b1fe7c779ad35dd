"""What the web server reads, handed in by the runtime: it owns none of it.

:class:`WebSources` names the event log, the live state, the config, the clock, the documents
(``polls``, ``tallies``, ``scoreboards``, ``jobs``, ``quotas``, ``clips``, ``snapshot``: the
same builders as the state files, called on demand so the API is never a snapshot interval
behind), and the operator entry point. :func:`runtime_documents` takes jobs, quotas, clips and
the snapshot from the state publisher, and polls, tallies and scoreboards from the builders
the publisher's interactive files use, so the API and the state files never differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

from streamsuites.clips.export import build_clips
from streamsuites.clips.service import CLIPS_FILE
from streamsuites.interactive.exports import build_polls, build_scoreboards, build_tallies
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
    from streamsuites.state.quotas import QuotaUsage
    from streamsuites.state.runtime_state import RuntimeState

__all__ = [
    "DOCUMENTS",
    "DocumentSource",
    "StateDocuments",
    "WebSources",
    "runtime_documents",
    "runtime_sources",
]

DocumentSource: TypeAlias = "Callable[[float], Awaitable[Mapping[str, Any]]]"
"""``source(now)`` returns one state document as of `now`."""

DOCUMENTS = ("polls", "tallies", "scoreboards", "jobs", "quotas", "clips", "snapshot")
"""The documents the API serves under ``/api/v1/<name>``."""


def _no_quotas() -> Sequence[QuotaUsage]:
    return ()


def _always() -> bool:
    return True


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


class StateDocuments(Protocol):
    """The state files' builders, which the API serves from (the runtime's state publisher)."""

    async def snapshot_document(self, now: float) -> Mapping[str, Any]:
        """Return runtime_snapshot.json as of `now`."""
        ...

    def quotas_document(self, now: float) -> Mapping[str, Any]:
        """Return quotas.json as of `now`."""
        ...

    async def jobs_document(self, now: float) -> Mapping[str, Any]:
        """Return jobs.json as of `now`."""
        ...

    async def stored_documents(self, now: float) -> Mapping[str, object]:
        """Return the documents built from stored rows, clips.json among them."""
        ...


def runtime_documents(
    state_files: StateDocuments, interactive: InteractiveEngine
) -> dict[str, DocumentSource]:
    """Return the document sources of a running runtime: the state files' own builders."""

    async def quotas(now: float) -> Mapping[str, Any]:
        return state_files.quotas_document(now)

    async def clips(now: float) -> Mapping[str, Any]:
        document = (await state_files.stored_documents(now)).get(CLIPS_FILE)
        return document if isinstance(document, dict) else build_clips((), now=now)

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
        "jobs": state_files.jobs_document,
        "quotas": quotas,
        "clips": clips,
        "snapshot": state_files.snapshot_document,
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
    state_files: StateDocuments,
    quotas: Callable[[], Sequence[QuotaUsage]] = _no_quotas,
) -> WebSources:
    """Return the sources of a runtime's web server, from the runtime's own parts."""
    documents = runtime_documents(state_files, automation.interactive)
    operator = Operator(
        perform=perform, config=config, triggers=automation.engine.trigger_set,
        connectors=connectors, clock=clock,
    )  # fmt: skip
    return WebSources(
        log=log, state=state, config=config, clock=clock, documents=documents,
        operator=operator, db=db, quotas=quotas, ready=ready,
    )  # fmt: skip
