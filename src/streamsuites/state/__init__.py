"""Runtime state and the state files the StreamSuites dashboard reads.

``runtime_state`` holds what the runtime knows; ``snapshot``, ``telemetry``, ``rates``,
``quotas`` and ``jobs`` project it into documents without I/O; ``exporters`` writes them
atomically; ``cadence`` and ``publisher`` write them on time. See docs/state-files.md.
"""

from __future__ import annotations

from streamsuites.state.cadence import Tick, every
from streamsuites.state.exporters import (
    StateWriter,
    encode_json,
    resolve_publish_root,
    write_json_atomic,
)
from streamsuites.state.jobs import JobView, build_jobs
from streamsuites.state.publisher import StatePublisher, StatsSource
from streamsuites.state.quotas import QuotaUsage, build_quotas, next_midnight
from streamsuites.state.rates import RateTracker, build_rates
from streamsuites.state.restart_intent import RestartIntent, fingerprint
from streamsuites.state.snapshot import build_runtime_snapshot
from streamsuites.state.telemetry import build_errors, build_events

__all__ = [
    "JobView",
    "QuotaUsage",
    "RateTracker",
    "RestartIntent",
    "StatePublisher",
    "StateWriter",
    "StatsSource",
    "Tick",
    "build_errors",
    "build_events",
    "build_jobs",
    "build_quotas",
    "build_rates",
    "build_runtime_snapshot",
    "encode_json",
    "every",
    "fingerprint",
    "next_midnight",
    "resolve_publish_root",
    "write_json_atomic",
]
