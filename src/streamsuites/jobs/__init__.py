"""Jobs: durable work that outlives one action (clips, uploads), run under leases.

``model`` holds the values (statuses, records, outcomes, kinds), ``policy`` the pure decisions
(retries, backoff, limits), ``store`` the table and its reads, ``queue`` the lease transitions,
``worker`` the loop that runs handlers, ``replies`` the way back to chat, ``cli`` the
``streamsuites jobs`` command.
"""

from __future__ import annotations

from streamsuites.jobs.model import (
    JobContext,
    JobHandler,
    JobKind,
    JobOutcome,
    JobProgress,
    JobRecord,
    JobStatus,
    RetryPolicy,
)
from streamsuites.jobs.store import JobStore, SqlRunner

__all__ = [
    "JobContext",
    "JobHandler",
    "JobKind",
    "JobOutcome",
    "JobProgress",
    "JobRecord",
    "JobStatus",
    "JobStore",
    "RetryPolicy",
    "SqlRunner",
]
