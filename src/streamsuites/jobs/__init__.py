"""Jobs: durable records of work that outlives one action (clips, uploads)."""

from __future__ import annotations

from streamsuites.jobs.store import JobRecord, JobStatus, JobStore, SqlRunner

__all__ = ["JobRecord", "JobStatus", "JobStore", "SqlRunner"]
